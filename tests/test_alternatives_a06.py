"""06_train_digits: correct answers written differently pass both the public checks and the hidden
grade (the USPS retrain included); realistic wrong answers fail the public checks with a message
that says what is wrong; the training widgets survive unwritten functions."""
import copy
import time

import numpy as np
import pytest

from course import exercises as ex
from course import widgets
from instructor import grading
from instructor import reference as R

NAMES = ("W1", "b1", "W2", "b2")


# ------------------------------------------------------- a student's own 05 functions
def forward(params, X):
    Z1 = np.asarray(X) @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ params["W2"] + params["b2"]
    E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    return P, {"Z1": Z1, "A1": A1, "Z2": Z2, "P": P}


def loss(params, X, y, lam):
    P, _ = forward(params, X)
    m = len(y)
    ce = -np.log(P[np.arange(m), np.asarray(y, dtype=int)]).mean()
    return float(ce + lam / (2 * m) * sum(np.sum(params[k] ** 2) for k in ("W1", "W2")))


def backward(params, cache, X, y, lam):
    m = X.shape[0]
    dZ2 = cache["P"] - np.eye(cache["P"].shape[1])[np.asarray(y, dtype=int)]
    dZ2 = dZ2 / m
    dZ1 = (dZ2 @ params["W2"].T) * (cache["Z1"] > 0)
    return {"W1": X.T @ dZ1 + lam / m * params["W1"], "b1": dZ1.sum(0),
            "W2": cache["A1"].T @ dZ2 + lam / m * params["W2"], "b2": dZ2.sum(0),
            "X": dZ1 @ params["W1"].T}


def _predict(params, X):
    return forward(params, X)[0].argmax(axis=1)


def _accuracy(y_pred, y):
    return float(np.mean(np.asarray(y_pred) == np.asarray(y)))


