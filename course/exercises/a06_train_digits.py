"""06_train_digits: steps_per_epoch, sgd_step, predict, accuracy, train (minibatch SGD) and
test_once (why the test set is used once).

train and predict call the student's own forward, loss and backward from 05 (course.mine): a
failure there is named as such (`uses`), and the grading gives them the instructor's versions.
"""
import numpy as np

from course.i18n import N_, _

from . import Check, Example, Exercise, as_array, expect_close, fail, register
from .question import Question

NAMES = ("W1", "b1", "W2", "b2")


def _fresh(d):
    return {k: np.array(v, dtype=float) for k, v in d.items()}


# --------------------------------------------------------------------------------- sgd_step
# A worked example, by hand: p - 0.5 dp for every parameter.
STEP_PARAMS = {"W1": [[1.0, 2.0], [3.0, 4.0]], "b1": [0.5, -0.5], "W2": [[1.0], [-1.0]],
               "b2": [0.25]}
STEP_GRADS = {"W1": [[1.0, 0.0], [-2.0, 4.0]], "b1": [1.0, 1.0], "W2": [[0.5], [-0.5]],
              "b2": [-1.0]}
STEP_AFTER = {"W1": [[0.5, 2.0], [4.0, 2.0]], "b1": [0.0, -1.0], "W2": [[0.75], [-0.75]],
              "b2": [0.75]}


def _step_example(sgd_step):
    params, grads = _fresh(STEP_PARAMS), _fresh(STEP_GRADS)
    before = _fresh(STEP_PARAMS)
    out = sgd_step(params, grads, 0.5)
    if all(np.array_equal(params[k], before[k]) for k in NAMES):
        if isinstance(out, dict) and all(k in out for k in NAMES) and \
                np.allclose(np.asarray(out["W1"], float), STEP_AFTER["W1"]):
            fail(_("you return the right new values in a new dict, but the caller's params "
                   "did not change. sgd_step must update params IN PLACE (params[k] -= lr * "
                   "grads[k] or params[k] = params[k] - lr * grads[k]): train relies on it"))
        fail(_("params did not change: update every entry of params in place"))
    W1 = as_array(params["W1"], N_("params['W1'] after the step"), (2, 2))
    if np.allclose(W1, [[1.5, 2.0], [2.0, 6.0]]):
        fail(_("the parameters moved UP the gradient: a descent step is p - lr * dp, not "
               "p + lr * dp"))
    if np.allclose(W1, [[0.75, 2.0], [3.5, 3.0]]):
        fail(_("the step is lr**2 * dp: apply the learning rate once"))
    if np.allclose(W1, STEP_AFTER["W1"]) and np.allclose(params["b1"], STEP_PARAMS["b1"]):
        fail(_("the weights moved but the biases b1, b2 did not: update all four parameters"))
    for k in NAMES:
        expect_close(params[k], STEP_AFTER[k],
                     _("params[{key}] after sgd_step(params, grads, 0.5)").format(key=repr(k)))
    if out is None:
        fail(_("params are updated, but sgd_step returned None: end with `return params`"))
    if not isinstance(out, dict):
        fail(_("sgd_step should return the params dict, got {kind}").format(
            kind=type(out).__name__))
    for k in NAMES:
        expect_close(out[k], STEP_AFTER[k],
                     _("the returned dict's {key}").format(key=repr(k)))
    return N_("W1 = [[1, 2], [3, 4]], dW1 = [[1, 0], [-2, 4]], lr = 0.5 gives [[0.5, 2], [4, 2]]")


def _step_contract(sgd_step):
    params, grads = _fresh(STEP_PARAMS), _fresh(STEP_GRADS)
    grads["X"] = np.ones((3, 2))  # backward's dX: not a parameter
    kept = _fresh(grads)
    sgd_step(params, grads, 0.1)
    if "X" in params:
        fail(_("sgd_step added an entry 'X' to params: update the entries of params (the "
               "four parameters) and ignore any other entry of grads, such as backward's 'X'"))
    for k in kept:
        if not np.array_equal(np.asarray(grads[k], float), kept[k]):
            fail(_("sgd_step changed grads[{key}]: leave the gradients as they are").format(
                key=repr(k)))
    params = _fresh(STEP_PARAMS)
    sgd_step(params, _fresh(STEP_GRADS), 0)
    for k in NAMES:
        expect_close(params[k], STEP_PARAMS[k],
                     _("params[{key}] after a step with lr = 0").format(key=repr(k)))
    return N_("grads unchanged, an extra 'X' in grads ignored, lr = 0 changes nothing")


