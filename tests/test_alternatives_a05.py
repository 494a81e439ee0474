"""05_backprop: correct answers written differently pass both the public checks and the hidden
grade; realistic wrong answers fail the public checks with a message naming the mistake."""
import numpy as np
import pytest

from course import exercises as ex
from instructor import grading


def _softmax(Z2):
    S = Z2 - Z2.max(axis=1, keepdims=True)
    E = np.exp(S)
    return E / E.sum(axis=1, keepdims=True)


def _log_softmax(Z2):
    S = Z2 - Z2.max(axis=1, keepdims=True)
    return S - np.log(np.exp(S).sum(axis=1, keepdims=True))


# ---------------------------------------------------------------------------------- forward
def forward_plain(params, X):
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ params["W2"] + params["b2"]
    P = _softmax(Z2)
    return P, {"Z1": Z1, "A1": A1, "Z2": Z2, "P": P}


def forward_einsum_list(params, X):
    Z1 = np.einsum("mn,nh->mh", X, params["W1"]) + params["b1"][None, :]
    A1 = Z1 * (Z1 > 0)
    Z2 = np.einsum("mh,hk->mk", A1, params["W2"]) + params["b2"]
    P = np.exp(_log_softmax(Z2))
    return [P, {"P": P, "Z2": Z2, "A1": A1, "Z1": Z1, "extra": 1}]  # a list, and an extra key


def forward_loops(params, X):
    X = np.asarray(X, dtype=float)
    m = X.shape[0]
    H, K = params["W2"].shape
    Z1, A1, Z2, P = np.zeros((m, H)), np.zeros((m, H)), np.zeros((m, K)), np.zeros((m, K))
    for i in range(m):
        Z1[i] = params["W1"].T @ X[i] + params["b1"]      # the seeds' column form, row by row
        A1[i] = np.where(Z1[i] > 0, Z1[i], 0.0)
        Z2[i] = params["W2"].T @ A1[i] + params["b2"]
        e = np.exp(Z2[i] - Z2[i].max())
        P[i] = e / e.sum()
    return P, {"Z1": Z1, "A1": A1, "Z2": Z2, "P": P}


def forward_float32(params, X):
    f = {k: np.asarray(v, dtype=np.float32) for k, v in params.items()}
    return forward_plain(f, np.asarray(X, dtype=np.float32))


# ------------------------------------------------------------------------------------- loss
def loss_via_P(params, X, y, lam):
    P, _ = forward_plain(params, X)
    m = X.shape[0]
    y = np.asarray(y)
    data = -np.mean(np.log(P[np.arange(m), y]))
    return data + lam / (2 * m) * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))


def loss_one_hot(params, X, y, lam):
    P, cache = forward_einsum_list(params, X)
    m, K = P.shape
    Y = np.eye(K)[y]
    data = -np.sum(Y * _log_softmax(cache["Z2"])) / m
    pen = sum(np.einsum("ij,ij->", params[k], params[k]) for k in ("W1", "W2"))
    return np.float64(data + 0.5 * lam * pen / m)


def loss_loops(params, X, y, lam):
    P, _ = forward_loops(params, X)
    total = 0.0
    for i, label in enumerate(y):
        total -= np.log(P[i, label])
    m = len(y)
    sq = sum(float(w) ** 2 for k in ("W1", "W2") for w in np.ravel(params[k]))
    return total / m + lam * sq / (2 * m)


# --------------------------------------------------------------------------------- backward
def backward_plain(params, cache, X, y, lam):
    m = X.shape[0]
    dZ2 = (cache["P"] - np.eye(cache["P"].shape[1])[y]) / m
    dA1 = dZ2 @ params["W2"].T
    dZ1 = dA1 * (cache["Z1"] > 0)
    return {"W1": X.T @ dZ1 + lam / m * params["W1"], "b1": dZ1.sum(axis=0),
            "W2": cache["A1"].T @ dZ2 + lam / m * params["W2"], "b2": dZ2.sum(axis=0),
            "X": dZ1 @ params["W1"].T}


