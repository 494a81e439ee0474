"""04_l2_penalty: l2_penalty(params, lam, m), l2_grad(W, lam, m), regularised_grads(grads,
params, lam, m) and minibatch_lam(lam, batch_size, m)."""
import numpy as np

from . import Check, Exercise, as_array, expect_close, fail, register

# A worked example, by hand: ||W1||_F^2 = 1 + 4 + 9 + 16 = 30, ||W2||_F^2 = 1 + 1 + 4 = 6, so with
# lam = 2 and m = 4 the penalty is 2/(2*4) * 36 = 9. The biases are large on purpose.
PARAMS_EXAMPLE = {
    "W1": np.array([[1.0, 2.0], [3.0, 4.0]]),
    "b1": np.array([5.0, 5.0]),
    "W2": np.array([[1.0, 0.0, -1.0], [2.0, 0.0, 0.0]]),
    "b2": np.array([10.0, 10.0, 10.0]),
}
LAM_EXAMPLE, M_EXAMPLE, PENALTY_EXAMPLE = 2.0, 4, 9.0


def _copy_params(params):
    return {k: v.copy() for k, v in params.items()}


def _scalar(value, what):
    if value is None:
        fail(f"{what} is None: did you forget to `return` it?")
    arr = as_array(value, what)
    if arr.shape != ():
        fail(f"{what} should be a single number, got an array of shape {arr.shape}"
             + (" (`float(...)` or `.item()` turns a one-entry array into a number)"
                if arr.size == 1 else ""))
    return float(arr)


# ------------------------------------------------------------------------------- l2_penalty
def _penalty_example(l2_penalty):
    got = _scalar(l2_penalty(_copy_params(PARAMS_EXAMPLE), LAM_EXAMPLE, M_EXAMPLE),
                  "l2_penalty of the worked example")
    known = {
        18.0: "you computed lam/m (||W1||^2 + ||W2||^2) = 18: the course's penalty has "
              "lam/(2m), with the 2 that cancels when you differentiate",
        36.0: "you computed lam/2 (||W1||^2 + ||W2||^2) = 36: the 1/m is missing",
        72.0: "you computed lam (||W1||^2 + ||W2||^2) = 72: the factor is lam/(2m)",
        96.5: "you included the biases (96.5): only W1 and W2 are penalised",
        (np.sqrt(30) + np.sqrt(6)) / 4: "you summed the norms ||W1|| + ||W2||; the penalty "
                                        "uses their squares, the sums of squared entries",
        (np.sqrt(30) + np.sqrt(6)) ** 2 / 4: "you squared the sum of the norms, "
                                             "(||W1|| + ||W2||)^2; add the squares instead",
        (30 / 4 + 6 / 6) / 4: "you averaged the squared entries (np.mean); the squared "
                              "Frobenius norm is their sum",
        7.5: "you penalised only W1; W2 is penalised too",
        1.5: "you penalised only W2; W1 is penalised too",
    }
    for value, message in known.items():
        if np.isclose(got, value, rtol=1e-6):
            fail(message)
    expect_close(got, PENALTY_EXAMPLE, "l2_penalty(params, lam=2, m=4) of the worked example")
    return "||W1||^2 = 30, ||W2||^2 = 6, lam = 2, m = 4 give 9"


def _penalty_scaling(l2_penalty):
    rng = np.random.default_rng(4)
    params = {"W1": rng.normal(size=(5, 4)), "b1": rng.normal(size=4),
              "W2": rng.normal(size=(4, 3)), "b2": rng.normal(size=3)}
    base = _scalar(l2_penalty(_copy_params(params), 1.0, 10), "l2_penalty(params, 1, 10)")
    zero = _scalar(l2_penalty(_copy_params(params), 0.0, 10), "l2_penalty(params, 0, 10)")
    if not np.isclose(zero, 0.0, atol=1e-12):
        fail(f"with lam = 0 the penalty should be 0, got {zero:.6g}")
    triple = _scalar(l2_penalty(_copy_params(params), 3.0, 10), "l2_penalty(params, 3, 10)")
    if not np.isclose(triple, 3 * base, rtol=1e-9):
        fail(f"tripling lam should triple the penalty: {base:.6g} became {triple:.6g}")
    half = _scalar(l2_penalty(_copy_params(params), 1.0, 20), "l2_penalty(params, 1, 20)")
    if np.isclose(half, base, rtol=1e-9):
        fail("doubling m did not change your penalty: it should halve it (the factor is "
             "lam/(2m))")
    if not np.isclose(half, base / 2, rtol=1e-9):
        fail(f"doubling m should halve the penalty: {base:.6g} became {half:.6g}")
    shifted = _copy_params(params)
    shifted["b1"] = shifted["b1"] + 100.0
    shifted["b2"] = shifted["b2"] - 100.0
    moved = _scalar(l2_penalty(shifted, 1.0, 10), "l2_penalty with other biases")
    if not np.isclose(moved, base, rtol=1e-9):
        fail("changing only the biases changed your penalty: the biases are not penalised")
    return "0 for lam = 0, proportional to lam and to 1/m, independent of the biases"