sgd_step = Exercise(
    name="sgd_step",
    signature="sgd_step(params, grads, lr) -> params, updated in place",
    checks=[Check(N_("worked example"), _step_example), Check(N_("contract"), _step_contract)],
    hints=[
        N_("Gradient descent moves each parameter a small step against its gradient: "
           "new p = p - lr * dp, for p in W1, b1, W2, b2."),
        N_("Loop over the names in params: `for k in params: params[k] -= lr * grads[k]`. This "
           "changes the caller's arrays; grads may hold an extra entry ('X') that is not a "
           "parameter, so loop over params, not over grads."),
        N_("Four lines: the loop above, then `return params`."),
    ],
)


# ---------------------------------------------------------------------------------- predict
def _identity_net(k):
    return {"W1": np.eye(k), "b1": np.zeros(k), "W2": np.eye(k), "b2": np.zeros(k)}


def _labels_of(value, what, m, K=None):
    arr = as_array(value, what)
    what = _(what)
    if K is not None and K != m and arr.shape == (K,):
        fail(_("{what} has {K} entries, one per CLASS: you took the argmax over axis 0 (the "
               "samples). Take it along axis=1, over the classes of each row").format(
            what=what, K=K))
    if arr.ndim == 2 and arr.shape[0] == m and arr.shape[1] > 1:
        fail(_("{what} has shape {shape}: that looks like the probabilities P. Return the "
               "class of each row, an array of shape ({m},)").format(
            what=what, shape=arr.shape, m=m))
    if arr.shape != (m,):
        fail(_("{what} has shape {shape}, expected ({m},): one label per row of X").format(
            what=what, shape=arr.shape, m=m))
    if not np.all(arr == np.round(arr)):
        fail(_("{what} = {values} holds non-integers: return class indices (np.argmax), not "
               "probabilities").format(what=what, values=arr))
    return arr


def _predict_example(predict):
    # W1 = W2 = I, zero biases: Z = ReLU(X), so the class is the largest positive entry of a row.
    X = np.array([[2.0, 1.0], [-1.0, 3.0], [0.5, -2.0]])
    got = _labels_of(predict(_identity_net(2), X), N_("predict(params, X) for 3 samples, K = 2"),
                     3, K=2)
    expect_close(got, [0, 1, 0], N_("predict(params, X) with W1 = W2 = I and X = "
                                    "[[2, 1], [-1, 3], [0.5, -2]]"))
    return N_("with W1 = W2 = I, Z = ReLU(X): [[2, 1], [-1, 3], [0.5, -2]] -> [0, 1, 0]")


def _predict_axis(predict):
    X = np.array([[5.0, 1.0, 0.0], [6.0, 0.0, 9.0], [0.0, 2.0, 1.0]])  # m = K = 3
    got = _labels_of(predict(_identity_net(3), X), N_("predict(params, X) for m = K = 3"), 3)
    if np.array_equal(got, [1, 2, 1]):
        fail(_("you took the argmax down each COLUMN (axis=0, over the samples). Each row is a "
               "sample: take the argmax along axis=1, over the classes"))
    expect_close(got, [0, 2, 1],
                 N_("predict with m = K = 3, X = [[5, 1, 0], [6, 0, 9], [0, 2, 1]]"))
    got = _labels_of(predict(_identity_net(2), np.array([[0.2, 0.9]])), N_("predict for m = 1"),
                     1)
    expect_close(got, [1], "predict(params, [[0.2, 0.9]])")
    params, X = _identity_net(2), np.array([[1, 4], [3, 2]])  # integer X
    kept = {k: v.copy() for k, v in params.items()}
    expect_close(_labels_of(predict(params, X), N_("predict for an integer X"), 2), [1, 0],
                 "predict(params, [[1, 4], [3, 2]])")
    if not all(np.array_equal(params[k], kept[k]) for k in NAMES):
        fail(_("predict changed params: it should only read them"))
    return N_("argmax over the classes (axis=1), m = 1, integer X")