def backward_no_dx_mask_from_A1(params, cache, X, y, lam):
    m = X.shape[0]
    P = _softmax(cache["Z2"])                     # recomputed from Z2 instead of cache["P"]
    Y = np.zeros_like(P)
    Y[np.arange(m), y] = 1
    E = P - Y                                    # the 1/m applied at the end instead
    dZ1 = np.where(cache["A1"] > 0, E @ params["W2"].T, 0.0)   # [A1 > 0] is [Z1 > 0]
    return {"W1": (X.T @ dZ1 + lam * params["W1"]) / m, "b1": dZ1.mean(axis=0),
            "W2": (cache["A1"].T @ E + lam * params["W2"]) / m, "b2": E.mean(axis=0)}


def backward_einsum(params, cache, X, y, lam):
    m = X.shape[0]
    dZ2 = (cache["P"] - np.eye(cache["P"].shape[1])[np.asarray(y)]) / m
    dZ1 = np.einsum("mk,hk->mh", dZ2, params["W2"]) * np.heaviside(cache["Z1"], 0.0)
    return {"W2": np.einsum("mh,mk->hk", cache["A1"], dZ2) + (lam / m) * params["W2"],
            "b2": np.einsum("mk->k", dZ2),
            "W1": np.einsum("mn,mh->nh", X, dZ1) + (lam / m) * params["W1"],
            "b1": np.einsum("mh->h", dZ1)}


def backward_per_sample(params, cache, X, y, lam):
    """The seeds' column-vector form, one sample at a time, summed."""
    X = np.asarray(X, dtype=float)
    m = X.shape[0]
    g = {k: np.zeros_like(v, dtype=float) for k, v in params.items()}
    for i in range(m):
        delta1 = cache["P"][i].copy()
        delta1[y[i]] -= 1.0                                  # y_hat - y, shape (K,)
        dz = (params["W2"] @ delta1) * (cache["Z1"][i] > 0)   # delta1 U, masked, shape (H,)
        g["W2"] += np.outer(cache["A1"][i], delta1) / m
        g["b2"] += delta1 / m
        g["W1"] += np.outer(X[i], dz) / m
        g["b1"] += dz / m
    g["W1"] += lam / m * params["W1"]
    g["W2"] += lam / m * params["W2"]
    return g


def backward_float32(params, cache, X, y, lam):
    f = {k: np.asarray(v, dtype=np.float32) for k, v in params.items()}
    c = {k: np.asarray(v, dtype=np.float32) for k, v in cache.items()}
    return backward_plain(f, c, np.asarray(X, dtype=np.float32), y, np.float32(lam))