def _penalty_edges(l2_penalty):
    params = {"W1": np.array([[1, -1], [2, 0]]), "b1": np.array([3, 3]),
              "W2": np.array([[1], [1]]), "b2": np.array([7])}
    before = _copy_params(params)
    got = _scalar(l2_penalty(params, 3, 1), "l2_penalty of integer weights with m = 1, K = 1")
    expect_close(got, 3 / 2 * 8, "l2_penalty(integer weights, lam=3, m=1)")
    for k in before:
        if not np.array_equal(params[k], before[k]):
            fail(f"your function changed params[{k!r}]; it should only read the weights")
    return "integer weights, m = 1, params left unchanged"


l2_penalty = Exercise(
    name="l2_penalty",
    signature="l2_penalty(params, lam, m) -> lam/(2m) (||W1||_F^2 + ||W2||_F^2), a number",
    checks=[Check("worked example", _penalty_example),
            Check("how it scales", _penalty_scaling),
            Check("edge cases", _penalty_edges)],
    hints=[
        "||W||_F^2 is the sum of the squares of every entry of W. Which entries of params go "
        "in, and which stay out?",
        "`np.sum(params['W1'] ** 2)` is ||W1||_F^2. Add the same for W2 and multiply by "
        "lam / (2 * m). Leave b1 and b2 alone.",
        "One line: `return lam / (2 * m) * (np.sum(params['W1'] ** 2) + "
        "np.sum(params['W2'] ** 2))`.",
    ],
)


# ---------------------------------------------------------------------------------- l2_grad
W_EXAMPLE = np.array([[1.0, -2.0], [0.0, 3.0]])


def _grad_example(l2_grad):
    got = l2_grad(W_EXAMPLE.copy(), 2.0, 4)
    if got is not None and np.ndim(got) == 0:
        fail(f"you returned the single number {float(np.asarray(got, dtype=float)):.6g}; the "
             f"gradient of a penalty on W has one entry per entry of W, the shape of W")
    got = as_array(got, "l2_grad(W, lam=2, m=4)", W_EXAMPLE.shape)
    ratios = {1.0: "your gradient is 2 lam/m W, the gradient of lam/m ||W||^2: with the "
                   "course's lam/(2m) ||W||^2 the 2 from the square cancels the 1/2",
              0.25: "your gradient is lam/(2m) W: that is the penalty's coefficient; "
                    "differentiating ||W||^2 brings down a 2, so the gradient is lam/m W",
              2.0: "your gradient is lam W: the 1/m is missing",
              4.0: "your gradient is 2 lam W: both the 1/m and the 1/2 are missing"}
    for r, message in ratios.items():
        if np.allclose(got, r * W_EXAMPLE):
            fail(message)
    if np.allclose(got, 0.5 * np.sign(W_EXAMPLE)):
        fail("your gradient is lam/m sign(W), the gradient of an L1 penalty lam/m sum |W|; "
             "the L2 penalty's gradient is proportional to W itself")
    expect_close(got, 0.5 * W_EXAMPLE, "l2_grad(W, lam=2, m=4)")
    return "lam = 2, m = 4: the gradient is W / 2"


def _grad_edges(l2_grad):
    rng = np.random.default_rng(5)
    W = rng.normal(size=(3, 5))
    before = W.copy()
    got = as_array(l2_grad(W, 0.7, 7), "l2_grad of a (3, 5) matrix", (3, 5))
    if not np.array_equal(W, before):
        fail("your function changed W in place; return a new array (`lam / m * W`, not "
             "`W *= ...`)")
    expect_close(got, 0.1 * before, "l2_grad(W, lam=0.7, m=7)")
    got = as_array(l2_grad(np.array([[2, -4]]), 3, 6), "l2_grad of an integer matrix", (1, 2))
    expect_close(got, [[1.0, -2.0]], "l2_grad([[2, -4]], lam=3, m=6)")
    expect_close(l2_grad(W, 0.0, 7), np.zeros((3, 5)), "l2_grad(W, lam=0, m=7)")
    return "any shape, integer weights, lam = 0, W left unchanged"


l2_grad = Exercise(
    name="l2_grad",
    signature="l2_grad(W, lam, m) -> (lam/m) W, the gradient of lam/(2m) ||W||_F^2",
    checks=[Check("worked example", _grad_example), Check("edge cases", _grad_edges)],
    hints=[
        "Differentiate lam/(2m) * sum_kl W_kl^2 with respect to one entry W_ij: only one term "
        "of the sum depends on it.",
        "d/dW_ij of lam/(2m) W_ij^2 is lam/(2m) * 2 W_ij = (lam/m) W_ij. Every entry works the "
        "same way, so the whole gradient is a multiple of W.",
    ],
)