predict = Exercise(
    name="predict",
    signature="predict(params, X) -> y_pred, the class of each row of X, shape (m,)",
    checks=[Check(N_("worked example"), _predict_example),
            Check(N_("axis and shapes"), _predict_axis)],
    uses=("forward",),
    hints=[
        N_("Run the network forward and pick, for each sample, the class with the largest "
           "probability."),
        N_("`P, _ = forward(params, X)` has shape (m, K): one row per sample. `np.argmax(P, "
           "axis=1)` gives one class per row."),
    ],
)


# --------------------------------------------------------------------------------- accuracy
def _number(value, what):
    arr = as_array(value, what)
    if arr.size != 1:
        fail(_("{what} should be one number, got an array of shape {shape}").format(
            what=_(what), shape=arr.shape))
    return float(arr.reshape(-1)[0])


def _accuracy_example(accuracy):
    a = _number(accuracy(np.array([0, 1, 2, 3]), np.array([0, 1, 1, 3])),
                "accuracy([0, 1, 2, 3], [0, 1, 1, 3])")
    if np.isclose(a, 3):
        fail(_("you return 3, the NUMBER of correct predictions: divide by m to get the "
               "fraction"))
    if np.isclose(a, 75):
        fail(_("you return 75, a percentage: return the fraction 0.75"))
    if np.isclose(a, 0.25):
        fail(_("you return 0.25, the error rate: the accuracy is the fraction of CORRECT "
               "predictions"))
    expect_close(a, 0.75, "accuracy([0, 1, 2, 3], [0, 1, 1, 3])")
    return N_("3 right out of 4: 0.75")


def _accuracy_inputs(accuracy):
    a = _number(accuracy([1, 2, 3, 4, 5], [1, 2, 0, 4, 0]), N_("accuracy of two lists"))
    if np.isclose(a, 0.0):
        fail(_("accuracy([1, 2, 3, 4, 5], [1, 2, 0, 4, 0]) gives 0: with Python lists, == "
               "compares the whole lists (one False). Convert with np.asarray first"))
    expect_close(a, 0.6, "accuracy([1, 2, 3, 4, 5], [1, 2, 0, 4, 0])")
    expect_close(_number(accuracy(np.array([7]), np.array([7])), N_("accuracy for m = 1")), 1.0,
                 "accuracy([7], [7])")
    expect_close(_number(accuracy(np.array([0, 0, 1]), np.array([1, 2, 0])), N_("all wrong")),
                 0.0, "accuracy([0, 0, 1], [1, 2, 0])")
    expect_close(_number(accuracy(np.array([1.0, 2.0]), np.array([1, 0])), N_("float labels")),
                 0.5, "accuracy([1.0, 2.0], [1, 0])")
    return N_("lists, m = 1, all wrong, float predictions")


accuracy = Exercise(
    name="accuracy",
    signature="accuracy(y_pred, y) -> the fraction of predictions equal to the labels",
    examples=[Example("y_pred = [3, 1, 4, 1, 5], y = [3, 1, 4, 0, 2]",
                      (np.array([3, 1, 4, 1, 5]), np.array([3, 1, 4, 0, 2])))],
    checks=[Check(N_("3 right out of 4"), _accuracy_example),
            Check(N_("inputs"), _accuracy_inputs)],
    hints=[
        N_("Compare the two arrays entry by entry, then count the matches and divide by m."),
        N_("`np.asarray(y_pred) == np.asarray(y)` is a boolean array; its mean is the fraction "
           "of True. Return it as a float."),
    ],
)


# ------------------------------------------------------------------------------------ train
# A worked example: full batch (batch_size = m = 6), so every epoch is ONE gradient step on the
# whole set and the order of the samples does not matter: the numbers below are exact.
TRAIN_X = [[1.0, -0.5, 0.2], [0.3, 0.8, -1.0], [-0.7, 0.1, 0.9], [0.5, 0.5, 0.5],
           [-1.0, -0.3, 0.4], [0.2, -0.9, -0.6]]
