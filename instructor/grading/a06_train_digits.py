"""Hidden grading for 06_train_digits: steps_per_epoch, sgd_step, predict, accuracy, train,
test_once.

sgd_step and train change their arguments in place, and train is random (it shuffles), so their
cases call it through a hook of course/calls.py, which returns what the call did as plain numbers.
The hooks run where the student's code runs (in the sandbox of the trusted re-grade). Everything
that needs the reference (the loss at the trained parameters, the test accuracy) happens in
`compare`, on the trusted side.

train is graded three ways:

1. full batch (batch_size = m): one gradient step per epoch over the whole set, so the order of
   the samples does not matter and the result is exact. Both ways of scaling lam for a minibatch
   (lam * b / m, or lam as it is) coincide here, since b = m.
2. minibatches: random, so checked by its properties: the history holds J and the accuracy on the
   whole training set after each epoch (J is recomputed here, with the reference, at the
   trained parameters), two runs with the same seed agree, another seed gives another result,
   the loss falls, and J ends up near where the reference's own run ends up.
3. a retrain on USPS (256-256-10, the settings in RETRAIN): its test accuracy must reach
   RETRAIN_THRESHOLD, within a time budget relative to the reference timed in the same process.

Measured on the course machine (2 cores, one BLAS thread), RETRAIN settings, 256-64-10, USPS:
    reference (lam * b / m), shuffling seeds 0-7 ........ 92.2 - 93.2 % test accuracy, 0.25 s
    lam passed unscaled to every minibatch, seeds 0-2 ... 91.9 - 93.2 %
    last partial minibatch dropped, seeds 0-2 ........... 92.0 - 93.0 %
    the first minibatch of each epoch at every step ..... 80.4 % (wrong)
    gradient ascent ..................................... 17.9 % (wrong)
The threshold, 90 %, sits 2 points below the worst correct run: the retrain catches a train that
does not learn, or learns far too slowly, on real data (the small cases catch the subtler
mistakes). The time budget is max(TIME_FLOOR, TIME_FACTOR x the reference's time, measured in
the same grading run). Every step of the retrain calls the instructor's forward, backward and
sgd_step across the sandbox's wire, parameters and all, hence a small network (64 hidden units)
in batches of 64 with lr = 0.2: 575 steps of 136 kB, where 256 hidden units in batches of 32
took 1,140 steps of 530 kB to the same accuracy.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np

from instructor import reference as R

from course import calls
from course.i18n import N_, _

from . import Case, Graded, difference
from .questions import question

NAMES = ("W1", "b1", "W2", "b2")

#: The USPS retrain: settings, the test accuracy it must reach, and its time budget.
RETRAIN = dict(H=64, init_seed=0, lam=0.1, lr=0.2, epochs=5, batch_size=64, seed=0)
#: USPS: see the measurements above. The offline fallback (scikit-learn's digits, 16x16) is
#: easier: the reference and the same variants reach 96.1 - 97.8 % there.
RETRAIN_THRESHOLD = 0.90
TIME_FACTOR, TIME_FLOOR = 10.0, 30.0  # budget: max(floor, factor x the reference's time)
BIG = 1000  # the known mistakes are compared on the small problems only (m <= BIG)
#: Minibatch cases: J after training may exceed the reference's J by at most this factor. Over
#: 10 shuffling seeds x 6 valid variants (permutation, rng.shuffle, rng.choice, a generator
#: re-seeded each epoch, last partial batch dropped, lam unscaled) the largest ratio was 1.27
#: (m=124, b=8) and 1.04 (b=1); the same minibatch at every step gave 2.02 and 1.53 at least.
J_RATIO = 1.45


# ---------------------------------------------------------------------------------- helpers
def _params(rng, n, H, K, scale=1.0):
    return {"W1": rng.normal(size=(n, H)) * scale / np.sqrt(n), "b1": rng.normal(size=H) * 0.3,
            "W2": rng.normal(size=(H, K)) * scale / np.sqrt(H), "b2": rng.normal(size=K) * 0.3}


def _unchanged(a, b):
    return all(np.shape(a[k]) == np.shape(b[k]) and np.allclose(a[k], b[k], rtol=0, atol=0)
               for k in NAMES)


def _close(a, b, rtol=1e-5):
    return difference(a, b, rtol) is None


# --------------------------------------------------------------------------------- sgd_step
def step_cases(rng):
    def grads_like(params, scale=1.0):
        return {k: rng.normal(size=np.shape(v)) * scale for k, v in params.items()}

    cases = []
    for label, (n, H, K), lr in [("n=5, H=4, K=3, lr=0.1", (5, 4, 3), 0.1),
                                 ("H=1, K=2, lr=0.5", (3, 1, 2), 0.5),
                                 ("n=256, H=16, K=10, lr=0.03", (256, 16, 10), 0.03)]:
        p = _params(rng, n, H, K)
        cases.append(Case(label, (p, grads_like(p), lr), (1,), call=calls.step))
    p = _params(rng, 4, 3, 3)
    g = grads_like(p)
    g["X"] = rng.normal(size=(6, 4))  # backward's dX: not a parameter
    cases.append(Case(N_("grads holding an extra entry 'X' (dX from backward), lr=0.2"),
                      (p, g, 0.2), (1,), call=calls.step))
    p = _params(rng, 3, 2, 2)
    cases.append(Case(N_("lr = 2 (an int)"), (p, grads_like(p), 2), (1,), call=calls.step))
    return cases


def _step_variant(sign=-1.0, lr_power=1, in_place=True, keys=NAMES, returns=True):
    def sgd_step(params, grads, lr):
        new = {k: (params[k] + sign * lr ** lr_power * grads[k]) if k in keys else params[k]
               for k in params}
        if not in_place:
            return new
        for k in params:
            params[k] = new[k]
        return params if returns else None
    return sgd_step


STEP_NOT_IN_PLACE = N_("a new dict returned while params is left unchanged (not in place): "
                        "train would never see the update")
STEP_MISTAKES = {
    N_("gradient ascent: p + lr * dp instead of p - lr * dp"): _step_variant(sign=1.0),
    N_("lr applied twice: p - lr**2 * dp"): _step_variant(lr_power=2),
    STEP_NOT_IN_PLACE: _step_variant(in_place=False),
    N_("only the weights W1, W2 updated; the biases b1, b2 left as they were"):
        _step_variant(keys=("W1", "W2")),
    N_("params updated but not returned (the function returns None)"):
        _step_variant(returns=False),
}


def step_compare(got, expected, case):
    start = calls.param_values(case.args[0])
    if _unchanged(got["params"], start):
        if got["returned_kind"] == 1 and _close(got["returned"], expected["params"]):
            return _("sgd_step returned the right new values in a new dict, but the caller's "
                     "params did not change. The contract is an update in place "
                     "(params[k] -= lr * grads[k]): train calls sgd_step(params, grads, lr) "
                     "and relies on params changing")
        return _("sgd_step left params unchanged: update every entry in place")
    problem = difference(got["params"], expected["params"], path=N_("params after sgd_step"))
    if problem:
        return problem
    if got["added_keys"] > 0:
        return _("sgd_step added entries to params (such as 'X', backward's dX, which is not a "
                 "parameter): loop over the keys of params, not over those of grads")
    if got["returned_kind"] == 0:
        return _("sgd_step updated params but returned None: end it with `return params`")
    if got["returned_kind"] < 0:
        return _("sgd_step should return the params dict (after updating it)")
    return difference(got["returned"], expected["returned"],
                      path=N_("the dict sgd_step returned"))


# ---------------------------------------------------------------------------------- predict
def predict_cases(rng):
    cases = []
    for m, n, H, K in [(1, 4, 3, 2), (3, 4, 5, 3), (7, 6, 5, 10), (12, 256, 16, 10)]:
        label = f"m={m}, n={n}, H={H}, K={K}" + (" (m = K: a square P)" if m == K else "")
        cases.append(Case(label, (_params(rng, n, H, K, 3.0), rng.normal(size=(m, n))), (0, 1)))
    cases.append(Case(N_("integer X"), (_params(rng, 3, 4, 3, 3.0),
                                    rng.integers(-3, 4, size=(5, 3))), (0, 1)))
    return cases


PREDICT_MISTAKES = {
    N_("argmax over axis 0 (the samples) instead of axis 1 (the classes)"):
        lambda params, X: np.argmax(R.forward(params, X)[0], axis=0),
    N_("the probabilities P returned instead of the predicted classes"):
        lambda params, X: R.forward(params, X)[0],
    N_("the largest probability (max) returned instead of its class (argmax)"):
        lambda params, X: np.max(R.forward(params, X)[0], axis=1),
}


# --------------------------------------------------------------------------------- accuracy
def accuracy_cases(rng):
    y = rng.integers(0, 10, size=20)
    pred = y.copy()
    pred[rng.choice(20, size=7, replace=False)] = (y[:7] + 1) % 10
    return [
        Case(N_("int arrays, m=20"), (pred, y), (0, 1)),
        Case(N_("two lists"), ([0, 1, 2, 2, 1], [0, 1, 1, 2, 2])),
        Case(N_("a list of predictions and an array of labels"),
             ([3, 3, 1, 0], np.array([3, 1, 1, 0]))),
        Case(N_("float predictions, int labels"),
             (np.array([1.0, 2.0, 0.0]), np.array([1, 2, 2])), (0, 1)),
        Case(N_("m=1, right"), (np.array([7]), np.array([7]))),
        Case(N_("m=1, wrong"), (np.array([7]), np.array([2]))),
        Case(N_("all wrong"), (np.array([0, 0, 1]), np.array([1, 2, 0]))),
    ]


ACCURACY_MISTAKES = {
    N_("the number of correct predictions instead of the fraction (divide by m)"):
        lambda y_pred, y: float(np.sum(np.asarray(y_pred) == np.asarray(y))),
    N_("a percentage (x 100) instead of a fraction between 0 and 1"):
        lambda y_pred, y: 100.0 * np.mean(np.asarray(y_pred) == np.asarray(y)),
    N_("the error rate (1 - accuracy) instead of the accuracy"):
        lambda y_pred, y: 1.0 - np.mean(np.asarray(y_pred) == np.asarray(y)),
    N_("== applied to two Python lists (one True/False for the whole lists): convert them "
       "with np.asarray first"): lambda y_pred, y: float(np.mean(y_pred == y)),
}


# ------------------------------------------------------------------------------------ train
def _problem(rng, m, n, H, K):
    """A learnable toy problem: labels from a random linear teacher (with some noise)."""
    X = rng.normal(size=(m, n))
    teacher = rng.normal(size=(n, K))
    y = np.argmax(X @ teacher + 0.3 * rng.normal(size=(m, K)), axis=1)
    return _params(rng, n, H, K), X, y


@functools.lru_cache(maxsize=1)
def _digits():
    """The retrain's data: USPS as the course loads it (CI: USPS_DIR). No download here; the
    notebook has already fetched it. Without USPS, the (loudly announced) fallback."""
    from course.data import load_usps

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_usps(download_if_missing=False, verbose=False)


def retrain_data():
    """(Digits, params at the start) for the USPS retrain."""
    d = _digits()
    params = R.init_params(d.X_train.shape[1], RETRAIN["H"], 10, seed=RETRAIN["init_seed"])
    return d, params


def train_cases(rng):
    cases = []
    # 1. full batch: exact
    for label, (m, n, H, K), lam, lr, epochs in [
            (N_("full batch (batch_size = m = 24), lam=0.5, 4 epochs"), (24, 6, 8, 3), 0.5, 0.5,
             4),
            (N_("full batch, K=2, lam=0, 3 epochs"), (10, 4, 5, 2), 0.0, 0.3, 3),
            (N_("full batch of one sample (m=1), lam=0.2, 2 epochs"), (1, 3, 4, 3), 0.2, 0.1,
             2)]:
        params, X, y = _problem(rng, m, n, H, K)
        cases.append(Case(label, (params, X, y, lam, lr, epochs, m, 7), (1, 2),
                          call=calls.train_once))
    # 2. minibatches: properties
    for label, (m, n, H, K), lam, lr, epochs, b in [
            (N_("minibatches of 8 from m=124 (the last one holds 4), lam=0.05, 5 epochs"),
             (124, 5, 10, 3), 0.05, 0.3, 5, 8),
            (N_("minibatches of 1 (one sample per step), m=15, lam=0, 4 epochs"),
             (15, 4, 6, 3), 0.0, 0.05, 4, 1)]:
        params, X, y = _problem(rng, m, n, H, K)
        cases.append(Case(label, (params, X, y, lam, lr, epochs, b, 3), (1, 2),
                          call=calls.train_thrice))
    # 3. USPS
    d, params = retrain_data()
    s = RETRAIN
    data = "USPS" if d.is_usps else "scikit-learn's digits (USPS not found)"
    cases.append(Case(f"retrain on {data}: {d.X_train.shape[1]}-{s['H']}-10, lam={s['lam']}, "
                      f"lr={s['lr']}, {s['epochs']} epochs, batch_size={s['batch_size']}",
                      (params, d.X_train, d.y_train, s["lam"], s["lr"], s["epochs"],
                       s["batch_size"], s["seed"]), (1, 2), call=calls.train_timed))
    return cases


def _history_problem(got, epochs):
    h = got["history"]
    fmt = float(h["format"])
    if fmt == 1:
        return _("train should return the history, a dict with the lists 'loss' and 'acc'")
    if fmt == 2:
        return _("the history dict needs both keys 'loss' and 'acc'")
    if fmt == 3:
        return _("history['loss'] and history['acc'] should be lists of numbers")
    for key in ("loss", "acc"):
        if h[key].shape != (epochs,):
            return _("history[{key}] has {count} entries for {epochs} epochs: append one value "
                     "per epoch, after the epoch's updates").format(
                key=repr(key), count=h[key].size, epochs=epochs)
        if not np.all(np.isfinite(h[key])):
            return _("history[{key}] holds nan or inf: {values}").format(
                key=repr(key), values=np.round(h[key], 4))
    return None


NOT_IN_PLACE = N_("params rebound to a new dict (params = {...}) instead of updated in place: "
                  "the caller's params never change")
GLOBAL_RNG = N_("the global generator (np.random.shuffle / np.random.permutation) instead of "
                "rng = np.random.default_rng(seed): two runs with the same seed differ")
NO_SHUFFLE = N_("no shuffling: every epoch visits the samples in the same order, whatever the "
                "seed")
LAST_BATCH = N_("the loss of the last minibatch recorded instead of J on the whole training "
                "set after the epoch")


def train_compare(got, expected, case):
    params0, X, y, lam, lr, epochs, batch_size, seed = case.args
    problem = _history_problem(got, epochs)
    if problem:
        return problem
    if _unchanged(got["params"], calls.param_values(params0)):
        return _("train left the caller's params unchanged: update them in place, through "
                 "sgd_step(params, grads, lr) (which must itself work in place), rather than "
                 "rebinding params to a new dict")
    if not all(np.all(np.isfinite(got["params"][k])) for k in NAMES):
        return _("after train, params hold nan or inf (is each step a descent step, "
                 "p - lr * dp?)")
    if "seconds" in got:
        return _retrain_problem(got, expected, case)
    if "params_again" in got:
        return _minibatch_problem(got, expected, case)
    return _full_batch_problem(got, expected, case)


def _full_batch_problem(got, expected, case):
    epochs = case.args[5]
    problem = difference(got["params"], expected["params"], rtol=1e-4,
                         path=N_("params after training"))
    if problem:
        return _("{problem}. With batch_size = m every epoch is one gradient step on the whole "
                 "set, so the result does not depend on the order: check the step "
                 "(p - lr * dp, with your backward's gradient including lam), the number of "
                 "steps (one per minibatch, {epochs} epochs) and that each epoch visits every "
                 "sample exactly once (a permutation, not draws with replacement)").format(
            problem=problem, epochs=epochs)
    hist, ref = got["history"], expected["history"]
    for key, what in (("loss", "J"), ("acc", N_("the training accuracy"))):
        if not np.allclose(hist[key], ref[key], rtol=1e-4, atol=1e-9):
            if epochs > 1 and np.allclose(hist[key][1:], ref[key][:-1], rtol=1e-4, atol=1e-9):
                return _("history[{key}] = {values} is one epoch late: record {what} AFTER the "
                         "epoch's updates, on the whole training set").format(
                    key=repr(key), values=np.round(hist[key], 5), what=_(what))
            return _("history[{key}] = {values} is wrong: after each epoch, record {what} on "
                     "the whole training set (with lam)").format(
                key=repr(key), values=np.round(hist[key], 5), what=_(what))
    return None


def _minibatch_problem(got, expected, case):
    _params0, X, y, lam, lr, epochs, batch_size, seed = case.args
    hist = got["history"]
    J = R.loss(got["params"], X, y, lam)
    acc = R.accuracy(R.predict(got["params"], X), y)
    if not np.isclose(hist["loss"][-1], J, rtol=1e-5, atol=1e-9):
        return _("history['loss'][-1] is {last:.6g}, but J at the trained params is {J:.6g}: "
                 "after each epoch, record loss(params, X, y, lam) on the whole training set "
                 "(not the last minibatch's loss, nor an average over the epoch's "
                 "batches)").format(last=hist["loss"][-1], J=J)
    if not np.isclose(hist["acc"][-1], acc, rtol=1e-9, atol=1e-9):
        return _("history['acc'][-1] is {last:.6g}, but the accuracy of the trained params on "
                 "the training set is {acc:.6g}: after each epoch, record the accuracy of "
                 "predict(params, X) on all of X").format(last=hist["acc"][-1], acc=acc)
    if not _close(got["params_again"], got["params"], rtol=1e-9):
        return _("two runs with the same seed ({seed}) gave different params. Likely mistake: "
                 "{mistake}").format(seed=seed, mistake=_(GLOBAL_RNG))
    if _close(got["params_other_seed"], got["params"], rtol=1e-9):
        return _("seeds {seed} and {other} gave exactly the same params: the order of the "
                 "samples should depend on the seed. Draw a new order each epoch from the "
                 "generator: order = rng.permutation(m)").format(seed=seed, other=seed + 1)
    if not hist["loss"][-1] < hist["loss"][0]:
        return _("the loss did not fall: history['loss'] = {loss} (lr = {lr}, an easy "
                 "problem)").format(loss=np.round(hist["loss"], 4), lr=lr)
    J_ref = float(expected["history"]["loss"][-1])
    if J > J_RATIO * J_ref:
        return _("after training J is {J:.4g}, more than {ratio:g} times what the reference "
                 "reaches with these settings: does each epoch step through ALL the minibatches "
                 "of the shuffled order (order[i:i + batch_size] for i = 0, batch_size, "
                 "2 batch_size, ...)?").format(J=J, ratio=J_RATIO)
    return None


def _retrain_problem(got, expected, case):
    d = _digits()
    seconds, ref_seconds = float(got["seconds"]), float(expected["seconds"])
    budget = max(TIME_FLOOR, TIME_FACTOR * ref_seconds)
    if seconds > budget:
        return _("training took {seconds:.0f} s; the budget is {budget:.0f} s (the reference "
                 "takes {reference:.1f} s here). Vectorise the minibatch: no loop over the "
                 "samples of a batch, no recomputation of the whole set inside the batch "
                 "loop").format(seconds=seconds, budget=budget, reference=ref_seconds)
    test_acc = R.accuracy(R.predict(got["params"], d.X_test), d.y_test)
    threshold = RETRAIN_THRESHOLD
    if test_acc < threshold:
        return _("after training, the test accuracy is {accuracy:.1%}; it should reach "
                 "{threshold:.0%} (correct implementations reach 92-93.5 % with these settings). "
                 "Your history['loss'] was {loss}").format(
            accuracy=test_acc, threshold=threshold, loss=np.round(got["history"]["loss"], 4))
    return None


def _train_variant(*, lam_scale="batch", shuffle="permutation", batches="all",
                   record="after", in_place=True):
    """The reference's minibatch SGD, with one thing changed."""
    def train(params, X, y, lam, lr, epochs, batch_size, seed):
        if X.shape[0] > BIG:
            raise RuntimeError("known mistakes are compared on the small problems only")
        m = X.shape[0]
        rng = np.random.default_rng(seed)
        p = {k: v.copy() for k, v in params.items()} if not in_place else params
        history = {"loss": [], "acc": []}
        for _epoch in range(epochs):
            if record == "before":
                history["loss"].append(R.loss(p, X, y, lam))
                history["acc"].append(R.accuracy(R.predict(p, X), y))
            order = {"permutation": lambda: rng.permutation(m), "none": lambda: np.arange(m),
                     "global": lambda: np.random.permutation(m)}[shuffle]()
            for start in range(0, m, batch_size):
                idx = order[:batch_size] if batches == "same" else order[start:start + batch_size]
                lam_b = lam * len(idx) / m
                _unused, cache = R.forward(p, X[idx])
                grads = R.backward(p, cache, X[idx], y[idx], lam_b if lam_scale == "batch" else 0.0)
                if record == "last batch":  # the batch's own loss, before its step
                    batch_loss = R.loss(p, X[idx], y[idx], lam_b)
                    batch_acc = R.accuracy(np.argmax(cache["P"], axis=1), y[idx])
                for k in NAMES:
                    p[k] = p[k] - lr * grads[k]
            if record == "after":
                history["loss"].append(R.loss(p, X, y, lam))
                history["acc"].append(R.accuracy(R.predict(p, X), y))
            elif record == "last batch":
                history["loss"].append(batch_loss)
                history["acc"].append(batch_acc)
        return history
    return train


