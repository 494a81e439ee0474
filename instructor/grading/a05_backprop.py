"""Hidden grading for 05_backprop: forward, loss, dZ1_by_hand, backward, dW2_from, db1_from,
source_verdicts, op_counts, numerical_gradient, kink_units.

forward, loss and backward are graded with the instructor's versions of the functions they call
(`uses` on the public side: the layers of 01-04, and for loss the forward), and backward on the
REFERENCE cache, so that a mistake made in an earlier function costs its points once, where it
is made.
"""
import numpy as np

from course import calls
from course.exercises.a05_backprop import HAND
from course.gradcheck import kink_example
from course.i18n import N_
from instructor import reference as R

from . import Case, Graded, difference
from .questions import question

WEIGHTS = ("W1", "W2")


def _params(rng, n, H, K, scale=1.0):
    return {"W1": rng.normal(size=(n, H)) * scale / np.sqrt(n), "b1": rng.normal(size=H) * 0.5,
            "W2": rng.normal(size=(H, K)) * scale / np.sqrt(H), "b2": rng.normal(size=K) * 0.5}


def _tied(rng, m, n, H, K):
    """Integer inputs, first-layer weights and b1: many pre-activations Z1 are exactly 0."""
    X = rng.integers(-2, 3, size=(m, n)).astype(float)
    params = {"W1": rng.integers(-1, 2, size=(n, H)).astype(float),
              "b1": rng.integers(-1, 2, size=H).astype(float),
              "W2": rng.normal(size=(H, K)), "b2": rng.normal(size=K) * 0.5}
    assert np.sum(X @ params["W1"] + params["b1"] == 0) >= 3, "a tie case without ties"
    return params, X


def _tied_single(rng, n, H, K):
    X = np.array([[1.0, -1.0, 2.0, 0.0][:n]])
    params = {"W1": rng.integers(-1, 2, size=(n, H)).astype(float), "b1": np.zeros(H),
              "W2": rng.normal(size=(H, K)), "b2": rng.normal(size=K) * 0.5}
    params["b1"][:2] = -(X @ params["W1"])[0, :2]  # two exact ties, whatever W1 came out as
    return params, X


def _labels(rng, m, K):
    return rng.integers(0, K, size=m)


def _snap(got, expected, rtol=1e-5):
    """got, with each array that is within rtol of expected RELATIVE TO THE ARRAY'S LARGEST
    ENTRY replaced by expected. A float32 computation of Z1 = X W1 + b1 over n = 256 features
    misses an entry near 0 by ~1e-7 of the array's scale: right, though not to 1e-5 of itself."""
    if isinstance(expected, dict) and isinstance(got, dict):
        return {k: _snap(got[k], expected[k], rtol) if k in expected else v
                for k, v in got.items()}
    if isinstance(expected, tuple) and isinstance(got, tuple) and len(got) == len(expected):
        return tuple(_snap(g, e, rtol) for g, e in zip(got, expected))
    if isinstance(got, np.ndarray) and isinstance(expected, np.ndarray) and \
            got.shape == expected.shape and np.all(np.isfinite(expected)) and expected.size:
        scale = float(np.abs(expected).max())
        if np.all(np.isfinite(got)) and np.allclose(got, expected, rtol=rtol,
                                                    atol=rtol * scale * 0.1):
            return expected
    return got


# ---------------------------------------------------------------------------------- forward
def forward_cases(rng):
    cases = [Case(f"random, m={m}, n={n}, H={H}, K={K}", (_params(rng, n, H, K),
                                                          rng.normal(size=(m, n))), (0, 1))
             for m, n, H, K in [(1, 3, 4, 2), (5, 4, 6, 3), (20, 16, 8, 10), (7, 256, 32, 10)]]
    params, X = _tied(rng, 6, 4, 5, 3)
    cases.append(Case("integer X and W1 with exact zeros in Z1", (params, X), (0, 1)))
    cases.append(Case("integer X (an int array)", (_params(rng, 3, 4, 3),
                                                   rng.integers(-3, 4, size=(4, 3))), (0, 1)))
    big = _params(rng, 4, 5, 3)
    big["W2"] = big["W2"] * 2000.0
    cases.append(Case("logits in the thousands", (big, rng.normal(size=(5, 4)) * 2), (0, 1)))
    return cases