def _step(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
    return params


def _record(history, params, X, y, lam):
    history["loss"].append(loss(params, X, y, lam))
    history["acc"].append(_accuracy(_predict(params, X), y))


# ------------------------------------------------------------------------------ sgd_step
def step_update_dict(params, grads, lr):
    params.update({k: params[k] - lr * grads[k] for k in params})
    return params


def step_np_subtract_out(params, grads, lr):
    for k in ("W1", "b1", "W2", "b2"):
        np.subtract(params[k], lr * np.asarray(grads[k]), out=params[k])
    return params


def step_items(params, grads, lr):
    for name, value in params.items():
        value -= lr * grads[name]
    return params


# ------------------------------------------------------------------------------- predict
def predict_logits(params, X):  # softmax is increasing: argmax of Z = argmax of P
    return forward(params, X)[1]["Z2"].argmax(-1)


def predict_list(params, X):
    P, _ = forward(params, X)
    return [int(np.argmax(row)) for row in P]


def predict_float32(params, X):
    f = {k: np.asarray(v, dtype=np.float32) for k, v in params.items()}
    return np.argmax(forward(f, np.asarray(X, dtype=np.float32))[0], axis=1)


# ------------------------------------------------------------------------------ accuracy
def accuracy_loop(y_pred, y):
    return sum(int(p == t) for p, t in zip(y_pred, y)) / len(y)


def accuracy_count_nonzero(y_pred, y):
    return np.count_nonzero(np.equal(y_pred, y)) / np.size(y)  # a numpy float


def accuracy_ravel(y_pred, y):
    return (np.ravel(y_pred).astype(int) == np.ravel(y).astype(int)).mean()


# --------------------------------------------------------------------------------- train
def _batches(order, batch_size):
    return [order[s:s + batch_size] for s in range(0, len(order), batch_size)]


def train_plain(params, X, y, lam, lr, epochs, batch_size, seed):
    m = X.shape[0]
    rng = np.random.default_rng(seed)
    history = {"loss": [], "acc": []}
    for _ in range(epochs):
        for idx in _batches(rng.permutation(m), batch_size):
            _, cache = forward(params, X[idx])
            _step(params, backward(params, cache, X[idx], y[idx], lam * len(idx) / m), lr)
        _record(history, params, X, y, lam)
    return history


def train_shuffle_in_place(params, X, y, lam, lr, epochs, batch_size, seed):
    m = X.shape[0]
    rng = np.random.default_rng(seed)
    idx_all = np.arange(m)
    history = {"loss": [], "acc": []}
    for _ in range(epochs):
        rng.shuffle(idx_all)
        for idx in _batches(idx_all, batch_size):
            _, cache = forward(params, X[idx])
            _step(params, backward(params, cache, X[idx], y[idx], lam * len(idx) / m), lr)
        _record(history, params, X, y, lam)
    return history


def train_lam_unscaled(params, X, y, lam, lr, epochs, batch_size, seed):
    """lam passed to every minibatch as it is (the other convention: accepted)."""
    m = X.shape[0]
    rng = np.random.default_rng(seed)
    history = {"loss": [], "acc": []}
    for _ in range(epochs):
        for idx in _batches(rng.permutation(m), batch_size):
            _, cache = forward(params, X[idx])
            _step(params, backward(params, cache, X[idx], y[idx], lam), lr)
        _record(history, params, X, y, lam)
    return history


def train_drop_last(params, X, y, lam, lr, epochs, batch_size, seed):
    m = X.shape[0]
    rng = np.random.default_rng(seed)
    history = {"loss": [], "acc": []}
    for _ in range(epochs):
        order = rng.permutation(m)
        for b in range(max(1, m // batch_size)):
            idx = order[b * batch_size:(b + 1) * batch_size]
            _, cache = forward(params, X[idx])
            _step(params, backward(params, cache, X[idx], y[idx], lam * len(idx) / m), lr)
        _record(history, params, X, y, lam)
    return history


def train_array_split(params, X, y, lam, lr, epochs, batch_size, seed):
    m = X.shape[0]
    rng = np.random.default_rng(seed)
    history = {"loss": [], "acc": []}
    for _ in range(epochs):
        for idx in np.array_split(rng.permutation(m), int(np.ceil(m / batch_size))):
            _, cache = forward(params, X[idx])
            _step(params, backward(params, cache, X[idx], y[idx], lam * len(idx) / m), lr)
        _record(history, params, X, y, lam)
    return history


def train_float32(params, X, y, lam, lr, epochs, batch_size, seed):
    """X in float32 (the products come out in float64: the weights are float64)."""
    X32 = np.asarray(X, dtype=np.float32)
    m = X.shape[0]
    rng = np.random.default_rng(seed)
    history = {"loss": [], "acc": []}
    for _ in range(epochs):
        for idx in _batches(rng.permutation(m), batch_size):
            _, cache = forward(params, X32[idx])
            _step(params, backward(params, cache, X32[idx], y[idx], lam * len(idx) / m), lr)
        _record(history, params, X32, y, lam)
    return history


def train_while_arrays(params, X, y, lam, lr, epochs, batch_size, seed):
    """while loops, the reference's functions for the pieces, history as numpy arrays."""
    m = X.shape[0]
    rng = np.random.default_rng(seed)
    losses, accs = np.zeros(0), np.zeros(0)
    epoch = 0
    while epoch < epochs:
        order = rng.permutation(m)
        start = 0
        while start < m:
            idx = order[start:start + batch_size]
            _, cache = R.forward(params, X[idx])
            R.sgd_step(params, R.backward(params, cache, X[idx], y[idx], lam * len(idx) / m), lr)
            start += batch_size
        losses = np.append(losses, R.loss(params, X, y, lam))
        accs = np.append(accs, R.accuracy(R.predict(params, X), y))
        epoch += 1
    return {"loss": losses, "acc": accs, "time": list(range(epochs))}  # an extra key


def train_reseeded(params, X, y, lam, lr, epochs, batch_size, seed):
    """A generator made afresh each epoch: the same order every epoch (weaker, but accepted)."""
    m = X.shape[0]
    history = {"loss": [], "acc": []}
    for _ in range(epochs):
        order = np.random.default_rng(seed).permutation(m)
        for idx in _batches(order, batch_size):
            _, cache = forward(params, X[idx])
            _step(params, backward(params, cache, X[idx], y[idx], lam * len(idx) / m), lr)
        _record(history, params, X, y, lam)
    return history


def train_per_sample(params, X, y, lam, lr, epochs, batch_size, seed):
    """The batch gradient as the mean of per-sample gradients, one sample at a time: correct,
    but not vectorised over the batch. It must still fit in the time budget."""
    m = X.shape[0]
    rng = np.random.default_rng(seed)
    history = {"loss": [], "acc": []}
    for _ in range(epochs):
        for idx in _batches(rng.permutation(m), batch_size):
            total = {k: np.zeros_like(params[k]) for k in NAMES}
            for i in idx:
                _, cache = forward(params, X[i:i + 1])
                g = backward(params, cache, X[i:i + 1], y[i:i + 1], 0.0)
                for k in NAMES:
                    total[k] += g[k]
            grads = {k: total[k] / len(idx) for k in NAMES}
            grads["W1"] = grads["W1"] + lam / m * params["W1"]
            grads["W2"] = grads["W2"] + lam / m * params["W2"]
            _step(params, grads, lr)
        _record(history, params, X, y, lam)
    return history


# ------------------------------------------------------------ the questions, answered
def steps_computed():
    m = 5833
    return {"batch_64": -(-m // 64), "batch_1": m, "batch_5833": m // 5833}


def steps_numpy_numbers():
    return {"batch_1": 5833.0, "batch_64": np.int64(92), "batch_5833": np.ceil(5833 / 5833)}


def statement_as_int():
    return 1


def statement_as_float():
    return 1.0


ALTERNATIVES = {
    "steps_per_epoch": [steps_computed, steps_numpy_numbers],
    "test_once": [statement_as_int, statement_as_float],
    "sgd_step": [step_update_dict, step_np_subtract_out, step_items, _step],
    "predict": [predict_logits, predict_list, predict_float32, _predict],
    "accuracy": [accuracy_loop, accuracy_count_nonzero, accuracy_ravel, _accuracy],
    "train": [train_plain, train_shuffle_in_place, train_lam_unscaled, train_drop_last,
              train_array_split, train_float32, train_while_arrays, train_reseeded,
              train_per_sample],
}


@pytest.mark.parametrize("name,fn", [(n, f) for n, fs in ALTERNATIVES.items() for f in fs],
                         ids=lambda v: getattr(v, "__name__", v))
def test_correct_alternative_passes(name, fn):
    assert ex.all_exercises()[name].check(fn, quiet=True)
    assert grading.grade(name, fn)


# ------------------------------------------------------------- wrong answers, public checks
def step_ascent(params, grads, lr):
    for k in params:
        params[k] += lr * grads[k]
    return params


def step_copy(params, grads, lr):
    return {k: params[k] - lr * grads[k] for k in params}


def step_over_grads(params, grads, lr):
    for k in grads:
        params[k] = params.get(k, 0) - lr * grads[k]
    return params


def _train_with(params, X, y, lam, lr, epochs, batch_size, seed, lam_b=None, record="after",
                same_batch=False, rng_kind="default"):
    m = X.shape[0]
    rng = np.random.default_rng(seed)
    history = {"loss": [], "acc": []}
    for _ in range(epochs):
        order = rng.permutation(m) if rng_kind == "default" else np.random.permutation(m)
        for idx in _batches(order, batch_size):
            if same_batch:
                idx = order[:batch_size]
            _, cache = forward(params, X[idx])
            lb = lam * len(idx) / m if lam_b is None else lam_b(len(idx), m)
            batch = (loss(params, X[idx], y[idx], lb), _accuracy(cache["P"].argmax(1), y[idx]))
            _step(params, backward(params, cache, X[idx], y[idx], lb), lr)
        if record == "after":
            _record(history, params, X, y, lam)
        else:
            history["loss"].append(batch[0])
            history["acc"].append(batch[1])
    return history


def train_no_lam(*args):
    return _train_with(*args, lam_b=lambda b, m: 0.0)


def train_last_batch(*args):
    return _train_with(*args, record="last batch")


def train_same_batch(*args):
    return _train_with(*args, same_batch=True)


def train_global_rng(*args):
    return _train_with(*args, rng_kind="global")


def train_rebinds(params, X, y, lam, lr, epochs, batch_size, seed):
    params = copy.deepcopy(params)
    return train_plain(params, X, y, lam, lr, epochs, batch_size, seed)


WRONG = [
    ("steps_per_epoch", lambda: {"batch_64": 5833 // 64, "batch_1": 5833, "batch_5833": 1},
     "Likely mistake: the last, smaller minibatch left out"),
    ("steps_per_epoch", lambda: {"batch_64": 5833 / 64, "batch_1": 5833, "batch_5833": 1},
     "Likely mistake: a fraction of a step"),
    ("steps_per_epoch", lambda: {"batch_64": 92, "batch_1": 5833}, "with the keys"),
    ("steps_per_epoch", lambda: {"batch_64": 92.5, "batch_1": 5833, "batch_5833": 1},
     "a whole number"),
    ("steps_per_epoch", {"batch_64": 92, "batch_1": 5833, "batch_5833": 1},
     "def steps_per_epoch(): return ..."),
    ("test_once", lambda: 2, "Likely mistake: 2: the best of several validation accuracies"),
    ("test_once", lambda: "1", "the number of one statement"),
    ("test_once", lambda: 5, "1, 2, 3 or 4, got 5"),
    ("sgd_step", step_ascent, "UP the gradient"),
    ("sgd_step", step_copy, "IN PLACE"),
    ("sgd_step", step_over_grads, "'X'"),
    ("predict", lambda params, X: forward(params, X)[0].argmax(axis=0), "axis"),
    ("predict", lambda params, X: forward(params, X)[0], "probabilities"),
    ("accuracy", lambda y_pred, y: np.sum(np.asarray(y_pred) == np.asarray(y)), "number of correct"),
    ("accuracy", lambda y_pred, y: float(np.mean(y_pred == y)), "np.asarray"),
    ("train", train_no_lam, "ignore lam"),
    ("train", train_last_batch, "one epoch late"),
    ("train", train_same_batch, "ALL its minibatches"),
    ("train", train_global_rng, "np.random.default_rng(seed)"),
    ("train", train_rebinds, "in place"),
]


@pytest.mark.parametrize("name,fn,words", WRONG,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(WRONG)])
def test_wrong_answer_fails_public_check_with_a_clear_message(name, fn, words):
    with pytest.raises(ex.CheckFailed) as err:
        ex.all_exercises()[name].check(fn, quiet=True)
    assert words in str(err.value), str(err.value)
    with pytest.raises(grading.HiddenTestFailed):
        grading.grade(name, fn)


def test_last_batch_loss_is_caught_on_minibatches_too():
    """With minibatches the last batch's loss is not simply one epoch late: the lr = 0 probe
    (public) and J at the trained params (hidden) catch it."""
    from course.exercises.a06_train_digits import _train_minibatches

    with pytest.raises(ex.CheckFailed, match="WHOLE training set"):
        _train_minibatches(train_last_batch)
    graded = grading.registry()["train"]
    index, case = next((i, c) for i, c in enumerate(graded.make_cases())
                       if c.label.startswith("minibatches of 8"))
    got, _ = grading.run_case(graded, train_last_batch, case)
    message, _ = grading.judge(graded, index, got)
    assert "whole training set" in message


# ---------------------------------------------------------------------- the USPS retrain
def test_retrain_case_uses_usps_settings_and_a_relative_time_budget():
    from instructor.grading import a06_train_digits as G

    graded = grading.registry()["train"]
    case = graded.make_cases()[-1]
    assert case.label.startswith("retrain on")
    assert case.args[3:] == (G.RETRAIN["lam"], G.RETRAIN["lr"], G.RETRAIN["epochs"],
                             G.RETRAIN["batch_size"], G.RETRAIN["seed"])
    got, _ = grading.run_case(graded, train_plain, case)
    expected = graded.expected(len(graded.make_cases()) - 1)
    assert G.train_compare(got, expected, case) is None
    slow = dict(got, seconds=np.array(G.TIME_FLOOR + 1 + G.TIME_FACTOR * expected["seconds"]))
    assert "budget" in G.train_compare(slow, expected, case)
    # An untrained network is far below the threshold.
    barely = dict(got, params={k: np.asarray(v, float) + 1e-9 for k, v in case.args[0].items()})
    assert "test accuracy" in G.train_compare(barely, expected, case)


# ----------------------------------------------------------------------------- widgets
def _stub(*args):
    raise NotImplementedError()


def _split():
    from course.training import split_validation
    from instructor.grading.a06_train_digits import _digits

    return split_validation(_digits().X_train, _digits().y_train)


def test_the_library_split_holds_out_a_fifth_of_the_training_images_the_same_every_time():
    from course.training import split_validation
    from instructor.grading.a06_train_digits import _digits

    d = _digits()
    X_tr, y_tr, X_val, y_val = split_validation(d.X_train, d.y_train)
    assert all(np.array_equal(a, b) for a, b in zip((X_tr, y_tr, X_val, y_val), _split()))
    assert len(y_tr) == 5833 and len(y_val) == 1458
    assert len({r.tobytes() for r in X_tr} & {r.tobytes() for r in X_val}) <= 5  # duplicates only


def test_training_run_with_unwritten_functions_says_so(capsys):
    X, y, X_val, y_val = _split()
    assert widgets.training_run(_stub, _stub, _stub, X, y, X_val, y_val, epochs=1) is None
    assert "Implement `_stub`" in capsys.readouterr().out

    def wrapper(params, X, y, lam, lr, epochs, batch_size, seed):  # a given wrapper: names train
        return _stub(params, X, y, lam, lr, epochs, batch_size, seed)

    assert widgets.training_run(wrapper, _stub, _stub, X, y, X_val, y_val, epochs=1) is None
    assert "Implement `_stub`" in capsys.readouterr().out
    run = widgets.training_run(R.train, _stub, _stub, X[:300], y[:300], X_val, y_val, epochs=1,
                               hidden=16)
    assert run is not None and run["val_acc"] is None and run["y_pred"] is None
    assert widgets.training_run_figure(run) is not None


def test_training_run_reports_progress_and_validation_per_epoch():
    X, y, X_val, y_val = _split()
    seen = []
    run = widgets.training_run(R.train, R.predict, R.accuracy, X[:1000], y[:1000], X_val, y_val,
                               lam=1.0, lr=0.2, epochs=3, batch_size=32, hidden=32,
                               progress=lambda e, n, r: seen.append((e, n, r["val_acc"])),
                               verbose=False)
    assert [e for e, _, _ in seen] == [1, 2, 3] and all(n == 3 for _, n, _ in seen)
    assert len(run["history"]["val_acc"]) == 3 and run["val_acc"] == seen[-1][2]
    assert 0.6 < run["val_acc"] <= 1
    fig = widgets.training_run_figure(run)
    labels = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert "validation" in labels
    ticks = fig.axes[0].get_xticks()
    assert np.allclose(ticks, np.round(ticks)), "epochs are whole numbers"
    summary = widgets.training_summary(run)
    assert "validation accuracy" in summary and "test" not in summary
    assert all(len(line) <= 90 for line in summary.splitlines()), "a line would wrap"


def test_dashboard_builds_and_trains_even_with_stubs():
    X, y, X_val, y_val = _split()
    for fns in ((_stub, _stub, _stub), (R.train, R.predict, R.accuracy)):
        box = widgets.training_dashboard(*fns, X, y, X_val, y_val)
        button, bar, status = box.children[2].children
        controls = box.children[1].children
        controls[0].children[2].value = 1   # one epoch
        controls[1].children[1].value = 16  # 16 hidden units
        start = time.perf_counter()
        button.click()  # must not raise
        assert time.perf_counter() - start < 60
        assert not button.disabled
        if fns[0] is R.train:
            assert bar.value == bar.max == 1 and "validation accuracy" in status.value
