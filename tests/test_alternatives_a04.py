"""04_l2_penalty: correct answers written differently pass both the public checks and the
hidden grade; realistic wrong answers fail the public checks with a message naming the mistake;
the L2 explorer widget agrees with scikit-learn."""
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


def penalty_keys_starting_with_W(params, lam, m):
    return lam / (2 * m) * sum(float(np.sum(np.square(v))) for k, v in params.items()
                               if k.startswith("W"))


def penalty_float32(params, lam, m):
    return np.float32(lam) / np.float32(2 * m) * sum(
        np.sum(np.asarray(params[k], dtype=np.float32) ** 2) for k in ("W1", "W2"))


def penalty_dot_ravel(params, lam, m):
    w = np.concatenate([np.ravel(params["W1"]), np.ravel(params["W2"])]).astype(float)
    return (lam / m) * (w @ w) / 2


# ---------------------------------------------------------------------------------- l2_grad
def grad_loop(W, lam, m):
    out = np.zeros(np.shape(W))
    for i in np.ndindex(out.shape):
        out[i] = lam * W[i] / m
    return out


def grad_multiply(W, lam, m):
    return np.multiply(W, lam / m)


def grad_order(W, lam, m):
    return lam * np.asarray(W) / m


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


def reg_explicit(grads, params, lam, m):
    return dict(W1=grads["W1"] + (lam / m) * params["W1"], b1=grads["b1"].copy(),
                W2=grads["W2"] + (lam / m) * params["W2"], b2=grads["b2"].copy())


# ---------------------------------------------------------------------------- minibatch_lam
def mb_ratio_first(lam, batch_size, m):
    return lam * (batch_size / m)


def mb_int_first(lam, batch_size, m):
    return batch_size * lam / m


def mb_float32(lam, batch_size, m):
    return np.float32(lam) * np.float32(batch_size) / np.float32(m)


def mb_numpy(lam, batch_size, m):
    return np.multiply(lam, batch_size) / np.float64(m)


ALTERNATIVES = {
    "l2_penalty": [penalty_loops, penalty_fro, penalty_einsum, penalty_trace,
                   penalty_keys_starting_with_W, penalty_float32, penalty_dot_ravel],
    "l2_grad": [grad_loop, grad_multiply, grad_order, grad_float32, grad_list],
    "regularised_grads": [reg_comprehension, reg_copy_then_add, reg_unpacking, reg_explicit],
    "minibatch_lam": [mb_ratio_first, mb_int_first, mb_float32, mb_numpy],
}


@pytest.mark.parametrize("name,fn", [(n, f) for n, fs in ALTERNATIVES.items() for f in fs],
                         ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_correct_alternative_passes_public_and_hidden(name, fn, capsys):
    assert getattr(ex, name).check(fn)
    assert "public checks passed" in capsys.readouterr().out
    assert grading.grade(name, fn)


# ------------------------------------------------------------------- wrong answers, named
def _sq(W):
    return float(np.sum(np.asarray(W, float) ** 2))


WRONG = [
    ("l2_penalty", lambda p, lam, m: lam / m * (_sq(p["W1"]) + _sq(p["W2"])), "lam/(2m)"),
    ("l2_penalty", lambda p, lam, m: lam / 2 * (_sq(p["W1"]) + _sq(p["W2"])), "1/m is missing"),
    ("l2_penalty", lambda p, lam, m: lam / (2 * m) * sum(_sq(v) for v in p.values()),
     "included the biases"),
    ("l2_penalty", lambda p, lam, m: lam / (2 * m) * (np.linalg.norm(p["W1"])
                                                      + np.linalg.norm(p["W2"])),
     "summed the norms"),
    ("l2_penalty", lambda p, lam, m: lam / (2 * m) * (np.mean(p["W1"] ** 2)
                                                      + np.mean(p["W2"] ** 2)), "np.mean"),
    ("l2_grad", lambda W, lam, m: 2 * lam / m * W, "2 lam/m W"),
    ("l2_grad", lambda W, lam, m: lam / (2 * m) * W, "lam/(2m) W"),
    ("l2_grad", lambda W, lam, m: lam * W, "1/m is missing"),
    ("l2_grad", lambda W, lam, m: lam / m, "single number"),
    ("l2_grad", lambda W, lam, m: lam / m * np.sign(W), "L1"),
    ("regularised_grads", lambda g, p, lam, m: {k: g[k] + lam / m * p[k] for k in g},
     "biases are not penalised"),
    ("regularised_grads", lambda g, p, lam, m: {k: g[k] + 2 * lam / m * p[k] if k[0] == "W"
                                                else g[k] for k in g}, "2 lam/m W"),
    ("minibatch_lam", lambda lam, B, m: lam, "unchanged"),
    ("minibatch_lam", lambda lam, B, m: lam * m / B, "upside down"),
]


def _in_place(g, p, lam, m):
    for k in ("W1", "W2"):
        g[k] += lam / m * p[k]
    return g


WRONG.append(("regularised_grads", _in_place, "same dict"))


@pytest.mark.parametrize("name,fn,words", WRONG, ids=lambda v: v if isinstance(v, str) else "")
def test_wrong_answer_fails_public_check_with_a_specific_message(name, fn, words):
    with pytest.raises(ex.CheckFailed) as err:
        getattr(ex, name).check(fn)
    assert words in str(err.value), str(err.value)


# --------------------------------------------------------------------------- the widget
def test_l2_explorer_agrees_with_sklearn_and_survives_a_stub(capsys):
    from course import widgets

    lam = widgets.L2_GRID[5]
    lines = widgets.l2_explorer_text(lam, penalty_einsum)
    assert "they agree" in lines[-1], lines
    wrong = widgets.l2_explorer_text(lam, lambda p, lam, m: 2 * penalty_einsum(p, lam, m))
    assert "they differ" in wrong[-1], wrong

    def l2_penalty(params, lam, m):
        raise NotImplementedError()

    assert len(widgets.l2_explorer_text(lam, l2_penalty)) == 2
    assert "Implement `l2_penalty`" in capsys.readouterr().out
    fig = widgets.l2_explorer_figure(lam)
    assert len(fig.axes) == 2
    box = widgets.l2_explorer(l2_penalty)
    assert box.children