def _forward_variant(relu_hidden=True, z2_from="A1", b1=True, b2=True, axis=1,
                     relu_logits=False, cache_A1="A1"):
    def forward(params, X):
        X = np.asarray(X, dtype=float)
        Z1 = X @ params["W1"] + (params["b1"] if b1 else 0.0)
        A1 = np.maximum(Z1, 0.0) if relu_hidden else Z1
        Z2 = (A1 if z2_from == "A1" else Z1) @ params["W2"] + (params["b2"] if b2 else 0.0)
        S = np.maximum(Z2, 0.0) if relu_logits else Z2
        S = S - S.max(axis=axis, keepdims=True)
        P = np.exp(S) / np.exp(S).sum(axis=axis, keepdims=True)
        return P, {"Z1": Z1, "A1": A1 if cache_A1 == "A1" else Z1, "Z2": Z2, "P": P}
    return forward


def forward_compare(got, expected, case):
    return difference(_snap(got, expected), expected)


FORWARD_MISTAKES = {
    N_("no ReLU between the layers: A1 = Z1"): _forward_variant(relu_hidden=False),
    N_("Z2 computed from Z1 instead of A1: the output layer's input is the ReLU's output"):
        _forward_variant(z2_from="Z1"),
    N_("the bias b1 left out of Z1"): _forward_variant(b1=False),
    N_("the bias b2 left out of Z2"): _forward_variant(b2=False),
    N_("the softmax taken over axis 0 (the samples) instead of axis 1 (the classes)"):
        _forward_variant(axis=0),
    N_("a ReLU applied to the logits Z2 as well"): _forward_variant(relu_logits=True),
    N_("cache['A1'] holds Z1 (the pre-activation) instead of the ReLU's output"):
        _forward_variant(cache_A1="Z1"),
}


# ------------------------------------------------------------------------------------- loss
def loss_cases(rng):
    cases = []
    for m, n, H, K, lam in [(6, 4, 5, 3, 0.5), (1, 3, 4, 2, 1.0), (20, 16, 8, 10, 2.0),
                            (10, 256, 16, 10, 0.1), (8, 5, 4, 3, 0.0)]:
        cases.append(Case(f"random, m={m}, n={n}, H={H}, K={K}, lam={lam}",
                          (_params(rng, n, H, K, scale=2.0), rng.normal(size=(m, n)),
                           _labels(rng, m, K), lam), (0, 1, 2)))
    cases.append(Case("integer X, integer lam", (_params(rng, 3, 4, 3),
                                                 rng.integers(-3, 4, size=(5, 3)),
                                                 _labels(rng, 5, 3), 3), (0, 1, 2)))
    return cases


def _loss_variant(data="mean", factor=lambda lam, m: lam / (2 * m), keys=WEIGHTS):
    def loss(params, X, y, lam):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y).astype(int)
        m = X.shape[0]
        logp = R.log_softmax(R.forward(params, X)[1]["Z2"])
        picked = logp[np.arange(m), y]
        d = {"mean": -np.mean(picked), "sum": -np.sum(picked), "all": -np.mean(logp)}[data]
        return float(d + factor(lam, m) * sum(np.sum(np.asarray(params[k], float) ** 2)
                                              for k in keys))
    return loss


LOSS_MISTAKES = {
    N_("lam/m instead of lam/(2m) in front of the squared norms"):
        _loss_variant(factor=lambda lam, m: lam / m),
    N_("the penalty's 1/m is missing: lam/2 (||W1||^2 + ||W2||^2)"):
        _loss_variant(factor=lambda lam, m: lam / 2),
    N_("penalising the biases too"): _loss_variant(keys=("W1", "b1", "W2", "b2")),
    N_("no L2 penalty at all"): _loss_variant(factor=lambda lam, m: 0.0),
    N_("the sum of the samples' cross-entropies instead of their mean"):
        _loss_variant(data="sum"),
    N_("-log P averaged over every class, not just each sample's correct class"):
        _loss_variant(data="all"),
}


# ---------------------------------------------------------------------------- dZ1_by_hand
def _hand(dZ2=HAND["dZ2"], W2=HAND["W2"], Z1=HAND["Z1"], gate="mask"):
    dA1 = dZ2 @ W2.T
    gates = {"mask": (Z1 > 0).astype(float), ">=": (Z1 >= 0).astype(float),
             "none": np.ones_like(Z1), "A1": np.maximum(Z1, 0.0), "Z1": Z1}
    return {"dA1": dA1, "dZ1": dA1 * gates[gate]}


