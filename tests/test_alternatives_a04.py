"""04_l2_penalty: correct answers written differently pass both the public checks and the
hidden grade; realistic wrong answers fail the public checks with a message naming the mistake
(the other minibatch convention named as a convention, not as a blunder); a mistake in l2_grad
is not charged again to regularised_grads; the penalty-against-gradient check and the L2
explorer (which agrees with scikit-learn) work on right, wrong and unwritten functions."""
import types

import numpy as np
import pytest

from course import exercises as ex
from instructor import grading


# ------------------------------------------------------------------------------- l2_penalty
def penalty_loops(params, lam, m):
    total = 0.0
    for name in ("W1", "W2"):
        W = params[name]
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                total += W[i, j] * W[i, j]
    return lam / (2 * m) * total


def penalty_fro(params, lam, m):
    return lam * (np.linalg.norm(params["W1"], "fro") ** 2
                  + np.linalg.norm(params["W2"], "fro") ** 2) / m / 2


def penalty_einsum(params, lam, m):
    return 0.5 * lam / m * sum(np.einsum("ij,ij->", params[k], params[k]) for k in ("W1", "W2"))


def penalty_trace(params, lam, m):
    W1, W2 = np.asarray(params["W1"], float), np.asarray(params["W2"], float)
    return np.array(lam / (2 * m) * (np.trace(W1.T @ W1) + np.trace(W2.T @ W2)))  # a 0-d array


def penalty_columns(params, lam, m):   # source 000's form: sum over the columns of W_k^T W_k
    W1, W2 = np.asarray(params["W1"], float), np.asarray(params["W2"], float)
    return lam / (2 * m) * sum(W[:, k] @ W[:, k] for W in (W1, W2) for k in range(W.shape[1]))


def penalty_keys_starting_with_W(params, lam, m):
    return lam / (2 * m) * sum(float(np.sum(np.square(v))) for k, v in params.items()
                               if k.startswith("W"))


def penalty_float32(params, lam, m):
    return np.float32(lam) / np.float32(2 * m) * sum(
        np.sum(np.asarray(params[k], dtype=np.float32) ** 2) for k in ("W1", "W2"))


# ---------------------------------------------------------------------- the three questions
def slope_computed():
    w, lam, m = 3, 2, 4
    return lam / m * w


def slope_numpy():
    return np.float64(3) / 2


def pixels_computed():
    W1, b1 = np.array([[1, -2], [0.5, 1], [-1, 0]]), np.array([0.5, 0])
    return {"W1": 2 * W1, "b1": b1 - np.ones(3) @ W1}


def pixels_lists():
    return {"b1": [0, 1], "W1": [[2, -4], [1, 2], [-2, 0]]}


def decay_computed():
    lr, lam, m = 0.1, 1, 10
    return 1 - lr * lam / m


def decay_fraction():
    return 99 / 100


# ---------------------------------------------------------------------------------- l2_grad
def grad_loop(W, lam, m):
    out = np.zeros(np.shape(W))
    for i in np.ndindex(out.shape):
        out[i] = lam * W[i] / m
    return out


def grad_multiply(W, lam, m):
    return np.multiply(W, lam / m)


def grad_two_halves(W, lam, m):
    return lam / (2 * m) * 2 * np.asarray(W)


def grad_float32(W, lam, m):
    return (np.float32(lam) / np.float32(m)) * np.asarray(W, dtype=np.float32)


def grad_list(W, lam, m):
    return (lam / m * np.asarray(W, dtype=float)).tolist()


# ------------------------------------------------------------------------ regularised_grads
def reg_comprehension(grads, params, lam, m):
    return {k: (g + lam / m * params[k]) if k in ("W1", "W2") else g for k, g in grads.items()}


def reg_copy_then_add(grads, params, lam, m):
    out = {k: np.array(v, dtype=float, copy=True) for k, v in grads.items()}
    for k in ("W1", "W2"):
        out[k] += (lam / m) * params[k]
    return out


def reg_unpacking(grads, params, lam, m):
    return {**grads, "W1": grads["W1"] + lam * params["W1"] / m,
            "W2": np.add(grads["W2"], lam / m * params["W2"])}


def reg_with_l2_grad(grads, params, lam, m):   # calls the notebook's l2_grad
    return {k: g + l2_grad(params[k], lam, m) if k.startswith("W") else g  # noqa: F821
            for k, g in grads.items()}


