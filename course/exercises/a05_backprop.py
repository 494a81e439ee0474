"""05_backprop: forward, loss, backward, numerical_gradient, and the source's two slips
(dW2_from, db1_from)."""
import numpy as np

from . import Check, Exercise, as_array, expect_close, fail, register

# ------------------------------------------------------------------ the worked example network
# m = 5 samples, n = 2 features, H = 4 hidden units, K = 3 classes: four different sizes, so a
# product in the wrong order or a division by the wrong count cannot go unnoticed. Integer
# weights make some pre-activations exactly 0 (H1[0, 1], H1[0, 2], H1[2, 0], H1[2, 1]): ties.
X_EX = np.array([[1.0, 2.0], [-1.0, 1.0], [0.0, 1.0], [2.0, -1.0], [1.0, 0.0]])
Y_EX = np.array([0, 1, 2, 0, 2])
PARAMS_EX = {
    "W1": np.array([[1.0, -1.0, 0.0, 1.0], [0.0, 1.0, 1.0, -1.0]]),
    "b1": np.array([0.0, -1.0, -2.0, 0.5]),
    "W2": np.array([[1.0, -1.0, 0.0], [2.0, 0.0, -1.0], [-1.0, 1.0, 0.5], [0.0, 1.0, -2.0]]),
    "b2": np.array([0.0, 0.5, -0.5]),
}
H1_EX = np.array([[1.0, 0.0, 0.0, -0.5], [-1.0, 1.0, -1.0, -1.5], [0.0, 0.0, -1.0, -0.5],
                  [2.0, -4.0, -3.0, 3.5], [1.0, -2.0, -2.0, 1.5]])
A1_EX = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0],
                  [2.0, 0.0, 0.0, 3.5], [1.0, 0.0, 0.0, 1.5]])
Z_EX = np.array([[1.0, -0.5, -0.5], [2.0, 0.5, -1.5], [0.0, 0.5, -0.5], [2.0, 2.0, -7.5],
                 [1.0, 1.0, -3.5]])
P_EX = np.array([
    [6.9143845403622750e-01, 1.5428077298188617e-01, 1.5428077298188617e-01],
    [7.9787602620699249e-01, 1.7803020550615900e-01, 2.4093768286848397e-02],
    [3.0719588571849837e-01, 5.0648039105565401e-01, 1.8632372322584759e-01],
    [4.9998128774285144e-01, 4.9998128774285144e-01, 3.7424514297161390e-05],
    [4.9723809187931522e-01, 4.9723809187931522e-01, 5.5238162413695224e-03]])
CACHE_EX = {"H1": H1_EX, "A1": A1_EX, "Z": Z_EX, "P": P_EX}
LOSS_EX = {0.0: 1.9333847541078284, 2.0: 5.983384754107828}
SQ_WEIGHTS_EX = 20.25   # ||W1||_F^2 + ||W2||_F^2
SQ_BIASES_EX = 5.75     # ||b1||^2 + ||b2||^2
GRADS_EX = {  # lam = 0
    "W1": np.array([[-0.49256846378913177, -0.31433165682542735, 0.0, 0.6972006673650181],
                    [0.01486307242173654, 0.31433165682542735, 0.0, -0.09998128774285142]]),
    "b1": np.array([-0.29256846378913176, 0.31433165682542735, 0.0, 0.5972193796221666]),
    "W2": np.array([[-0.16227217571975086, 0.33029628806938083, -0.16802411234963],
                    [0.1595752052413985, -0.1643939588987682, 0.00481875365736968],
                    [0.0, 0.0, 0.0],
                    [-0.20084167101620937, 0.4991583289837906, -0.2983166579675811]]),
    "b2": np.array([0.15874594911677703, 0.16720214983317316, -0.32594809894995025]),
    "X": np.array([[-0.09256846378913174, 0.0], [-0.31433165682542735, 0.31433165682542735],
                   [0.0, 0.0], [-0.10001871225714859, -0.09998128774285142],
                   [0.4972380918793152, -0.4972380918793152]]),
}
# What two wrong masks give for b1 (lam = 0): [H1 >= 0], and no mask at all.
DB1_MASK_GE = np.array([-0.3324253648565629, 0.445664493485771, 0.10799654108732035,
                        0.5972193796221666])
DB1_NO_MASK = np.array([-0.008456200716396134, 0.6434399971835043, -0.154517848758579,
                        0.8190983477330737])