HAND_MISTAKES = {
    N_("the mask [Z1 >= 0]: a unit at exactly 0 passes no gradient (ReLU'(0) is taken as 0)"):
        _hand(gate=">="),
    N_("no mask at all: dZ1 = dA1"): _hand(gate="none"),
    N_("dA1 multiplied by A1 = ReLU(Z1) instead of by the mask [Z1 > 0]"): _hand(gate="A1"),
    N_("dA1 multiplied by Z1 itself instead of by the mask [Z1 > 0]"): _hand(gate="Z1"),
    N_("dA1 as a column (H, 1), W2 dZ2^T: samples are rows, so dA1 = dZ2 W2^T is (1, H)"):
        {"dA1": (HAND["W2"] @ HAND["dZ2"].T), "dZ1": (HAND["W2"] @ HAND["dZ2"].T) *
         (HAND["Z1"].T > 0)},
    N_("the sign of dZ2 flipped"): _hand(dZ2=-HAND["dZ2"]),
}


# --------------------------------------------------------------------------------- backward
_BACKWARD = R.backward  # the function itself: while a caller of backward is graded, the name
#                        R.backward is this wrapper (instructor.grading.provided)


def backward_reference(params, cache, X, y, lam, *, with_dX=False):
    """The four parameter gradients (dX is optional for the student: compared when given)."""
    return _BACKWARD(params, cache, X, y, lam, with_dX=with_dX)


def backward_cases(rng):
    cases = []
    specs = [(6, 4, 5, 3, 0.7), (1, 3, 4, 2, 0.5), (10, 8, 6, 10, 0.0), (32, 20, 16, 10, 1.3),
             (5, 3, 4, 4, 0.2), (12, 7, 7, 3, 0.4)]  # the last: n = H, as on USPS
    for m, n, H, K, lam in specs:
        params, X = _params(rng, n, H, K, scale=2.0), rng.normal(size=(m, n))
        label = f"random, m={m}, n={n}, H={H}, K={K}, lam={lam}" + (" (n = H)" if n == H
                                                                     else "")
        cases.append(Case(label, (params, R.forward(params, X)[1], X, _labels(rng, m, K), lam),
                          (0, 1, 2, 3)))
    for m, n, H, K, lam in [(8, 5, 6, 4, 0.5), (1, 4, 5, 3, 0.0)]:
        params, X = _tied(rng, m, n, H, K) if m > 1 else _tied_single(rng, n, H, K)
        cases.append(Case(f"exact zeros in Z1 (integer X and W1), m={m}, lam={lam}",
                          (params, R.forward(params, X)[1], X, _labels(rng, m, K), lam),
                          (0, 1, 2, 3)))
    params = _params(rng, 3, 4, 3)
    X = rng.integers(-3, 4, size=(4, 3))
    cases.append(Case("integer X (an int array), integer lam",
                      (params, R.forward(params, X)[1], X, _labels(rng, 4, 3), 2), (0, 1, 2, 3)))
    return cases


def backward_compare(got, expected, case):
    """The four gradients; dX too when the student returned one under "X"."""
    problem = difference(got, expected)
    if problem or not (isinstance(got, dict) and "X" in got):
        return problem
    params, cache, X = case.args[:3]
    dX = _BACKWARD(params, cache, X, case.args[3], case.args[4])["X"]
    return difference(got["X"], dX, path="result['X']")


def _backward_variant(scale_dz=True, sign=1.0, l2=lambda lam, m: lam / m, mask=">",
                      dW2_T=False, dW1_T=False, l2_keys=WEIGHTS, db="sum", db1_div_n=False,
                      dW1_source=False, db2_rows=False, out_input="A1"):
    def backward(params, cache, X, y, lam):
        X = np.asarray(X, dtype=float)
        m, n = X.shape
        P, Z1 = cache["P"], cache["Z1"]
        dZ2 = sign * (P - R.one_hot(y, P.shape[1])) / (m if scale_dz else 1.0)
        dA1 = dZ2 @ params["W2"].T
        masks = {">": Z1 > 0, ">=": Z1 >= 0, "none": np.ones_like(Z1)}
        dZ1 = dA1 * masks[mask]
        reduce = (lambda G: G.sum(axis=0)) if db == "sum" else (lambda G: G.mean(axis=0))
        A_in = cache[out_input]
        g = {"W1": (dZ1.T @ X) if dW1_T else X.T @ dZ1,
             "b1": reduce(dZ1) * (m / n if db1_div_n else 1.0),
             "W2": (dZ2.T @ A_in) if dW2_T else A_in.T @ dZ2,
             "b2": dZ2 if db2_rows else reduce(dZ2)}
        if dW1_source:  # source 000: X masked by the hidden unit of the same index
            g["W1"] = (X * (Z1 > 0)).T @ dA1
        for k in l2_keys:
            g[k] = g[k] + l2(lam, m) * (params[k] if np.shape(g[k]) == np.shape(params[k])
                                        else params[k].T)
        return g
    return backward