# ---------------------------------------------------------------------------- minibatch_lam
def mb_ratio_first(lam, batch_size, m):
    return lam * (batch_size / m)


def mb_int_first(lam, batch_size, m):
    return batch_size * lam / m


def mb_float32(lam, batch_size, m):
    return np.float32(lam) * np.float32(batch_size) / np.float32(m)


ALTERNATIVES = {
    "l2_penalty": [penalty_loops, penalty_fro, penalty_einsum, penalty_trace, penalty_columns,
                   penalty_keys_starting_with_W, penalty_float32],
    "penalty_slope": [slope_computed, slope_numpy],
    "l2_grad": [grad_loop, grad_multiply, grad_two_halves, grad_float32, grad_list],
    "pixels_01_layer": [pixels_computed, pixels_lists],
    "regularised_grads": [reg_comprehension, reg_copy_then_add, reg_unpacking, reg_with_l2_grad],
    "decay_factor": [decay_computed, decay_fraction],
    "minibatch_lam": [mb_ratio_first, mb_int_first, mb_float32],
}


@pytest.mark.parametrize("name,fn", [(n, f) for n, fs in ALTERNATIVES.items() for f in fs],
                         ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_correct_alternative_passes_public_and_hidden(name, fn, capsys, monkeypatch):
    if fn is reg_with_l2_grad:  # as in the notebook: the student's l2_grad is there
        monkeypatch.setitem(globals(), "l2_grad", grad_multiply)
    assert getattr(ex, name).check(fn)
    assert "passed" in capsys.readouterr().out
    assert grading.grade(name, fn)


# ------------------------------------------------------------------- wrong answers, named
def _sq(W):
    return float(np.sum(np.asarray(W, float) ** 2))


def _in_place(g, p, lam, m):
    for k in ("W1", "W2"):
        g[k] += lam / m * p[k]
    return g


WRONG = [
    ("l2_penalty", lambda p, lam, m: lam / m * (_sq(p["W1"]) + _sq(p["W2"])), "lam/(2m)"),
    ("l2_penalty", lambda p, lam, m: lam / 2 * m * (_sq(p["W1"]) + _sq(p["W2"])),
     "(lam / 2) * m"),
    ("l2_penalty", lambda p, lam, m: lam / (2 * m) * sum(_sq(v) for v in p.values()),
     "biases too"),
    ("l2_penalty", lambda p, lam, m: lam / (2 * m) * (np.linalg.norm(p["W1"])
                                                      + np.linalg.norm(p["W2"])),
     "summing the norms"),
    ("l2_penalty", lambda p, lam, m: lam / (2 * m) * (np.sum(p["W1"]) ** 2
                                                      + np.sum(p["W2"]) ** 2), "np.sum(W) ** 2"),
    ("l2_penalty", lambda p, lam, m: lam / (2 * m) * (np.sum(p["W1"].T @ p["W1"])
                                                      + np.sum(p["W2"].T @ p["W2"])), "trace"),
    ("l2_penalty", lambda p, lam, m: lam / (2 * m) * (np.mean(p["W1"] ** 2)
                                                      + np.mean(p["W2"] ** 2)), "np.mean"),
    ("l2_penalty", lambda p, lam, m: np.array([lam / (2 * m) * (_sq(p["W1"]) + _sq(p["W2"]))]),
     "shape (1,), expected ()"),
    ("penalty_slope", lambda: 0.75, "the 2 cancels the 1/2"),
    ("penalty_slope", lambda: 2.25, "not its slope"),
    ("l2_grad", lambda W, lam, m: 2 * lam / m * W, "2 lam/m W"),
    ("l2_grad", lambda W, lam, m: lam / (2 * m) * W, "lam/(2m) W"),
    ("l2_grad", lambda W, lam, m: lam * W, "1/m is missing"),
    ("l2_grad", lambda W, lam, m: lam / (2 * m) * np.sum(W ** 2), "one number"),
    ("l2_grad", lambda W, lam, m: lam / m * np.sign(W), "L1"),
    ("pixels_01_layer", lambda: {"W1": [[2, -4], [1, 2], [-2, 0]], "b1": [0.5, 0]},
     "the scaling only"),
    ("pixels_01_layer", lambda: {"W1": [[0.5, -1], [0.25, 0.5], [-0.5, 0]], "b1": [0.75, -0.5]},
     "the wrong way round"),
    ("regularised_grads", lambda g, p, lam, m: {k: g[k] + lam / m * p[k] for k in g},
     "biases too"),
    ("regularised_grads", lambda g, p, lam, m: {k: g[k] + 2 * lam / m * p[k] if k[0] == "W"
                                                else g[k] for k in g}, "2 lam/m W"),
    ("regularised_grads", lambda g, p, lam, m: {k: g[k] - lam / m * p[k] if k[0] == "W"
                                                else g[k] for k in g}, "subtracted"),
    ("regularised_grads", _in_place, "same dict"),
    ("regularised_grads", lambda g, p, lam, m: {"W1": g["W1"] + lam / m * p["W1"]},
     "missing the keys"),
    ("decay_factor", lambda: 0.01, "not the factor"),
    ("decay_factor", lambda: 0.995, "lam/(2m)"),
    ("minibatch_lam", lambda lam, B, m: lam, "another convention"),
    ("minibatch_lam", lambda lam, B, m: lam * m / B, "upside down"),
]


@pytest.mark.parametrize("name,fn,words", WRONG, ids=lambda v: v if isinstance(v, str) else "")
def test_wrong_answer_fails_public_check_with_a_specific_message(name, fn, words):
    with pytest.raises(ex.CheckFailed) as err:
        getattr(ex, name).check(fn)
    assert words in str(err.value), str(err.value)


def test_the_other_minibatch_convention_is_named_as_a_convention():
    with pytest.raises(grading.HiddenTestFailed) as err:
        grading.grade("minibatch_lam", lambda lam, B, m: lam)
    message = str(err.value)
    assert "another convention, and a valid one" in message and "06 accepts it" in message


def test_hidden_grade_refuses_inputs_modified_in_place():
    with pytest.raises(grading.HiddenTestFailed, match="modified its input"):
        grading.grade("regularised_grads", _in_place)

    def l2_grad_in_place(W, lam, m):
        W = np.asarray(W, dtype=float) if np.asarray(W).dtype.kind == "i" else W
        W *= lam / m
        return W
    with pytest.raises(grading.HiddenTestFailed, match="modified its input"):
        grading.grade("l2_grad", l2_grad_in_place)


def test_a_mistake_in_l2_grad_is_not_charged_again_to_regularised_grads():
    wrong_grad = lambda W, lam, m: 2 * lam / m * np.asarray(W)  # noqa: E731
    regularised_grads = types.FunctionType(reg_with_l2_grad.__code__,
                                           {"np": np, "l2_grad": wrong_grad}, "regularised_grads")
    assert grading.grade("regularised_grads", regularised_grads)
    with pytest.raises(ex.CheckFailed, match="calls your `l2_grad`, which fails its own"):
        ex.regularised_grads.check(regularised_grads)


# --------------------------------------------------------- the penalty against its gradient
def test_check_l2_agrees_for_one_convention_and_finds_a_factor_of_two(capsys):
    from course.layer_checks import check_l2
    from instructor import reference as R

    assert check_l2(R.l2_penalty, R.l2_grad).ok
    mixed = check_l2(R.l2_penalty, lambda W, lam, m: 2 * lam / m * W)
    assert not mixed.ok and abs(mixed.errors["W1"] - 1 / 3) < 1e-6

    def l2_grad(W, lam, m):
        raise NotImplementedError()
    assert check_l2(R.l2_penalty, l2_grad) is None
    assert "Write l2_grad above" in capsys.readouterr().out


# --------------------------------------------------------------------------- the widget
def test_l2_explorer_agrees_with_sklearn_and_survives_a_stub(capsys):
    from course import widgets

    lam = widgets.L2_GRID[5]
    lines = widgets.l2_explorer_text(lam, penalty_einsum)
    assert "they agree" in lines[-1], lines
    assert max(len(line) for line in lines) <= 80  # no line wraps in a notebook's output
    wrong = widgets.l2_explorer_text(lam, lambda p, lam, m: 2 * penalty_einsum(p, lam, m))
    assert "they differ" in wrong[-1], wrong

    def l2_penalty(params, lam, m):
        raise NotImplementedError()

    assert len(widgets.l2_explorer_text(lam, l2_penalty)) == 3
    assert "Implement `l2_penalty`" in capsys.readouterr().out
    fig = widgets.l2_explorer_figure(lam)
    assert len(fig.axes) == 2
    box = widgets.l2_explorer(l2_penalty)
    assert box.children