# The first sample alone (m = 1), lam = 0; its H1 has two exact zeros.
GRADS_M1 = {
    "W1": np.array([[-0.46284231894565864, 0.0, 0.0, 0.0], [-0.9256846378913173, 0.0, 0.0, 0.0]]),
    "b1": np.array([-0.46284231894565864, 0.0, 0.0, 0.0]),
    "W2": np.array([[-0.3085615459637725, 0.15428077298188617, 0.15428077298188617],
                    [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
    "b2": np.array([-0.3085615459637725, 0.15428077298188617, 0.15428077298188617]),
}
SHAPES = {"W1": (2, 4), "b1": (4,), "W2": (4, 3), "b2": (3,)}


def _copy(d):
    return {k: np.array(v, copy=True) for k, v in d.items()}


def _scalar(value, what):
    if value is None:
        fail(f"{what} is None: did you forget to `return` it?")
    arr = as_array(value, what)
    if arr.shape != ():
        fail(f"{what} should be a single number, got an array of shape {arr.shape}"
             + (" (`float(...)` or `.item()` turns a one-entry array into a number)"
                if arr.size == 1 else ""))
    return float(arr)


def _unchanged(before, after, what):
    for k in before:
        if not np.array_equal(before[k], after[k]):
            fail(f"your function changed {what}[{k!r}] in place; the caller still needs it")


# ---------------------------------------------------------------------------------- forward
def _unpack_forward(result, what):
    if result is None:
        fail(f"{what} returned None: return the pair (P, cache)")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{what} should return the pair (P, cache), got {type(result).__name__}"
             + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
    P, cache = result
    if not isinstance(cache, dict):
        fail(f"the cache should be a dict with the keys H1, A1, Z, P; got "
             f"{type(cache).__name__}")
    missing = [k for k in ("H1", "A1", "Z", "P") if k not in cache]
    if missing:
        fail(f"your cache is missing the keys {missing}: backward needs H1, A1, Z and P")
    return P, cache


def _forward_example(forward):
    params, X = _copy(PARAMS_EX), X_EX.copy()
    P, cache = _unpack_forward(forward(params, X), "forward(params, X)")
    _unchanged(PARAMS_EX, params, "params")
    if not np.array_equal(X, X_EX):
        fail("your function changed X in place")
    m, K, H = 5, 3, 4
    H1 = as_array(cache["H1"], "cache['H1']")
    if H1.shape == (H, m):
        fail("cache['H1'] has shape (4, 5), the transpose of (m, H) = (5, 4): samples are "
             "rows, so H1 = X W1 + b1 with X (m, n) and W1 (n, H)")
    H1 = as_array(H1, "cache['H1']", (m, H))
    if np.allclose(H1, X_EX @ PARAMS_EX["W1"]):
        fail("cache['H1'] equals X W1: the bias b1 is missing")
    expect_close(H1, H1_EX, "cache['H1'] of the worked example")
    A1 = as_array(cache["A1"], "cache['A1']", (m, H))
    if np.allclose(A1, H1_EX):
        fail("cache['A1'] equals H1: apply the ReLU, A1 = max(H1, 0)")
    expect_close(A1, A1_EX, "cache['A1'] = ReLU(H1) of the worked example")
    Z = as_array(cache["Z"], "cache['Z']", (m, K))
    if np.allclose(Z, H1_EX @ PARAMS_EX["W2"] + PARAMS_EX["b2"]):
        fail("cache['Z'] was computed from H1; it is A1 W2 + b2, from the ReLU's output")
    if np.allclose(Z, A1_EX @ PARAMS_EX["W2"]):
        fail("cache['Z'] equals A1 W2: the bias b2 is missing")
    expect_close(Z, Z_EX, "cache['Z'] of the worked example")
    P = as_array(P, "P", (m, K))
    if np.allclose(P.sum(axis=0), 1) and not np.allclose(P.sum(axis=1), 1):
        fail("the columns of P sum to 1, not its rows: the softmax runs along axis 1")
    expect_close(P, P_EX, "P of the worked example")
    expect_close(cache["P"], P_EX, "cache['P'] (the same P as the one returned)")
    return "H1, A1, Z, P of a 2-4-3 net on 5 samples, with exact zeros in H1"


def _forward_edges(forward):
    rng = np.random.default_rng(6)
    params = {"W1": rng.normal(size=(5, 4)), "b1": rng.normal(size=4),
              "W2": rng.normal(size=(4, 3)) * 300, "b2": rng.normal(size=3)}
    P, cache = _unpack_forward(forward(params, rng.normal(size=(7, 5)) * 3),
                               "forward with large weights")
    P = as_array(P, "P for 7 samples of 5 features, H = 4, K = 3", (7, 3))
    for k, shape in {"H1": (7, 4), "A1": (7, 4), "Z": (7, 3)}.items():
        as_array(cache[k], f"cache[{k!r}] for 7 samples, H = 4, K = 3", shape)
    if not np.all(np.isfinite(P)):
        fail("logits in the hundreds give nan or inf in P: use a stable softmax (subtract "
             "each row's maximum)")
    if not np.allclose(P.sum(axis=1), 1):
        fail("the rows of P do not sum to 1")
    P, cache = _unpack_forward(forward(_copy(PARAMS_EX), np.array([[1, 2]])),
                               "forward on one integer sample")
    expect_close(P, P_EX[:1], "P for the single integer sample [[1, 2]]")
    return "shapes, stable for large logits, m = 1, integer input"


forward = Exercise(
    name="forward",
    signature="forward(params, X) -> (P, cache), cache = {'H1', 'A1', 'Z', 'P'}",
    checks=[Check("worked example", _forward_example), Check("edge cases", _forward_edges)],
    hints=[
        "Four lines, one per equation: H1 = X W1 + b1, A1 = ReLU(H1), Z = A1 W2 + b2, "
        "P = softmax(Z). Then return P and a dict of all four.",
        "`H1 = X @ params['W1'] + params['b1']` (b1 of shape (H,) broadcasts over the rows), "
        "`A1 = np.maximum(H1, 0)`, `Z = A1 @ params['W2'] + params['b2']`, `P = softmax(Z)`; "
        "`return P, {'H1': H1, 'A1': A1, 'Z': Z, 'P': P}`.",
    ],
)


# ------------------------------------------------------------------------------------- loss
def _loss_example(loss):
    got0 = _scalar(loss(_copy(PARAMS_EX), X_EX.copy(), Y_EX.copy(), 0.0),
                   "loss(params, X, y, lam=0)")
    if np.isclose(got0, 5 * LOSS_EX[0.0]):
        fail(f"with lam = 0 you got {got0:.6g}, 5 times the expected {LOSS_EX[0.0]:.6g}: you "
             f"summed the 5 samples' losses instead of taking their mean")
    expect_close(got0, LOSS_EX[0.0], "loss(params, X, y, lam=0) of the worked example")
    got2 = _scalar(loss(_copy(PARAMS_EX), X_EX.copy(), Y_EX.copy(), 2.0),
                   "loss(params, X, y, lam=2)")
    penalty, m = got2 - got0, 5
    known = {2 / m: "lam/m (||W1||^2 + ||W2||^2): the penalty has lam/(2m)",
             2 / 2: "lam/2 (||W1||^2 + ||W2||^2): the 1/m is missing",
             2.0: "lam (||W1||^2 + ||W2||^2): the factor is lam/(2m)"}
    for factor, message in known.items():
        if np.isclose(penalty, factor * SQ_WEIGHTS_EX):
            fail(f"raising lam from 0 to 2 added {penalty:.6g}, which is {message}")
    if np.isclose(penalty, 2 / (2 * m) * (SQ_WEIGHTS_EX + SQ_BIASES_EX)):
        fail("your penalty includes the biases; only W1 and W2 are penalised")
    expect_close(penalty, 2 / (2 * m) * SQ_WEIGHTS_EX,
                 "loss(lam=2) - loss(lam=0), the penalty lam/(2m)(||W1||^2 + ||W2||^2)")
    return f"lam = 0 gives {LOSS_EX[0.0]:.4f}; lam = 2 adds 2/(2*5) * 20.25 = 4.05"


def _loss_edges(loss):
    zero = {"W1": np.zeros((2, 4)), "b1": np.zeros(4), "W2": np.zeros((4, 3)),
            "b2": np.zeros(3)}
    for lam in (0.0, 3.0):
        got = _scalar(loss(_copy(zero), X_EX.copy(), Y_EX.copy(), lam),
                      f"loss with all-zero parameters, lam={lam}")
        expect_close(got, np.log(3), f"loss with all-zero parameters and lam = {lam} "
                                     f"(P is uniform, so the loss is ln K = ln 3)")
    params, X, y = _copy(PARAMS_EX), X_EX.copy(), Y_EX.copy()
    loss(params, X, y, 1.0)
    _unchanged(PARAMS_EX, params, "params")
    if not np.array_equal(X, X_EX) or not np.array_equal(y, Y_EX):
        fail("your function changed X or y in place")
    got = _scalar(loss(_copy(PARAMS_EX), np.array([[1, 2]]), np.array([0]), 0.0),
                  "loss of one integer sample")
    expect_close(got, -np.log(P_EX[0, 0]), "loss of the single sample [[1, 2]] with label 0")
    return "ln K for zero weights, m = 1, integer input, inputs unchanged"


loss = Exercise(
    name="loss",
    signature="loss(params, X, y, lam) -> J, a number",
    checks=[Check("worked example", _loss_example), Check("edge cases", _loss_edges)],
    hints=[
        "Two parts: the mean over the m samples of -log P[i, y_i] (P from your forward), plus "
        "the penalty lam/(2m)(||W1||^2 + ||W2||^2) from 04.",
        "`P, _ = forward(params, X)`, `m = X.shape[0]`, "
        "`data = -np.mean(np.log(P[np.arange(m), y]))`, then "
        "`return data + l2_penalty(params, lam, m)`.",
    ],
)


# --------------------------------------------------------------------------------- backward
def _grads(result, what, shapes=SHAPES):
    if result is None:
        fail(f"{what} returned None: return the dict of gradients")
    if not isinstance(result, dict):
        fail(f"{what} should return a dict with the keys W1, b1, W2, b2, got "
             f"{type(result).__name__}")
    missing = [k for k in shapes if k not in result]
    if missing:
        fail(f"your dict of gradients is missing the keys {missing}")
    out = {}
    for k, shape in shapes.items():
        g = as_array(result[k], f"your gradient [{k!r}]")
        if g.shape != shape:
            if g.shape == shape[::-1]:
                fail(f"your gradient [{k!r}] has shape {g.shape}, the transpose of {k}'s "
                     f"{shape}: a product is the wrong way round (the gradient of a parameter "
                     f"always has the parameter's shape)")
            fail(f"your gradient [{k!r}] has shape {g.shape}, expected {shape}, the shape of "
                 f"{k}")
        out[k] = g
    if "X" in result:
        out["X"] = as_array(result["X"], "your gradient ['X']")
    return out


def _backward_example(backward):
    params, cache, X, y = _copy(PARAMS_EX), _copy(CACHE_EX), X_EX.copy(), Y_EX.copy()
    g = _grads(backward(params, cache, X, y, 0.0), "backward(params, cache, X, y, lam=0)")
    _unchanged(PARAMS_EX, params, "params")
    _unchanged(CACHE_EX, cache, "cache")
    if not np.array_equal(X, X_EX):
        fail("your function changed X in place")
    m, n = 5, 2
    b2 = GRADS_EX["b2"]
    for ratio, message in {m: "5 times too large: the 1/m in dZ = (P - Y)/m is missing",
                           1 / m: "5 times too small: dZ already has the 1/m, so db2 is the "
                                  "SUM of its rows, not their mean",
                           -1: "of the wrong sign: dZ = (P - Y)/m, not (Y - P)/m"}.items():
        if np.allclose(g["b2"], ratio * b2):
            fail(f"your gradient ['b2'] is {message}")
    expect_close(g["b2"], b2, "your gradient ['b2'] (lam = 0)")
    expect_close(g["W2"], GRADS_EX["W2"], "your gradient ['W2'] = A1^T dZ (lam = 0)")
    if np.allclose(g["b1"], DB1_MASK_GE):
        fail("your gradient ['b1'] lets the gradient through where H1 = 0 exactly: the mask "
             "is [H1 > 0], strictly (ReLU'(0) is taken as 0), not [H1 >= 0]")
    if np.allclose(g["b1"], DB1_NO_MASK):
        fail("your gradient ['b1'] ignores the ReLU: multiply dA1 by the mask [H1 > 0] "
             "before summing")
    if np.allclose(g["b1"], GRADS_EX["b1"] * m / n):
        fail("your gradient ['b1'] is divided by n, the number of features, as in the source "
             "derivation; the average is over the m samples")
    if np.allclose(g["b1"], GRADS_EX["b1"] / m):
        fail("your gradient ['b1'] is 5 times too small: dH1 already has the 1/m, so db1 is "
             "the SUM of its rows, not their mean")
    expect_close(g["b1"], GRADS_EX["b1"], "your gradient ['b1'] (lam = 0)")
    expect_close(g["W1"], GRADS_EX["W1"], "your gradient ['W1'] = X^T dH1 (lam = 0)")
    if "X" in g:
        expect_close(g["X"], GRADS_EX["X"], "your (optional) gradient ['X'] = dH1 W1^T")
    return "all four gradients of the worked example, with ties at H1 = 0"


def _backward_l2(backward):
    g0 = _grads(backward(_copy(PARAMS_EX), _copy(CACHE_EX), X_EX.copy(), Y_EX.copy(), 0.0),
                "backward with lam = 0")
    g2 = _grads(backward(_copy(PARAMS_EX), _copy(CACHE_EX), X_EX.copy(), Y_EX.copy(), 2.0),
                "backward with lam = 2")
    for b in ("b1", "b2"):
        if not np.allclose(g2[b], g0[b]):
            fail(f"your gradient [{b!r}] changes with lam: the biases are not penalised")
    for w in ("W1", "W2"):
        added = g2[w] - g0[w]
        for factor, message in {0.8: "2 lam/m W, the gradient of lam/m ||W||^2 (with lam/(2m)"
                                     " ||W||^2 the 2 cancels)",
                                0.2: "lam/(2m) W: the penalty's coefficient, but the gradient "
                                     "of ||W||^2 is 2W",
                                2.0: "lam W: the 1/m is missing",
                                0.0: "nothing: the penalty's gradient (lam/m) W is missing"
                                }.items():
            if np.allclose(added, factor * PARAMS_EX[w]):
                fail(f"raising lam from 0 to 2 added {message} to your gradient [{w!r}]")
        expect_close(added, 0.4 * PARAMS_EX[w],
                     f"gradient [{w!r}] with lam = 2 minus with lam = 0, (lam/m) {w}")
    return "lam = 2 adds (lam/m) W = 0.4 W to the weights' gradients, nothing to the biases'"


def _backward_m1(backward):
    cache = {k: v[:1].copy() for k, v in CACHE_EX.items()}
    g = _grads(backward(_copy(PARAMS_EX), cache, np.array([[1, 2]]), np.array([0]), 0.0),
               "backward on one integer sample")
    for k in SHAPES:
        expect_close(g[k], GRADS_M1[k], f"your gradient [{k!r}] for the first sample alone "
                                        f"(m = 1; H1 = [1, 0, 0, -0.5] has two ties)")
    return "m = 1 with ties at H1 = 0, integer X"


backward = Exercise(
    name="backward",
    signature="backward(params, cache, X, y, lam) -> {'W1', 'b1', 'W2', 'b2'[, 'X']}",
    checks=[Check("worked example", _backward_example), Check("the L2 term", _backward_l2),
            Check("one sample", _backward_m1)],
    hints=[
        "Go backwards one equation at a time, starting from dZ = (P - Y)/m with P = "
        "cache['P']. Each step is one line of the table in the notebook. Check each result's "
        "shape against its parameter's shape.",
        "dW2 = A1^T dZ, db2 = dZ summed over the rows, dA1 = dZ W2^T, dH1 = dA1 * [H1 > 0], "
        "dW1 = X^T dH1, db1 = dH1 summed over the rows. Then add (lam/m) W to dW1 and dW2 only.",
        "`Y = np.eye(K)[y]`; `dZ = (cache['P'] - Y) / m`; `dH1 = (dZ @ params['W2'].T) * "
        "(cache['H1'] > 0)`; `dW1 = X.T @ dH1 + lam / m * params['W1']`; `db1 = "
        "dH1.sum(axis=0)`, and the same pattern for W2, b2.",
    ],
)


# ----------------------------------------------------------------------- numerical_gradient
def _numgrad_known(numerical_gradient):
    x = np.array([1.0, 2.0, -1.0])
    h = 1e-5
    got = as_array(numerical_gradient(lambda v: np.sum(v ** 3), x), "numerical_gradient of "
                   "f(x) = sum(x^3) at x = [1, 2, -1]", (3,))
    exact = 3 * np.array([1.0, 2.0, -1.0]) ** 2
    if np.allclose(got, exact, rtol=1e-8, atol=1e-8):
        return "f(x) = sum(x^3) at [1, 2, -1]: [3, 12, 3] to 1e-8"
    x0 = np.array([1.0, 2.0, -1.0])
    forward_diff = ((x0 + h) ** 3 - x0 ** 3) / h
    backward_diff = (x0 ** 3 - (x0 - h) ** 3) / h
    if np.allclose(got, forward_diff, rtol=1e-8, atol=1e-8):
        fail(f"you got {np.array2string(got, precision=8)}, off by about 3 x h (h/2 times "
             f"the second derivative 6x): that is a forward difference (f(x + h) - f(x)) / h, "
             f"whose error shrinks only like h. The central difference "
             f"(f(x + h) - f(x - h)) / 2h is accurate to order h^2")
    if np.allclose(got, backward_diff, rtol=1e-8, atol=1e-8):
        fail("that is a backward difference (f(x) - f(x - h)) / h, accurate only to order h; "
             "use the central difference (f(x + h) - f(x - h)) / 2h")
    if np.allclose(got, 2 * exact, rtol=1e-6):
        fail("your gradient is twice the true one: divide f(x + h) - f(x - h) by 2h, not h")
    if np.allclose(got, exact / 2, rtol=1e-6):
        fail("your gradient is half the true one: divide f(x + h) - f(x - h) by 2h, not 4h")
    expect_close(got, exact, "numerical_gradient of sum(x^3) at [1, 2, -1]", rtol=1e-8)
    return "f(x) = sum(x^3) at [1, 2, -1]: [3, 12, 3]"


def _numgrad_restores(numerical_gradient):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 3))
    before = x.copy()
    got = as_array(numerical_gradient(lambda v: np.sum(np.sin(v) * v), x),
                   "numerical_gradient on a (2, 3) array", (2, 3))
    if not np.array_equal(x, before):
        worst = float(np.max(np.abs(x - before)))
        fail(f"x is not as it was after your function (an entry moved by {worst:.3g}): save "
             f"each entry's old value and put it back exactly (x[i] = old), rather than "
             f"adding and subtracting h")
    expect_close(got, np.cos(before) * before + np.sin(before),
                 "numerical_gradient of sum(sin(x) x) on a (2, 3) array", rtol=1e-7)
    # f reads x through a closure, as loss(params, ...) reads params["W1"]
    b = rng.normal(size=4)
    got = as_array(numerical_gradient(lambda _: float(np.sum(b ** 2)), b),
                   "numerical_gradient of a function that reads x from outside", (4,))
    if np.allclose(got, 0):
        fail("a function that reads x from outside (as `lambda _: loss(params, X, y, lam)` "
             "reads params) got a zero gradient: perturb x itself, in place, not a copy")
    expect_close(got, 2 * b, "numerical_gradient of sum(b^2) with f reading b from outside",
                 rtol=1e-7)
    return "x restored exactly; 1-D and 2-D arrays; f may read x from outside"


def _numgrad_h(numerical_gradient):
    x = np.array([1.0, -2.0])
    got = as_array(numerical_gradient(lambda v: np.sum(v ** 3), x, h=1e-3),
                   "numerical_gradient(f, x, h=1e-3)", (2,))
    # the central difference of x^3 is exactly 3 x^2 + h^2
    if np.allclose(got, 3 * x ** 2 + 1e-10, rtol=1e-10, atol=1e-12) and \
            not np.allclose(got, 3 * x ** 2 + 1e-6, rtol=1e-10, atol=1e-12):
        fail("your function ignores its h argument: numerical_gradient(f, x, h=1e-3) must "
             "step by 1e-3")
    expect_close(got, 3 * x ** 2 + 1e-6, "numerical_gradient of sum(x^3) with h = 1e-3 "
                 "(the central difference of x^3 is exactly 3x^2 + h^2)", rtol=1e-9,
                 atol=1e-11)
    return "uses its h argument"


numerical_gradient = Exercise(
    name="numerical_gradient",
    signature="numerical_gradient(f, x, h=1e-5) -> array of x's shape, central differences",
    checks=[Check("a known derivative", _numgrad_known),
            Check("x left as it was", _numgrad_restores),
            Check("the step h", _numgrad_h)],
    hints=[
        "Loop over every index i of x (np.ndindex(x.shape) gives them all, whatever the "
        "shape). For each one, change only x[i], evaluate f twice, and put x[i] back.",
        "`old = x[i]`; `x[i] = old + h`; `f_plus = f(x)`; `x[i] = old - h`; `f_minus = f(x)`; "
        "`x[i] = old`; `grad[i] = (f_plus - f_minus) / (2 * h)`, with grad = np.zeros(x.shape).",
    ],
)


# ------------------------------------------------------------- the source's two slips: dW2, db1
E_EX = np.array([[0.5, -0.5, 0.0, 0.0], [-1.0, 0.25, 0.5, 0.25], [0.2, 0.2, -0.6, 0.2]])
A1_SMALL = np.array([[1.0, 0.0], [2.0, 3.0], [0.0, 1.0]])
DW2_SMALL = np.array([[-0.5, 0.0, 1 / 3, 1 / 6],
                      [-0.9333333333333332, 0.31666666666666665, 0.3, 0.31666666666666665]])


def _dw2_example(dW2_from):
    got = dW2_from(E_EX.copy(), A1_SMALL.copy())
    got = as_array(got, "dW2_from(E, A1) for m = 3, H = 2, K = 4")
    if got.shape == (4, 2):
        fail("your result has shape (4, 2) = (K, H): that is (Y_hat - Y)^T X1 / m, the "
             "source's formula with the missing transpose; the gradient of W2 (H, K) has "
             "W2's shape: A1^T E / m, (H, m)(m, K)")
    got = as_array(got, "dW2_from(E, A1)", (2, 4))
    if np.allclose(got, 3 * DW2_SMALL):
        fail("your result is 3 times too large: E = Y_hat - Y has no 1/m yet, so divide by m")
    expect_close(got, DW2_SMALL, "dW2_from(E, A1) for m = 3, H = 2, K = 4")
    return "A1^T E / m, of shape (H, K)"


dW2_from = Exercise(
    name="dW2_from",
    signature="dW2_from(E, A1) -> dW2 of shape (H, K), E = P - Y (m, K), A1 (m, H)",
    checks=[Check("worked example", _dw2_example)],
    hints=[
        "Write down the shapes: E is (m, K), A1 is (m, H), the answer is (H, K). Which "
        "product of the two (with one transposed) has that shape, and sums over the samples?",
        "`A1.T @ E / m` with m = E.shape[0]: (H, m)(m, K) = (H, K), and the sum over the m "
        "samples becomes a mean.",
    ],
)

G_EX = np.array([[1.0, 0.0, -2.0], [0.5, 0.0, 1.0], [-1.0, 2.0, 0.0], [0.5, 1.0, 1.0]])
X_SMALL = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0]])