TRAIN_Y = [0, 1, 2, 0, 2, 1]
TRAIN_PARAMS = {"W1": [[0.5, -0.3, 0.8, 0.1], [-0.6, 0.4, 0.2, -0.5], [0.3, 0.7, -0.4, 0.6]],
                "b1": [0.1, -0.1, 0.0, 0.05],
                "W2": [[0.6, -0.2, 0.1], [-0.4, 0.5, 0.3], [0.2, 0.3, -0.6], [0.1, -0.5, 0.4]],
                "b2": [0.0, 0.1, -0.1]}
TRAIN_SETTINGS = dict(lam=0.5, lr=0.5, epochs=3, batch_size=6, seed=0)
TRAIN_J0 = 1.1373849697            # J before training
TRAIN_LOSS = [1.0691131959, 1.0124275507, 0.962282613]
TRAIN_LOSS_NO_LAM = [1.0734572754, 1.0141358343, 0.9580142821]  # steps without the L2 gradient
TRAIN_ACC = [5 / 6, 5 / 6, 5 / 6]
TRAIN_AFTER = {
    "W1": [[0.5510628378, -0.3871196375, 0.7875112861, -0.0553682263],
           [-0.4255133529, 0.2830109455, 0.1589152106, -0.3451236259],
           [0.3788901791, 0.6010871303, -0.4137014425, 0.7364920761]],
    "b1": [0.1706641761, -0.150211525, 0.202403436, 0.1686460561],
    "W2": [[0.6191926485, -0.1720463427, -0.0070783081],
           [-0.3827788622, 0.3351596375, 0.3996736229],
           [0.1961048638, 0.3557242814, -0.6398427448],
           [0.0976370676, -0.5475976337, 0.4499605661]],
    "b2": [-0.0587408662, 0.0954330367, -0.0366921705]}
# The minibatch check's problem: over 210 runs (7 valid ways to shuffle and batch x 30 seeds) J
# after training ended between 0.13 and 0.28; with the same minibatch at every step, 0.44 to 1.3.
TOY_J_MAX = 0.35
USES = N_("(your forward, loss and backward pass 05's checks: look at the loop)")


def _run(train, params, X, y, **settings):
    s = dict(TRAIN_SETTINGS, **settings)
    return train(params, X, y, s["lam"], s["lr"], s["epochs"], s["batch_size"], s["seed"])


def _history(hist, epochs, what=N_("train's result")):
    if hist is None:
        fail(_("{what} is None: return the history dict").format(what=_(what)))
    if not isinstance(hist, dict) or "loss" not in hist or "acc" not in hist:
        fail(_("{what} should be a dict with the keys 'loss' and 'acc', got {got}").format(
            what=_(what), got=sorted(hist) if isinstance(hist, dict) else type(hist).__name__))
    out = {}
    for key in ("loss", "acc"):
        arr = as_array(hist[key], f"history[{key!r}]")
        if arr.shape != (epochs,):
            fail(_("history[{key}] has {count} entries after {epochs} epochs: append one "
                   "value per epoch").format(key=repr(key), count=arr.size, epochs=epochs))
        if not np.all(np.isfinite(arr)):
            fail(_("history[{key}] holds nan or inf: {values}").format(key=repr(key),
                                                                        values=arr))
        out[key] = arr
    if np.any(out["acc"] < 0) or np.any(out["acc"] > 1):
        fail(_("history['acc'] = {values} should hold fractions between 0 and 1").format(
            values=out["acc"]))
    return out