BACKWARD_MISTAKES = {
    N_("the 1/m is missing: dZ2 = P - Y instead of (P - Y)/m"): _backward_variant(scale_dz=False),
    N_("the sign flipped: dZ2 = (Y - P)/m"): _backward_variant(sign=-1.0),
    N_("2 lam/m W, the gradient of lam/m ||W||^2 (with the lam/(2m) convention the 2 cancels)"):
        _backward_variant(l2=lambda lam, m: 2 * lam / m),
    N_("lam/(2m) W: the penalty's coefficient used as its gradient's"):
        _backward_variant(l2=lambda lam, m: lam / (2 * m)),
    N_("the L2 gradient (lam/m) W left out"): _backward_variant(l2=lambda lam, m: 0.0),
    N_("the L2 gradient added to W2 only, not to W1"): _backward_variant(l2_keys=("W2",)),
    N_("the mask [Z1 >= 0] instead of [Z1 > 0] (ReLU'(0) is taken as 0)"):
        _backward_variant(mask=">="),
    N_("no ReLU step: dZ1 = dA1"): _backward_variant(mask="none"),
    N_("the output layer's backward given Z1 as its input instead of A1 (its input is the "
       "ReLU's output)"): _backward_variant(out_input="Z1"),
    N_("dW2 computed as dZ2^T A1, of shape (K, H): the transpose the shapes require is missing "
       "(source 000's slip)"): _backward_variant(dW2_T=True),
    N_("dW1 computed as dZ1^T X, of shape (H, n): a transposed product"):
        _backward_variant(dW1_T=True),
    N_("penalising the biases too: (lam/m) b added to their gradients"):
        _backward_variant(l2_keys=("W1", "b1", "W2", "b2")),
    N_("db1 and db2 as the mean of the rows (dZ2 already has the 1/m, so they are sums)"):
        _backward_variant(db="mean"),
    N_("db1 divided by n, the number of features, instead of m (source 000's slip)"):
        _backward_variant(db1_div_n=True),
    N_("dW1 masked by the wrong hidden unit, (X * [Z1 > 0])^T dA1 (source 000's formula, which "
       "only has a shape when n = H)"): _backward_variant(dW1_source=True),
    N_("db2 = dZ2 with no sum over the samples, shape (m, K) (source 000's slip)"):
        _backward_variant(db2_rows=True),
}


# -------------------------------------------------------------- the source's slips: dW2, db1
def dw2_cases(rng):
    cases = []
    for m, H, K in [(3, 2, 4), (1, 5, 3), (6, 4, 4), (10, 8, 10), (64, 256, 10)]:
        E = R.softmax(rng.normal(size=(m, K))) - R.one_hot(_labels(rng, m, K), K)
        A1 = np.maximum(rng.normal(size=(m, H)), 0.0)
        cases.append(Case(f"m={m}, H={H}, K={K}", (E, A1), (0, 1)))
    return cases


def db1_cases(rng):
    cases = []
    for m, n, H in [(4, 2, 3), (10, 256, 16), (1, 3, 5), (7, 5, 5), (32, 256, 20)]:
        G = rng.normal(size=(m, H)) * (rng.random(size=(m, H)) > 0.4)
        cases.append(Case(f"m={m}, n={n}, H={H}", (G, rng.normal(size=(m, n))), (0, 1)))
    return cases


DW2_MISTAKES = {
    N_("(Y_hat - Y)^T A1 / m, of shape (K, H): source 000's missing transpose"):
        lambda E, A1: np.asarray(E, float).T @ A1 / E.shape[0],
    N_("the 1/m is missing: A1^T E"): lambda E, A1: A1.T @ np.asarray(E, float),
    N_("an entry-by-entry product where a matrix product belongs (the shapes only agree when "
       "H = K)"): lambda E, A1: np.asarray(A1, float) * np.asarray(E, float),
}
DB1_MISTAKES = {
    N_("divided by n, the number of features, instead of m, the number of samples (source "
       "000's slip)"): lambda G, X: np.asarray(G, float).sum(axis=0) / X.shape[1],
    N_("the 1/m is missing: the sum over the samples"): lambda G, X: np.asarray(G, float).sum(0),
    N_("the mean over the hidden units (axis 1) instead of over the samples (axis 0)"):
        lambda G, X: np.asarray(G, float).mean(axis=1),
}