def _db1_example(db1_from):
    got = as_array(db1_from(G_EX.copy(), X_SMALL.copy()), "db1_from(G, X) for m = 4, n = 2, "
                   "H = 3")
    if got.shape == (4,):
        fail("your result has one entry per sample (shape (4,)); db1 has one entry per "
             "hidden unit, shape (H,) = (3,): sum over the samples, axis 0")
    got = as_array(got, "db1_from(G, X)", (3,))
    if np.allclose(got, [0.5, 1.5, 0.0]):
        fail("you divided by n = 2, the number of features, as the source derivation does; "
             "the mean is over the m = 4 samples, so divide by m")
    if np.allclose(got, [1.0, 3.0, 0.0]):
        fail("you summed over the samples but did not divide by m: G = (Y_hat - Y) W2^T * "
             "mask has no 1/m yet")
    expect_close(got, [0.25, 0.75, 0.0], "db1_from(G, X) for m = 4, n = 2, H = 3")
    return "the mean over the m samples of G's rows"


db1_from = Exercise(
    name="db1_from",
    signature="db1_from(G, X) -> db1 of shape (H,), G = ((P - Y) W2^T) * [H1 > 0] (m, H), "
              "X (m, n)",
    checks=[Check("worked example", _db1_example)],
    hints=[
        "Each sample i contributes row i of G to the gradient of b1 (H1 = X W1 + b1 adds b1 "
        "to every row). How many samples are averaged?",
        "`G.sum(axis=0) / m` with m = G.shape[0] (= X.shape[0]); or `G.mean(axis=0)`. "
        "X.shape[1] is n, the number of features, which has nothing to do with it.",
    ],
)

register(forward, loss, backward, numerical_gradient, dW2_from, db1_from)