TRAIN_MISTAKES = {
    N_("lam not passed to backward (the steps leave out the L2 gradient)"):
        _train_variant(lam_scale="none"),
    N_("the history recorded before each epoch's updates (one epoch late)"):
        _train_variant(record="before"),
    LAST_BATCH: _train_variant(record="last batch"),
    NO_SHUFFLE: _train_variant(shuffle="none"),
    N_("the same minibatch at every step (the slice does not move along the shuffled order)"):
        _train_variant(batches="same"),
    GLOBAL_RNG: _train_variant(shuffle="global"),
    NOT_IN_PLACE: _train_variant(in_place=False),
}


# ------------------------------------------------------------------------- steps_per_epoch
M_TRAIN = 5833  # 7,291 training images, 20 % held out for validation (course.training)
STEPS = {"batch_64": -(-M_TRAIN // 64), "batch_1": M_TRAIN, "batch_5833": 1}
STEPS_MISTAKES = {
    N_("the last, smaller minibatch left out (5833 // 64 rounds down): it still costs a step"):
        dict(STEPS, batch_64=M_TRAIN // 64),
    N_("a fraction of a step (5833 / 64): the last minibatch is a whole step"):
        dict(STEPS, batch_64=M_TRAIN / 64),
    N_("counted for all 7,291 training images: 20 % of them are held out for validation"):
        {"batch_64": -(-7291 // 64), "batch_1": 7291, "batch_5833": 2},
}


# ------------------------------------------------------------------------------- test_once
TEST_ONCE = 1
TEST_ONCE_MISTAKES = {
    N_("2: the best of several validation accuracies is the maximum of noisy numbers, so it "
       "leans high; the test set, untouched by the choice, is what stays unbiased"): 2,
    N_("3: choosing on the test set makes the test accuracy the maximum of noisy numbers too, "
       "so it leans high and nothing unbiased is left"): 3,
    N_("4: picking the epoch to stop at by the test accuracy is a choice made with the test "
       "set as well"): 4,
}


GRADED = [
    question("steps_per_epoch", STEPS, STEPS_MISTAKES),
    Graded("sgd_step", R.sgd_step, step_cases, STEP_MISTAKES, compare=step_compare,
           changes_args=(0,)),
    Graded("predict", R.predict, predict_cases, PREDICT_MISTAKES),
    Graded("accuracy", R.accuracy, accuracy_cases, ACCURACY_MISTAKES),
    # train's cases call the instructor's forward, backward and sgd_step about 3,600 times across
    # the sandbox's wire: 3-4 s on a quiet two-core machine, several times that on a busy one
    Graded("train", R.train, train_cases, TRAIN_MISTAKES, compare=train_compare, changes_args=(0,),
           time_limit=120.0),
    question("test_once", TEST_ONCE, TEST_ONCE_MISTAKES),
]