# ------------------------------------------------------------------------- source_verdicts
SOURCE_VERDICTS = {"dW1_shape_check": True, "dW1_gradient_check": False,
                   "db2_shape_check": False}
VERDICT_MISTAKES = {
    N_("the source's dW1 passes the gradient check: it does not (read the report: W1's error "
       "is far above the tolerance); a right shape does not make a right gradient"):
        dict(SOURCE_VERDICTS, dW1_gradient_check=True),
    N_("the source's dW1 fails the shape check: with n = H = 256 every (256, 256) matrix has "
       "W1's shape, which is why the shape check cannot see this slip"):
        dict(SOURCE_VERDICTS, dW1_shape_check=False),
    N_("the source's db2 passes the shape check: (P - Y)/m is (m, K), one row per sample, and "
       "b2 is (K,): the sum over the samples is missing"):
        dict(SOURCE_VERDICTS, db2_shape_check=True),
}


# ------------------------------------------------------------------------------- op_counts
def op_counts_reference(n=256, H=256, K=10):
    forward = n * H + H * K                       # X W1, A1 W2 (one sample)
    backward = H * K + H * K + n * H              # dW2 = A1^T dZ2, dA1 = dZ2 W2^T, dW1
    params = n * H + H + H * K + K
    return {"forward": forward, "backward": backward,
            "finite_differences": 2 * params * forward}