def _train_example(train):
    params = _fresh(TRAIN_PARAMS)
    hist = _history(_run(train, params, np.array(TRAIN_X), np.array(TRAIN_Y)), 3)
    if all(np.allclose(params[k], TRAIN_PARAMS[k]) for k in NAMES):
        fail(_("the caller's params did not change. train must update params in place "
               "(through sgd_step(params, grads, lr)); don't rebind `params` to a new dict"))
    loss = hist["loss"]
    if np.allclose(loss, [TRAIN_J0] + TRAIN_LOSS[:-1], rtol=1e-5):
        fail(_("history['loss'] = {loss} is one epoch late: it holds J BEFORE each epoch's "
               "steps (or the loss of the batch before its step). Record J on the whole "
               "training set AFTER the epoch: {right}").format(loss=np.round(loss, 6),
                                                              right=np.round(TRAIN_LOSS, 6)))
    if np.allclose(loss, TRAIN_LOSS_NO_LAM, rtol=1e-5):
        fail(_("the steps ignore lam: pass lam (scaled to the batch, lam * len(batch) / m) to "
               "backward, so that each step includes the L2 gradient"))
    expect_close(loss, TRAIN_LOSS,
                 _("history['loss'] (full batch, lam = 0.5, lr = 0.5, 3 epochs) {uses}").format(
                     uses=_(USES)), rtol=1e-5)
    expect_close(hist["acc"], TRAIN_ACC, "history['acc']", rtol=1e-9)
    for k in NAMES:
        expect_close(params[k], TRAIN_AFTER[k],
                     _("params[{key}] after training").format(key=repr(k)), rtol=1e-5)
    return N_("full batch, 3 epochs: J = 1.0691, 1.0124, 0.9623 and the trained params")