# ------------------------------------------------------------------------ regularised_grads
def _reg_example(regularised_grads):
    grads = {"W1": np.array([[0.5, 0.0]]), "b1": np.array([0.25, -0.25]),
             "W2": np.array([[1.0], [-1.0]]), "b2": np.array([0.5])}
    params = {"W1": np.array([[2.0, -2.0]]), "b1": np.array([4.0, 4.0]),
              "W2": np.array([[1.0], [3.0]]), "b2": np.array([-8.0])}
    g0, p0 = _copy_params(grads), _copy_params(params)
    out = regularised_grads(grads, params, 1.0, 4)
    if out is None:
        fail("your function returned None: return the new dict of gradients")
    if out is grads:
        fail("you returned the same dict you were given: build and return a new dict")
    if not isinstance(out, dict):
        fail(f"return a dict with the keys W1, b1, W2, b2, not a {type(out).__name__}")
    missing = [k for k in ("W1", "b1", "W2", "b2") if k not in out]
    if missing:
        fail(f"your dict is missing the keys {missing}: keep every gradient, with the "
             f"biases' unchanged")
    for k in grads:
        if not np.array_equal(grads[k], g0[k]) or not np.array_equal(params[k], p0[k]):
            fail(f"your function changed its input ({k!r}) in place; compute new arrays "
                 f"(`g + ...`, not `g += ...`)")
    for b in ("b1", "b2"):
        got = as_array(out[b], f"your gradient [{b!r}]", g0[b].shape)
        if any(np.allclose(got, g0[b] + c * p0[b]) for c in (0.25, 0.5, 0.125, 1.0)):
            fail(f"you added a multiple of {b} to the gradient of {b}: the biases are not "
                 f"penalised, so their gradients stay as they were")
        expect_close(got, g0[b], f"your gradient [{b!r}] (it should be unchanged)")
    got = as_array(out["W1"], "your gradient ['W1']", (1, 2))
    wrong = {0.5: "you added 2 lam/m W (the gradient of lam/m ||W||^2); with the course's "
                  "lam/(2m) ||W||^2 it is lam/m W",
             0.125: "you added lam/(2m) W; the gradient of lam/(2m) ||W||^2 is lam/m W",
             1.0: "you added lam W: the 1/m is missing",
             0.0: "you did not add anything to the gradient of W1"}
    for r, message in wrong.items():
        if np.allclose(got, g0["W1"] + r * p0["W1"]):
            fail(message)
    expect_close(got, [[1.0, -0.5]], "your gradient ['W1'] (lam = 1, m = 4)")
    expect_close(out["W2"], [[1.25], [-0.25]], "your gradient ['W2'] (lam = 1, m = 4)")
    return "W1 and W2 get (lam/m) W, b1 and b2 unchanged, inputs left as they were"


regularised_grads = Exercise(
    name="regularised_grads",
    signature="regularised_grads(grads, params, lam, m) -> a new dict: grads with (lam/m) W "
              "added to the weights' entries",
    checks=[Check("worked example", _reg_example)],
    hints=[
        "Build a new dict. Which two keys get something added, and which two are copied "
        "as they are?",
        "For 'W1' and 'W2': `grads[k] + l2_grad(params[k], lam, m)`. For 'b1' and 'b2': "
        "`grads[k]` unchanged. Don't use `+=` on the arrays you were given.",
    ],
)


# ---------------------------------------------------------------------------- minibatch_lam
def _minibatch_example(minibatch_lam):
    got = _scalar(minibatch_lam(1.0, 64, 7291), "minibatch_lam(1.0, 64, 7291)")
    wrong = {1.0: "you returned lam unchanged: on a batch of B samples, backward divides the "
                  "penalty's gradient by B instead of m, so lam must be rescaled",
             7291 / 64: "your ratio is upside down: backward on B samples gives (lam'/B) W, "
                        "which should equal (lam/m) W",
             64.0: "you multiplied by the batch size but forgot to divide by m",
             1 / 7291: "you divided by m but forgot to multiply by the batch size"}
    for value, message in wrong.items():
        if np.isclose(got, value, rtol=1e-9):
            fail(message)
    expect_close(got, 64 / 7291, "minibatch_lam(lam=1.0, batch_size=64, m=7291)")
    got = _scalar(minibatch_lam(3, 10, 10), "minibatch_lam(3, 10, 10)")
    expect_close(got, 3.0, "minibatch_lam(lam=3, batch_size=10, m=10) (the batch is all the data)")
    return "lam = 1, B = 64, m = 7291 gives 64/7291; B = m leaves lam unchanged"


minibatch_lam = Exercise(
    name="minibatch_lam",
    signature="minibatch_lam(lam, batch_size, m) -> the lam to pass to backward on one batch",
    checks=[Check("worked example", _minibatch_example)],
    hints=[
        "On a batch of B samples, backward adds (lam'/B) W. The full objective's gradient "
        "has (lam/m) W. Set the two equal.",
        "lam'/B = lam/m, so lam' = lam * B / m.",
    ],
)

register(l2_penalty, l2_grad, regularised_grads, minibatch_lam)