OPS = op_counts_reference()
OP_MISTAKES = {
    N_("the backward pass counted with dX = dZ1 W1^T too (training does not need it)"):
        dict(OPS, backward=OPS["backward"] + 256 * 256),
    N_("one evaluation per parameter: a central difference needs two, J(x + h) and J(x - h)"):
        dict(OPS, finite_differences=OPS["finite_differences"] // 2),
    N_("the biases left out of the parameters perturbed by finite differences"):
        dict(OPS, finite_differences=2 * (256 * 256 + 256 * 10) * OPS["forward"]),
    N_("the forward pass counted as the first layer only (A1 W2 is a product too)"):
        {"forward": 256 * 256, "backward": OPS["backward"],
         "finite_differences": 2 * 68362 * 256 * 256},
    N_("the backward pass counted without dA1 = dZ2 W2^T (the product that carries the "
       "gradient back to the hidden layer)"): dict(OPS, backward=OPS["backward"] - 256 * 10),
}


# ----------------------------------------------------------------------- numerical_gradient
def numgrad_cases(rng):
    closure = Case("f reads x from outside (as loss(params, ...) reads params['W1']), "
                   "shape (2, 3)", (rng.normal(size=(2, 3)),), (0,), call=calls.with_closure)
    return [
        Case("sum(sin(x) x^2), x of shape (5,)", (calls.f_sin, rng.normal(size=5)), (1,)),
        Case("a function coupling the entries, x of shape (2, 3)",
             (calls.f_coupled, rng.normal(size=(2, 3))), (1,)),
        Case("a function coupling the entries, x of shape (4,)",
             (calls.f_coupled, rng.normal(size=4)), (1,)),
        Case("log-sum-exp plus a cubic, x of shape (3, 2)",
             (calls.f_logsumexp, rng.normal(size=(3, 2))), (1,)),
        Case("sum(exp(2x)), a single entry", (calls.f_exp, rng.normal(size=1)), (1,)),
        Case("sum(sin(x) x^2) with h = 1e-4 given", (calls.f_sin, rng.normal(size=(2, 2)), 1e-4),
             (1,)),
        Case("sum(exp(2x)) with a coarse h = 0.3 given", (calls.f_exp, rng.normal(size=3), 0.3),
             (1,)),
        closure,
    ]


def _numgrad_variant(kind):
    def numerical_gradient(f, x, h=1e-5):
        if kind == "copy":
            x = np.array(x, copy=True)
        if kind == "fixed_h":
            h = 1e-5
        grad = np.zeros(x.shape)
        if kind == "all_at_once":
            return grad + (f(x + h) - f(x - h)) / (2 * h)
        for i in np.ndindex(x.shape):
            old = x[i]
            x[i] = old + h
            f_plus = f(x)
            x[i] = old - h
            f_minus = f(x)
            if kind != "not_restored":
                x[i] = old
            if kind == "forward":
                grad[i] = (f_plus - f(x)) / h
            elif kind == "over_h":
                grad[i] = (f_plus - f_minus) / h
            else:
                grad[i] = (f_plus - f_minus) / (2 * h)
        return grad
    return numerical_gradient


NUMGRAD_MISTAKES = {
    N_("a forward difference (f(x + h) - f(x)) / h, accurate only to order h (use the central "
       "difference)"): _numgrad_variant("forward"),
    N_("dividing f(x + h) - f(x - h) by h instead of 2h"): _numgrad_variant("over_h"),
    N_("x not restored after each entry (x[i] left at x[i] - h), so later entries are measured "
       "at a shifted point"): _numgrad_variant("not_restored"),
    N_("every entry perturbed at once (x + h) instead of one entry at a time"):
        _numgrad_variant("all_at_once"),
    N_("a copy of x perturbed instead of x itself: an f that reads x from outside (as "
       "lambda _: loss(params, X, y, lam) does) sees no change"): _numgrad_variant("copy"),
    N_("the h given ignored (a fixed 1e-5 used instead)"): _numgrad_variant("fixed_h"),
}


# ------------------------------------------------------------------------------ kink_units
def kink_units_reference(Z1, h=1e-5):
    """The units j whose b1[j] +- h step changes the sign pattern [Z1 > 0] of column j: what
    course.gradcheck.check_gradient sets aside for b1."""
    Z1 = np.asarray(Z1, dtype=float)
    return np.flatnonzero(((Z1 + h > 0) != (Z1 - h > 0)).any(axis=0))


def kink_cases(rng):
    params, X, _unused = kink_example()
    near = rng.normal(size=(6, 8))
    near[rng.random(size=near.shape) < 0.2] *= 1e-6   # entries within h of 0, not exactly 0
    return [
        Case("Z1 of the notebook's integer network (exact zeros)",
             (R.forward(params, X)[1]["Z1"],), (0,)),
        Case("entries within h of 0 but not exactly 0, m=6, H=8", (near,), (0,)),
        Case("entries within a coarse h = 0.5 of 0", (rng.normal(size=(5, 7)), 0.5), (0,)),
        Case("no kink anywhere (every |Z1| > 1)", (rng.choice([-2.0, 3.0], size=(4, 5)),), (0,)),
        Case("one sample (m = 1), H = 6", (np.array([[0.0, 1.0, -1.0, 0.0, 2e-6, -3.0]]),),
             (0,)),
        Case("integer Z1 (an int array)", (rng.integers(-1, 2, size=(4, 6)),), (0,)),
    ]


KINK_MISTAKES = {
    N_("the samples (rows of Z1) holding a kink, not the hidden units (columns): b1[j] moves "
       "column j of Z1"): lambda Z1, h=1e-5: np.flatnonzero(
        ((np.asarray(Z1, float) + h > 0) != (np.asarray(Z1, float) - h > 0)).any(axis=1)),
    N_("only the entries exactly at 0: an entry within h of 0 crosses the kink too"):
        lambda Z1, h=1e-5: np.flatnonzero((np.asarray(Z1) == 0).any(axis=0)),
    N_("the units that are inactive somewhere (Z1 <= 0): only an entry within h of 0 changes "
       "side"): lambda Z1, h=1e-5: np.flatnonzero((np.asarray(Z1) <= 0).any(axis=0)),
    N_("a boolean per unit instead of the list of indices (np.flatnonzero turns one into the "
       "other)"): lambda Z1, h=1e-5: (((np.asarray(Z1, float) + h > 0) !=
                                   (np.asarray(Z1, float) - h > 0)).any(axis=0)),
}


GRADED = [
    Graded("forward", R.forward, forward_cases, FORWARD_MISTAKES, compare=forward_compare),
    Graded("loss", R.loss, loss_cases, LOSS_MISTAKES),
    question("dZ1_by_hand", _hand(), HAND_MISTAKES),
    Graded("backward", backward_reference, backward_cases, BACKWARD_MISTAKES,
           compare=backward_compare),
    Graded("dW2_from", R.dW2_from, dw2_cases, DW2_MISTAKES),
    Graded("db1_from", R.db1_from, db1_cases, DB1_MISTAKES),
    question("source_verdicts", SOURCE_VERDICTS, VERDICT_MISTAKES),
    question("op_counts", OPS, OP_MISTAKES),
    Graded("numerical_gradient", R.numerical_gradient, numgrad_cases, NUMGRAD_MISTAKES,
           rtol=1e-7),
    Graded("kink_units", kink_units_reference, kink_cases, KINK_MISTAKES),
]
