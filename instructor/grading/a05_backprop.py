"""Hidden grading for 05_backprop: forward, loss, backward, numerical_gradient, dW2_from,
db1_from.

backward is graded on the REFERENCE cache (instructor.reference.forward), so that a mistake in
the student's forward cannot fail it twice.
"""
import numpy as np

from instructor import reference as R

from course import calls

from . import Case, Graded, difference

WEIGHTS = ("W1", "W2")


def _params(rng, n, H, K, scale=1.0):
    return {"W1": rng.normal(size=(n, H)) * scale / np.sqrt(n), "b1": rng.normal(size=H) * 0.5,
            "W2": rng.normal(size=(H, K)) * scale / np.sqrt(H), "b2": rng.normal(size=K) * 0.5}


def _tied(rng, m, n, H, K):
    """Integer inputs and first-layer weights, integer b1: many pre-activations H1 are exactly 0."""
    X = rng.integers(-2, 3, size=(m, n)).astype(float)
    params = {"W1": rng.integers(-1, 2, size=(n, H)).astype(float),
              "b1": rng.integers(-1, 2, size=H).astype(float),
              "W2": rng.normal(size=(H, K)), "b2": rng.normal(size=K) * 0.5}
    H1 = X @ params["W1"] + params["b1"]
    assert np.sum(H1 == 0) >= 3, "a tie case without ties"
    return params, X


def _labels(rng, m, K):
    return rng.integers(0, K, size=m)


# ---------------------------------------------------------------------------------- forward
def forward_cases(rng):
    cases = [Case(f"random, m={m}, n={n}, H={H}, K={K}", (_params(rng, n, H, K),
                                                          rng.normal(size=(m, n))), (0, 1))
             for m, n, H, K in [(1, 3, 4, 2), (5, 4, 6, 3), (20, 16, 8, 10), (7, 256, 32, 10)]]
    params, X = _tied(rng, 6, 4, 5, 3)
    cases.append(Case("integer X and W1 with exact zeros in H1", (params, X), (0, 1)))
    cases.append(Case("integer X (an int array)", (_params(rng, 3, 4, 3),
                                                   rng.integers(-3, 4, size=(4, 3))), (0, 1)))
    big = _params(rng, 4, 5, 3)
    big["W2"] = big["W2"] * 2000.0
    cases.append(Case("logits in the thousands", (big, rng.normal(size=(5, 4)) * 2), (0, 1)))
    return cases


def _forward_variant(relu_hidden=True, z_from="A1", b1=True, b2=True, axis=1, stable=True,
                     relu_logits=False):
    def forward(params, X):
        X = np.asarray(X, dtype=float)
        H1 = X @ params["W1"] + (params["b1"] if b1 else 0.0)
        A1 = np.maximum(H1, 0.0) if relu_hidden else H1
        Z = (A1 if z_from == "A1" else H1) @ params["W2"] + (params["b2"] if b2 else 0.0)
        S = np.maximum(Z, 0.0) if relu_logits else Z
        if stable:
            S = S - S.max(axis=axis, keepdims=True)
        E = np.exp(S)
        P = E / E.sum(axis=axis, keepdims=True)
        return P, {"H1": H1, "A1": A1, "Z": Z, "P": P}
    return forward