# ----------------------------------------------------------------------- numerical_gradient
def numgrad_ndindex(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


def numgrad_nditer(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        saved = float(x[i])
        x[i] = saved + h
        up = float(f(x))
        x[i] = saved - h
        down = float(f(x))
        x[i] = saved
        grad[i] = (up - down) / h / 2
        it.iternext()
    return grad


def numgrad_flat(f, x, h=1e-5):
    grad = np.zeros(x.size)
    for k in range(x.size):
        old = x.flat[k]
        x.flat[k] = old + h
        a = f(x)
        x.flat[k] = old - h
        b = f(x)
        x.flat[k] = old
        grad[k] = (a - b) / (2 * h)
    return grad.reshape(x.shape)


# ------------------------------------------------------------- the source's slips: dW2, db1
def dw2_einsum(E, A1):
    return np.einsum("mh,mk->hk", A1, E) / E.shape[0]


def dw2_transposed_back(E, A1):
    return (E.T @ A1).T / len(E)


def dw2_loop(E, A1):
    out = np.zeros((A1.shape[1], E.shape[1]))
    for i in range(E.shape[0]):
        out += np.outer(A1[i], E[i])
    return out / E.shape[0]


def dw2_float32(E, A1):
    return np.asarray(A1, np.float32).T @ np.asarray(E, np.float32) / np.float32(E.shape[0])


def db1_mean(G, X):
    return G.mean(axis=0)


def db1_sum_over_X_rows(G, X):
    return np.sum(G, axis=0) / X.shape[0]


def db1_loop_list(G, X):
    m, H = G.shape
    return [sum(G[i, j] for i in range(m)) / m for j in range(H)]


# --------------------------------------------------------------- composed from the layers
from instructor.reference import (affine_backward, affine_forward, l2_grad, l2_penalty,  # noqa: E402
                                  relu_backward, relu_forward, softmax,
                                  softmax_cross_entropy_backward)


def forward_composed(params, X):
    Z1 = affine_forward(X, params["W1"], params["b1"])
    A1 = relu_forward(Z1)
    Z2 = affine_forward(A1, params["W2"], params["b2"])
    return softmax(Z2), {"Z1": Z1, "A1": A1, "Z2": Z2, "P": softmax(Z2)}


def loss_composed(params, X, y, lam):
    P, _ = forward_composed(params, X)
    m = len(y)
    return float(-np.log(P[np.arange(m), np.asarray(y)]).mean() + l2_penalty(params, lam, m))


def backward_composed(params, cache, X, y, lam):
    """The layers, right to left, with dX under "X"."""
    m = np.shape(X)[0]
    dA1, dW2, db2 = affine_backward(softmax_cross_entropy_backward(cache["Z2"], y), cache["A1"],
                                    params["W2"])
    dX, dW1, db1 = affine_backward(relu_backward(dA1, cache["Z1"]), X, params["W1"])
    return {"W1": dW1 + l2_grad(params["W1"], lam, m), "b1": db1,
            "W2": dW2 + l2_grad(params["W2"], lam, m), "b2": db2, "X": dX}


# ------------------------------------------------------------ the questions, answered
def hand_typed():
    return {"dA1": np.array([[1.5, -1.0, -1.0, 1.0]]), "dZ1": np.array([[1.5, 0.0, -1.0, 0.0]])}


def hand_lists_extra_key():
    return {"dZ1": [[1.5, 0, -1, 0]], "dA1": [[1.5, -1, -1, 1]], "m": 1}


def hand_float32():
    return {"dA1": np.float32([[1.5, -1, -1, 1]]), "dZ1": np.float32([[1.5, -0.0, -1, 0]])}


def hand_with_numpy():
    dZ2 = np.array([[0.5, -0.5]])
    W2 = np.array([[2, -1], [1, 3], [-2, 0], [3, 1]])
    Z1 = np.array([[1.5, 0, 0.5, -1]])
    dA1 = dZ2 @ W2.T
    return {"dA1": dA1, "dZ1": dA1 * (Z1 > 0)}


def ops_typed():
    return {"forward": 68096, "backward": 70656, "finite_differences": 9310357504}


def ops_computed_extra_key():
    n, H, K = 256, 256, 10
    forward = float(n * H + H * K)
    return {"forward": forward, "backward": np.int64(2 * H * K + n * H),
            "finite_differences": 2 * (n * H + H + H * K + K) * forward, "note": 1}


def verdicts_bools():
    return {"dW1_shape_check": True, "dW1_gradient_check": False, "db2_shape_check": False}


def verdicts_numpy_bools():
    return {"dW1_shape_check": np.bool_(True), "dW1_gradient_check": np.bool_(False),
            "db2_shape_check": np.bool_(False)}


def kink_loop(Z1, h=1e-5):
    units = []
    for j in range(Z1.shape[1]):
        if any((z + h > 0) != (z - h > 0) for z in Z1[:, j]):
            units.append(j)
    return units


def kink_interval(Z1, h=1e-5):
    """-h < Z1 <= h is where the pattern [Z1 > 0] differs between the two steps."""
    Z1 = np.asarray(Z1, dtype=float)
    return np.where(((Z1 > -h) & (Z1 <= h)).any(axis=0))[0]


ALTERNATIVES = {
    "dZ1_by_hand": [hand_typed, hand_lists_extra_key, hand_float32, hand_with_numpy],
    "op_counts": [ops_typed, ops_computed_extra_key],
    "source_verdicts": [verdicts_bools, verdicts_numpy_bools],
    "forward": [forward_plain, forward_einsum_list, forward_loops, forward_float32,
                forward_composed],
    "loss": [loss_via_P, loss_one_hot, loss_loops, loss_composed],
    "backward": [backward_plain, backward_no_dx_mask_from_A1, backward_einsum,
                 backward_per_sample, backward_float32, backward_composed],
    "numerical_gradient": [numgrad_ndindex, numgrad_nditer, numgrad_flat],
    "dW2_from": [dw2_einsum, dw2_transposed_back, dw2_loop, dw2_float32],
    "db1_from": [db1_mean, db1_sum_over_X_rows, db1_loop_list],
    "kink_units": [kink_loop, kink_interval],
}


@pytest.mark.parametrize("name,fn", [(n, f) for n, fs in ALTERNATIVES.items() for f in fs],
                         ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_correct_alternative_passes_public_and_hidden(name, fn, capsys):
    assert getattr(ex, name).check(fn)
    assert "passed" in capsys.readouterr().out
    assert grading.grade(name, fn)


# ------------------------------------------------------------------- wrong answers, named
def _backward_with(**change):
    def backward(params, cache, X, y, lam):
        m, n = X.shape
        scale = change.get("scale", 1.0 / m)
        dZ2 = (cache["P"] - np.eye(cache["P"].shape[1])[y]) * scale
        mask = cache["Z1"] >= 0 if change.get("ge") else cache["Z1"] > 0
        dZ1 = (dZ2 @ params["W2"].T) * (1.0 if change.get("nomask") else mask)
        l2 = change.get("l2", 1.0) * lam / m
        db1 = dZ1.sum(axis=0) * (m / n if change.get("over_n") else 1.0) + \
            (lam / m * params["b1"] if change.get("bias") else 0)
        return {"W1": X.T @ dZ1 + l2 * params["W1"], "b1": db1,
                "W2": (dZ2.T @ cache["A1"]) if change.get("dW2_T") else
                cache["A1"].T @ dZ2 + l2 * params["W2"],
                "b2": dZ2.sum(axis=0) + (lam / m * params["b2"] if change.get("bias") else 0)}
    return backward


def _forward_difference(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - f0) / h
        x[i] = old
    return grad


def _copy_perturbed(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        e = np.zeros(x.shape)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


def _drifting(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += h
        fp = f(x)
        x[i] -= 2 * h
        fm = f(x)
        x[i] += h
        grad[i] = (fp - fm) / (2 * h)
    return grad


def _ignores_h(f, x, h=1e-5):
    return numgrad_ndindex(f, x)


def _library_numgrad(f, x, h=1e-5):
    from course.gradcheck import numerical_gradient
    return numerical_gradient(f, x, h)


WRONG = [
    ("forward", lambda p, X: forward_plain({**p, "b1": 0 * p["b1"]}, X), "b1 left out"),
    ("forward", lambda p, X: (lambda P, c: (P, {**c, "A1": c["Z1"]}))(*forward_plain(p, X)),
     "cache['A1'] holds Z1"),
    ("forward", lambda p, X: (lambda P, c: (P, {"H1": c["Z1"], "A1": c["A1"], "Z": c["Z2"],
                                                "P": P}))(*forward_plain(p, X)),
     "missing the keys"),
    ("loss", lambda p, X, y, lam: len(y) * loss_via_P(p, X, y, 0.0), "sum of the samples"),
    ("loss", lambda p, X, y, lam: loss_via_P(p, X, y, 2 * lam), "lam/m instead of lam/(2m)"),
    ("backward", _backward_with(scale=1.0), "the 1/m is missing"),
    ("backward", _backward_with(ge=True), "[Z1 >= 0]"),
    ("backward", _backward_with(nomask=True), "no ReLU step"),
    ("backward", _backward_with(l2=2.0), "2 lam/m W"),
    ("backward", _backward_with(dW2_T=True), "transpose"),
    ("backward", _backward_with(bias=True), "penalising the biases"),
    ("backward", _backward_with(over_n=True), "divided by n"),
    ("numerical_gradient", _forward_difference, "forward difference"),
    ("numerical_gradient", _copy_perturbed, "perturb x itself"),
    ("numerical_gradient", _drifting, "x is not as it was"),
    ("numerical_gradient", _ignores_h, "h given ignored"),
    ("numerical_gradient", _library_numgrad, "write yours"),
    ("dW2_from", lambda E, A1: E.T @ A1 / E.shape[0], "missing transpose"),
    ("dW2_from", lambda E, A1: A1.T @ E, "the 1/m is missing"),
    ("db1_from", lambda G, X: G.sum(axis=0) / X.shape[1], "divided by n"),
    ("db1_from", lambda G, X: G.mean(axis=1), "over the hidden units"),
    ("kink_units", lambda Z1, h=1e-5: np.flatnonzero((Z1 == 0).any(axis=0)),
     "within h of 0"),
    ("kink_units", lambda Z1, h=1e-5: np.flatnonzero(((Z1 + h > 0) != (Z1 - h > 0)).any(1)),
     "rows of Z1"),
    ("dZ1_by_hand", lambda: {"dA1": [[1.5, -1, -1, 1]], "dZ1": [[1.5, -1, -1, 0]]},
     "Likely mistake: the mask [Z1 >= 0]"),
    ("dZ1_by_hand", lambda: {"dA1": [[1.5], [-1], [-1], [1]], "dZ1": [[1.5], [0], [-1], [0]]},
     "Likely mistake: dA1 as a column"),
    # wrong answers that no known mistake gives: the form checks say what is wrong
    ("dZ1_by_hand", lambda: {"dA1": [[1.5, -1, -1, 1]], "dZ1": [[2.25, 0, -0.5, 0]]},
     "mask [Z1 > 0]"),
    ("dZ1_by_hand", lambda: {"dA1": [[1.5, -1, -1, 1]], "dZ1": [[1.5, 0, -1, 1]]},
     "where Z1 < 0 the ReLU is flat"),
    ("dZ1_by_hand", lambda: {"dA1": [1.5, -1, -1, 1], "dZ1": [1.5, 0, -1, 0]},
     "(m, H) = (1, 4)"),
    ("dZ1_by_hand", lambda: {"dA1": [[1.5, -1, -1, 1]]}, "missing the keys ['dZ1']"),
    ("op_counts", lambda: {"forward": 68096, "backward": 70656, "finite_differences": 68096.5},
     "whole number"),
    ("source_verdicts", lambda: {"dW1_shape_check": "yes", "dW1_gradient_check": False,
                                 "db2_shape_check": False}, "True"),
    ("source_verdicts", {"dW1_shape_check": True, "dW1_gradient_check": False,
                         "db2_shape_check": False}, "def source_verdicts(): return ..."),
]


@pytest.mark.parametrize("name,fn,words", WRONG, ids=lambda v: v if isinstance(v, str) else "")
def test_wrong_answer_fails_public_check_with_a_specific_message(name, fn, words):
    with pytest.raises(ex.CheckFailed) as err:
        getattr(ex, name).check(fn)
    assert words in str(err.value), str(err.value)


KNOWN_WRONG_ANSWERS = [  # of the right form: named by the public check and by the grade
    ("op_counts", lambda: {"forward": 68096, "backward": 70656 + 65536,
                           "finite_differences": 9310357504}, "dX"),
    ("op_counts", lambda: {"forward": 68096, "backward": 70656,
                           "finite_differences": 4655178752}, "two"),
    ("source_verdicts", lambda: {"dW1_shape_check": True, "dW1_gradient_check": True,
                                 "db2_shape_check": False}, "right shape does not make"),
    ("dZ1_by_hand", lambda: {"dA1": [[-1.5, 1, 1, -1]], "dZ1": [[-1.5, 0, 1, 0]]},
     "the sign of dZ2 flipped"),
]


@pytest.mark.parametrize("name,fn,words", KNOWN_WRONG_ANSWERS,
                         ids=lambda v: v if isinstance(v, str) else "")
def test_a_wrong_answer_of_the_right_form_is_named_by_the_check_and_the_grade(name, fn, words):
    with pytest.raises(ex.CheckFailed) as err:
        getattr(ex, name).check(fn, quiet=True)
    assert "Likely mistake: " in str(err.value) and words in str(err.value), str(err.value)
    with pytest.raises(grading.HiddenTestFailed) as err:
        grading.grade(name, fn)
    assert words in str(err.value), str(err.value)



def test_drifting_restore_is_caught_by_the_hidden_grade_too():
    with pytest.raises(grading.HiddenTestFailed, match="modified its input"):
        grading.grade("numerical_gradient", _drifting)


def test_backward_is_graded_on_the_reference_cache():
    """A backward that trusts its cache passes even if that student's forward is broken."""
    for case in grading.registry()["backward"].make_cases():
        params, cache, X = case.args[:3]
        from instructor import reference as R
        expected = R.forward(params, np.asarray(X, dtype=float))[1]
        for k in ("Z1", "A1", "Z2", "P"):
            assert np.array_equal(cache[k], expected[k])


def test_hidden_backward_cases_include_exact_ties():
    ties = 0
    for case in grading.registry()["backward"].make_cases():
        ties += int(np.sum(case.args[1]["Z1"] == 0))
    assert ties >= 5