def _toy(seed, m=102, n=4, H=6, K=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = np.argmax(X @ rng.normal(size=(n, K)), axis=1)
    params = {"W1": rng.normal(size=(n, H)) / np.sqrt(n), "b1": np.zeros(H),
              "W2": rng.normal(size=(H, K)) / np.sqrt(H), "b2": np.zeros(K)}
    return params, X, y


def _train_minibatches(train):
    start, X, y = _toy(6)
    s = dict(lam=0.01, lr=0.2, epochs=5, batch_size=4)  # 102 samples: 25 batches of 4, one of 2
    runs = []
    for seed in (1, 1, 2):
        params = _fresh(start)
        hist = _history(_run(train, params, X.copy(), y.copy(), seed=seed, **s), s["epochs"])
        runs.append((params, hist))
    (p1, h1), (p1b, _unused1), (p2, _unused2) = runs
    if not all(np.array_equal(p1[k], p1b[k]) for k in NAMES):
        fail(_("two runs with the same seed gave different params: create the generator in "
               "train, rng = np.random.default_rng(seed), and shuffle with it (not with "
               "np.random.shuffle, whose global state moves on between runs)"))
    if all(np.array_equal(p1[k], p2[k]) for k in NAMES):
        fail(_("seeds 1 and 2 gave exactly the same params: shuffle the samples each epoch "
               "(order = rng.permutation(m)) and take the minibatches from that order"))
    if not h1["loss"][-1] < h1["loss"][0]:
        fail(_("the loss did not fall on an easy problem: history['loss'] = {loss} "
               "{uses}").format(loss=np.round(h1["loss"], 4), uses=_(USES)))
    if h1["loss"][-1] > TOY_J_MAX:
        fail(_("after 5 epochs J is {J:.3f}; correct implementations get below {J_max} on this "
               "problem (0.13 to 0.28, depending on the shuffling). Does each epoch step "
               "through ALL its minibatches, order[start:start + batch_size] for start = 0, "
               "batch_size, 2 * batch_size, ...?").format(J=h1["loss"][-1], J_max=TOY_J_MAX))
    # With lr = 0 nothing moves, so a correct train records J at exactly these params.
    again = _fresh(p1)
    h0 = _history(_run(train, again, X.copy(), y.copy(), seed=5, **dict(s, lr=0.0, epochs=1)),
                  1, N_("train's result with lr = 0"))
    if not np.isclose(h1["loss"][-1], h0["loss"][0], rtol=1e-6, atol=1e-12):
        fail(_("history['loss'][-1] is {last:.6g}, but training the same params with lr = 0 "
               "(which leaves them as they are) records {again:.6g}. Record J on the WHOLE "
               "training set after each epoch, not the last minibatch's loss or an average "
               "over the batches").format(last=h1["loss"][-1], again=h0["loss"][0]))
    if not np.isclose(h1["acc"][-1], h0["acc"][0]):
        fail(_("history['acc'][-1] is {last:.6g}, but the same params give {again:.6g} when "
               "nothing moves: record the accuracy on the whole training set after each "
               "epoch").format(last=h1["acc"][-1], again=h0["acc"][0]))
    return N_("same seed, same result; another seed, another; J falls; J recorded on all of X")


train = Exercise(
    name="train",
    signature="train(params, X, y, lam, lr, epochs, batch_size, seed) -> history "
              "{'loss': [...], 'acc': [...]}, params updated in place",
    checks=[Check(N_("worked example (full batch)"), _train_example),
            Check(N_("minibatches"), _train_minibatches)],
    uses=("forward", "backward", "loss", "sgd_step", "predict", "accuracy", "minibatch_lam"),
    hints=[
        N_("Two loops: over the epochs, and inside each epoch over the minibatches of a fresh "
           "random order. Each minibatch: forward, backward, sgd_step. After each epoch: append "
           "J and the accuracy on the whole training set to the history."),
        N_("Before the loops: `m = X.shape[0]`, `rng = np.random.default_rng(seed)`, `history "
           "= {'loss': [], 'acc': []}`. Each epoch: `order = rng.permutation(m)`, then for "
           "`start in range(0, m, batch_size)`: `idx = order[start:start + batch_size]`, and "
           "`Xb, yb = X[idx], y[idx]`."),
        N_("Per batch: `_, cache = forward(params, Xb)`, `grads = backward(params, cache, Xb, "
           "yb, lam * len(idx) / m)`, `sgd_step(params, grads, lr)`. After the batches: "
           "`history['loss'].append(loss(params, X, y, lam))` and `history['acc'].append("
           "accuracy(predict(params, X), y))`. Return history."),
    ],
)


# ------------------------------------------------------------------------- steps_per_epoch
def _steps_format(steps_per_epoch):
    d = steps_per_epoch()
    if not isinstance(d, dict) or set(d) != {"batch_1", "batch_64", "batch_5833"}:
        fail(_("steps_per_epoch should be a dict with the keys 'batch_64', 'batch_1' and "
               "'batch_5833'"))
    for k, v in d.items():
        got = as_array(v, f"steps_per_epoch[{k!r}]")
        if got.shape != () or got != np.round(got) or got < 1:
            fail(_("steps_per_epoch[{key}] = {value}: a number of steps is a whole number, at "
                   "least 1").format(key=repr(k), value=repr(v)))
    return N_("three whole numbers")


steps_per_epoch = Question(
    name="steps_per_epoch",
    signature="steps_per_epoch() -> {'batch_64': int, 'batch_1': int, 'batch_5833': int}",
    checks=[Check(N_("three counts"), _steps_format)],
    hints=[
        N_("One epoch visits each of the m = 5,833 training images exactly once, and each step "
           "uses one minibatch. How many minibatches does it take to cover 5,833 images?"),
        N_("5,833 is not a multiple of 64: the last minibatch holds what is left over, and it "
           "still costs a step."),
    ],
)


# ------------------------------------------------------------------------------- test_once
def _choice_format(test_once):
    answer = test_once()
    if isinstance(answer, bool) or answer not in (1, 2, 3, 4):
        fail(_("test_once should be the number of one statement: 1, 2, 3 or 4, got "
               "{answer}").format(answer=repr(answer)))
    return N_("one of 1, 2, 3, 4")


test_once = Question(
    name="test_once",
    signature="test_once() -> 1, 2, 3 or 4",
    checks=[Check(N_("a statement's number"), _choice_format)],
    hints=[
        N_("Think of the settings you tried as guesses, each scored on the same images. The "
           "best score is the maximum of several noisy numbers: does a maximum lean one way?"),
        N_("An estimate stays honest only on images that played no part in any decision: not "
           "in fitting the weights, not in picking λ or H, not in picking when to stop."),
    ],
)

register(steps_per_epoch, sgd_step, predict, accuracy, train, test_once)