def _snap(got, expected, rtol=1e-5):
    """got, with each array that is within rtol of expected RELATIVE TO THE ARRAY'S LARGEST
    ENTRY replaced by expected. A float32 computation of H1 = X W1 + b1 over n = 256 features
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


def forward_compare(got, expected, case):
    return difference(_snap(got, expected), expected)


def forward_mistakes():
    return {
        "no ReLU: A1 = H1": _forward_variant(relu_hidden=False),
        "Z computed from H1 instead of A1, the ReLU's output": _forward_variant(z_from="H1"),
        "the bias b1 left out of H1": _forward_variant(b1=False),
        "the bias b2 left out of Z": _forward_variant(b2=False),
        "the softmax taken over axis 0 (the samples) instead of axis 1 (the classes)":
            _forward_variant(axis=0),
        "an unstable softmax: exp of the raw logits overflows (subtract each row's max first)":
            _forward_variant(stable=False),
        "a ReLU applied to the logits Z as well": _forward_variant(relu_logits=True),
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
        _, cache = R.forward(params, X)
        logp = R.log_softmax(cache["Z"])
        picked = logp[np.arange(m), y]
        d = {"mean": -np.mean(picked), "sum": -np.sum(picked), "all": -np.mean(logp)}[data]
        return float(d + factor(lam, m) * sum(np.sum(np.asarray(params[k], float) ** 2)
                                              for k in keys))
    return loss


def loss_mistakes():
    return {
        "lam/m instead of lam/(2m) in front of the squared norms":
            _loss_variant(factor=lambda lam, m: lam / m),
        "the penalty's 1/m is missing: lam/2 (||W1||^2 + ||W2||^2)":
            _loss_variant(factor=lambda lam, m: lam / 2),
        "penalising the biases too": _loss_variant(keys=("W1", "b1", "W2", "b2")),
        "no L2 penalty at all": _loss_variant(factor=lambda lam, m: 0.0),
        "the sum of the samples' cross-entropies instead of their mean":
            _loss_variant(data="sum"),
        "-log P averaged over every class, not just each sample's correct class":
            _loss_variant(data="all"),
    }


# --------------------------------------------------------------------------------- backward
def backward_cases(rng):
    cases = []
    specs = [(6, 4, 5, 3, 0.7), (1, 3, 4, 2, 0.5), (10, 8, 6, 10, 0.0), (32, 20, 16, 10, 1.3),
             (5, 3, 4, 4, 0.2)]
    for m, n, H, K, lam in specs:
        params, X = _params(rng, n, H, K, scale=2.0), rng.normal(size=(m, n))
        y = _labels(rng, m, K)
        cases.append(Case(f"random, m={m}, n={n}, H={H}, K={K}, lam={lam}",
                          (params, R.forward(params, X)[1], X, y, lam), (0, 1, 2, 3)))
    for m, n, H, K, lam in [(8, 5, 6, 4, 0.5), (1, 4, 5, 3, 0.0)]:
        params, X = _tied(rng, m, n, H, K) if m > 1 else _tied_single(rng, n, H, K)
        y = _labels(rng, m, K)
        cases.append(Case(f"exact zeros in H1 (integer X and W1), m={m}, lam={lam}",
                          (params, R.forward(params, X)[1], X, y, lam), (0, 1, 2, 3)))
    params = _params(rng, 3, 4, 3)
    X = rng.integers(-3, 4, size=(4, 3))
    cases.append(Case("integer X (an int array), integer lam",
                      (params, R.forward(params, X)[1], X, _labels(rng, 4, 3), 2), (0, 1, 2, 3)))
    return cases


def _tied_single(rng, n, H, K):
    X = np.array([[1.0, -1.0, 2.0, 0.0][:n]])
    params = {"W1": rng.integers(-1, 2, size=(n, H)).astype(float), "b1": np.zeros(H),
              "W2": rng.normal(size=(H, K)), "b2": rng.normal(size=K) * 0.5}
    H1 = X @ params["W1"]
    params["b1"][:2] = -H1[0, :2]  # two exact ties, whatever W1 came out as
    return params, X


def backward_compare(got, expected, case):
    """The dX entry "X" is optional: compare it only if the student returned one."""
    if isinstance(got, dict) and isinstance(expected, dict) and "X" not in got:
        expected = {k: v for k, v in expected.items() if k != "X"}
    return difference(got, expected)


def _backward_variant(scale_dz=True, sign=1.0, l2=lambda lam, m: lam / m, mask=">",
                      dW2_T=False, dW1_T=False, l2_keys=WEIGHTS, db="sum", db1_div_n=False):
    def backward(params, cache, X, y, lam):
        X = np.asarray(X, dtype=float)
        m, n = X.shape
        P = cache["P"]
        dZ = sign * (P - R.one_hot(y, P.shape[1])) / (m if scale_dz else 1.0)
        dA1 = dZ @ params["W2"].T
        M = {">": cache["H1"] > 0, ">=": cache["H1"] >= 0, "none": np.ones_like(cache["H1"])}
        dH1 = dA1 * M[mask]
        reduce = (lambda G: G.sum(axis=0)) if db == "sum" else (lambda G: G.mean(axis=0))
        g = {"W1": (dH1.T @ X) if dW1_T else X.T @ dH1,
             "b1": reduce(dH1) * (m / n if db1_div_n else 1.0),
             "W2": (dZ.T @ cache["A1"]) if dW2_T else cache["A1"].T @ dZ,
             "b2": reduce(dZ)}
        for k in l2_keys:
            if g[k].shape == params[k].shape:
                g[k] = g[k] + l2(lam, m) * params[k]
            else:
                g[k] = g[k] + l2(lam, m) * params[k].T
        return g
    return backward


def backward_mistakes():
    return {
        "the 1/m is missing: dZ = P - Y instead of (P - Y)/m": _backward_variant(scale_dz=False),
        "the sign flipped: dZ = (Y - P)/m": _backward_variant(sign=-1.0),
        "2 lam/m W, the gradient of lam/m ||W||^2 (lam instead of lam/2: with the "
        "lam/(2m) convention the 2 cancels)": _backward_variant(l2=lambda lam, m: 2 * lam / m),
        "lam/(2m) W: the penalty's coefficient used in the gradient":
            _backward_variant(l2=lambda lam, m: lam / (2 * m)),
        "the L2 gradient (lam/m) W left out": _backward_variant(l2=lambda lam, m: 0.0),
        "the mask [H1 >= 0] instead of [H1 > 0] (ReLU'(0) is 0)": _backward_variant(mask=">="),
        "no ReLU mask: dH1 = dA1": _backward_variant(mask="none"),
        "dW2 computed as dZ^T A1, of shape (K, H): the transpose the shapes require is missing "
        "(as in the source derivation)": _backward_variant(dW2_T=True),
        "dW1 computed as dH1^T X, of shape (H, n): a transposed product":
            _backward_variant(dW1_T=True),
        "penalising the biases too: (lam/m) b added to their gradients":
            _backward_variant(l2_keys=("W1", "b1", "W2", "b2")),
        "db1 and db2 as the mean of the rows (dZ already has the 1/m, so they are sums)":
            _backward_variant(db="mean"),
        "db1 divided by n, the number of features, instead of m (the source derivation's slip)":
            _backward_variant(db1_div_n=True),
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
        closure,
    ]


def _numgrad_variant(kind):
    def numerical_gradient(f, x, h=1e-5):
        if kind == "copy":
            x = np.array(x, copy=True)
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


def numgrad_mistakes():
    return {
        "a forward difference (f(x + h) - f(x)) / h, accurate only to order h (use the "
        "central difference)": _numgrad_variant("forward"),
        "dividing f(x + h) - f(x - h) by h instead of 2h": _numgrad_variant("over_h"),
        "x not restored after each entry (x[i] left at x[i] - h), so later entries are "
        "measured at a shifted point": _numgrad_variant("not_restored"),
        "every entry perturbed at once (x + h) instead of one entry at a time":
            _numgrad_variant("all_at_once"),
        "a copy of x perturbed instead of x itself: an f that reads x from outside (as "
        "lambda _: loss(params, X, y, lam) does) sees no change": _numgrad_variant("copy"),
    }


# -------------------------------------------------------------- the source's slips: dW2, db1
def dW2_from_reference(E, A1):
    E, A1 = np.asarray(E, dtype=float), np.asarray(A1, dtype=float)
    return A1.T @ E / E.shape[0]


def db1_from_reference(G, X):
    G = np.asarray(G, dtype=float)
    return G.sum(axis=0) / G.shape[0]


def dw2_cases(rng):
    cases = []
    for m, H, K in [(3, 2, 4), (1, 5, 3), (6, 4, 4), (10, 8, 10), (64, 256, 10)]:
        P = R.softmax(rng.normal(size=(m, K)))
        E = P - R.one_hot(_labels(rng, m, K), K)
        A1 = np.maximum(rng.normal(size=(m, H)), 0.0)
        cases.append(Case(f"m={m}, H={H}, K={K}", (E, A1), (0, 1)))
    return cases


def db1_cases(rng):
    cases = []
    for m, n, H in [(4, 2, 3), (10, 256, 16), (1, 3, 5), (7, 5, 5), (32, 256, 20)]:
        G = rng.normal(size=(m, H)) * (rng.random(size=(m, H)) > 0.4)
        cases.append(Case(f"m={m}, n={n}, H={H}", (G, rng.normal(size=(m, n))), (0, 1)))
    return cases


GRADED = [
    Graded("forward", R.forward, forward_cases, forward_mistakes(), compare=forward_compare),
    Graded("loss", R.loss, loss_cases, loss_mistakes()),
    Graded("backward", R.backward, backward_cases, backward_mistakes(),
           compare=backward_compare),
    Graded("numerical_gradient", R.numerical_gradient, numgrad_cases, numgrad_mistakes(),
           rtol=1e-7),
    Graded("dW2_from", dW2_from_reference, dw2_cases, {
        "(Y_hat - Y)^T A1 / m, of shape (K, H): the source derivation's missing transpose":
            lambda E, A1: np.asarray(E, float).T @ A1 / E.shape[0],
        "the 1/m is missing: A1^T E": lambda E, A1: A1.T @ np.asarray(E, float),
    }),
    Graded("db1_from", db1_from_reference, db1_cases, {
        "divided by n, the number of features, instead of m, the number of samples (the "
        "source derivation's slip)": lambda G, X: np.asarray(G, float).sum(axis=0) / X.shape[1],
        "the 1/m is missing: the sum over the samples": lambda G, X: np.asarray(G, float).sum(0),
        "the mean over the hidden units (axis 1) instead of over the samples (axis 0)":
            lambda G, X: np.asarray(G, float).mean(axis=1),
    }),
]
