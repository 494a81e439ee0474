"""Hidden grading for 03_relu_mask: relu, relu_mask, column_shapes, output_layer_backward,
hidden_layer_backward."""
import numpy as np

from instructor import reference as R

from . import Case, Graded


def _ties(rng, m, H):
    """Pre-activations on a grid of halves, so that about a ninth of them are exactly 0."""
    return rng.integers(-4, 5, size=(m, H)) / 2.0


# --------------------------------------------------------------------------------------- relu
def relu_cases(rng):
    return [
        Case("random H, m=1, H=3", (rng.normal(size=(1, 3)),), (0,)),
        Case("random H, m=8, H=16", (rng.normal(size=(8, 16)),), (0,)),
        Case("exact zeros (ties at H = 0)", (_ties(rng, 5, 7),), (0,)),
        Case("integer H", (rng.integers(-3, 4, size=(4, 5)),), (0,)),
        Case("float32 H", (rng.normal(size=(3, 4)).astype(np.float32),), (0,)),
        Case("a 1-D H", (np.array([-1.0, 0.0, 2.0, -0.5]),), (0,)),
    ]


def relu_mistakes():
    return {
        "the mask [H > 0] instead of the values max(H, 0)": lambda H: R.relu_mask(H),
        "the negative part min(H, 0) instead of max(H, 0)":
            lambda H: np.minimum(np.asarray(H, dtype=float), 0.0),
        "|H| instead of max(H, 0)": lambda H: np.abs(np.asarray(H, dtype=float)),
    }


# ---------------------------------------------------------------------------------- relu_mask
def mask_cases(rng):
    return [
        Case("random H, m=1, H=4", (rng.normal(size=(1, 4)),), (0,)),
        Case("random H, m=10, H=20", (rng.normal(size=(10, 20)),), (0,)),
        Case("exact zeros (ties at H = 0)", (_ties(rng, 6, 8),), (0,)),
        Case("integer H with zeros", (rng.integers(-2, 3, size=(5, 5)),), (0,)),
        Case("float32 H with zeros", (_ties(rng, 4, 4).astype(np.float32),), (0,)),
        Case("-0.0 and tiny values", (np.array([[-0.0, 0.0, 1e-300, -1e-300, 5e-324]]),), (0,)),
    ]


def mask_mistakes():
    return {
        "the mask [H >= 0]: the course takes ReLU's derivative at exactly 0 to be 0, so ties "
        "at H = 0 must give 0": lambda H: (np.asarray(H) >= 0).astype(float),
        "np.sign(H), which is -1 (not 0) for negative entries":
            lambda H: np.sign(np.asarray(H, dtype=float)),
        "ReLU(H), the values, instead of the mask [H > 0]": lambda H: R.relu(H),
        "the mask of the negative entries, [H < 0]": lambda H: (np.asarray(H) < 0).astype(float),
    }


# ------------------------------------------------------------------------------ column_shapes
SHAPE_KEYS = ("z", "h", "Theta", "delta1", "dJ_dz", "dJ_dU", "dJ_dW")


def column_shapes_reference(Dx, Dh, Nc):
    """Seed 003's quantities for one sample, in column form (gradients w.r.t. vectors as rows,
    w.r.t. matrices in the matrix's shape)."""
    return {"z": (Dh, 1), "h": (Dh, 1), "Theta": (Nc, 1), "delta1": (1, Nc),
            "dJ_dz": (1, Dh), "dJ_dU": (Nc, Dh), "dJ_dW": (Dh, Dx)}


def shapes_cases(rng):
    return [Case(f"Dx={Dx}, Dh={Dh}, Nc={Nc}", (Dx, Dh, Nc))
            for Dx, Dh, Nc in [(256, 100, 10), (5, 3, 2), (3, 7, 4), (784, 256, 10)]]


def _as_shape(value):
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = tuple(value)
    if not isinstance(value, tuple):
        return None
    try:
        return tuple(int(v) for v in value)
    except (TypeError, ValueError):
        return None


def shapes_compare(got, expected, case):
    if not isinstance(got, dict):
        return f"the result should be a dict from names to shapes, got {type(got).__name__}"
    missing = [k for k in expected if k not in got]
    if missing:
        return f"the result is missing the keys {missing}"
    for k in expected:
        want = tuple(int(v) for v in expected[k])
        have = _as_shape(got[k])
        if have != want:
            return f"the shape of {k} is {have if have is not None else got[k]}, which is wrong"
    return None


def shapes_mistakes():
    def variant(**changes):
        def wrong(Dx, Dh, Nc):
            out = column_shapes_reference(Dx, Dh, Nc)
            out.update({k: f(Dx, Dh, Nc) for k, f in changes.items()})
            return out
        return wrong

    return {
        "h = ReLU(z) given the shape of x, (Dx, 1), as in the source derivation; it has the "
        "shape of z, (Dh, 1)": variant(h=lambda Dx, Dh, Nc: (Dx, 1)),
        "delta1 and dJ/dz as columns; the derivative of J with respect to a column vector is "
        "a row here (1 x Nc, 1 x Dh)": variant(delta1=lambda Dx, Dh, Nc: (Nc, 1),
                                               dJ_dz=lambda Dx, Dh, Nc: (Dh, 1)),
        "dJ/dU transposed, (Dh, Nc); a gradient has the shape of its matrix, (Nc, Dh)":
            variant(dJ_dU=lambda Dx, Dh, Nc: (Dh, Nc)),
        "dJ/dW in the row form's layout (Dx, Dh), the shape of W1 = W^T; W is (Dh, Dx)":
            variant(dJ_dW=lambda Dx, Dh, Nc: (Dx, Dh)),
    }


# ---------------------------------------------------------------------- output_layer_backward
def _upstream(rng, m, K):
    """A realistic dZ = (P - Y)/m."""
    return R.softmax_cross_entropy_grad(rng.normal(size=(m, K)) * 2, rng.integers(0, K, size=m))


def output_cases(rng):
    cases = []
    for m, H, K in [(1, 3, 2), (5, 4, 3), (4, 4, 4), (16, 32, 10), (3, 6, 3)]:
        A1 = R.relu(_ties(rng, m, H))
        cases.append(Case(f"m={m}, H={H}, K={K}", (_upstream(rng, m, K), A1,
                                                    rng.normal(size=(H, K))), (0, 1, 2)))
    cases.append(Case("integer A1 and W2", (_upstream(rng, 3, 2), rng.integers(0, 4, size=(3, 5)),
                                            rng.integers(-2, 3, size=(5, 2))), (0, 1, 2)))
    return cases


def output_mistakes():
    return {
        "dW2 = dZ^T A1, the transposed product (K x H), as in the source's (Y_hat - Y) X1: "
        "a gradient has its parameter's shape, so dW2 = A1^T dZ":
            lambda dZ, A1, W2: (dZ.T @ A1, dZ.sum(axis=0), dZ @ W2.T),
        "db2 as the MEAN of dZ over the samples (an extra 1/m: dZ already holds it)":
            lambda dZ, A1, W2: (A1.T @ dZ, dZ.mean(axis=0), dZ @ W2.T),
        "db2 summed over axis 1 (the classes) instead of axis 0 (the samples)":
            lambda dZ, A1, W2: (A1.T @ dZ, dZ.sum(axis=1), dZ @ W2.T),
        "db2 = dZ itself, the (m, K) matrix, not summed over the samples":
            lambda dZ, A1, W2: (A1.T @ dZ, dZ, dZ @ W2.T),
        "db2 with keepdims=True: shape (1, K) instead of b2's shape (K,)":
            lambda dZ, A1, W2: (A1.T @ dZ, dZ.sum(axis=0, keepdims=True), dZ @ W2.T),
        "dA1 = dZ W2 without the transpose (dZ W2^T is (m, K)(K, H))":
            lambda dZ, A1, W2: (A1.T @ dZ, dZ.sum(axis=0), dZ @ W2),
        "an extra 1/m in dW2 (dZ already holds it)":
            lambda dZ, A1, W2: (A1.T @ dZ / dZ.shape[0], dZ.sum(axis=0), dZ @ W2.T),
    }


# ---------------------------------------------------------------------- hidden_layer_backward
def hidden_cases(rng):
    cases = []
    for m, n, H in [(1, 3, 4), (6, 5, 4), (4, 4, 4), (16, 20, 12)]:
        X = rng.normal(size=(m, n))
        cases.append(Case(f"m={m}, n={n}, H={H}, ties at H1 = 0",
                          (rng.normal(size=(m, H)) / m, _ties(rng, m, H), X), (0, 1, 2)))
    X = rng.integers(-1, 2, size=(5, 6))
    W1 = rng.integers(-1, 2, size=(6, 3))
    cases.append(Case("integer X (H1 = X W1 with many exact zeros)",
                      (rng.normal(size=(5, 3)) / 5, (X @ W1).astype(float), X), (0, 1, 2)))
    X = rng.normal(size=(7, 3))
    cases.append(Case("no ties, m=7, n=3, H=5",
                      (rng.normal(size=(7, 5)) / 7, X @ rng.normal(size=(3, 5)), X), (0, 1, 2)))
    return cases


def _hidden_with(mask_fn, scale=1.0, transposed=False, db_axis=0):
    def wrong(dA1, H1, X):
        dH1 = dA1 * mask_fn(np.asarray(H1, dtype=float)) * scale
        X = np.asarray(X, dtype=float)
        dW1 = dH1.T @ X if transposed else X.T @ dH1
        return dW1, dH1.sum(axis=db_axis)
    return wrong


def _db1_mean(dA1, H1, X):
    dW1, db1 = R.hidden_layer_backward(dA1, H1, X)
    return dW1, db1 / np.shape(X)[0]


def hidden_mistakes():
    def gt(H):
        return (H > 0).astype(float)

    def extra_one_over_m(dA1, H1, X):
        return _hidden_with(gt, scale=1.0 / np.shape(X)[0])(dA1, H1, X)

    return {
        "no mask: dH1 = dA1, but units with H1 <= 0 pass no gradient":
            _hidden_with(lambda H: np.ones_like(H)),
        "the mask [H1 >= 0]: ties at H1 = 0 must pass no gradient, use [H1 > 0]":
            _hidden_with(lambda H: (H >= 0).astype(float)),
        "dA1 multiplied by ReLU(H1), the values, instead of by the mask [H1 > 0]":
            _hidden_with(lambda H: np.maximum(H, 0.0)),
        "an extra 1/m (dA1 already holds the 1/m of the mean loss)": extra_one_over_m,
        "dW1 = dH1^T X, the transposed product; dW1 = X^T dH1 has W1's shape (n, H)":
            _hidden_with(gt, transposed=True),
        "db1 as the MEAN of dH1 over the samples (the gradient of b1 is the plain sum; dA1 "
        "already holds the 1/m)": _db1_mean,
        "db1 summed over axis 1 (the hidden units) instead of axis 0 (the samples)":
            _hidden_with(gt, db_axis=1),
    }


GRADED = [
    Graded("relu", R.relu, relu_cases, relu_mistakes()),
    Graded("relu_mask", R.relu_mask, mask_cases, mask_mistakes()),
    Graded("column_shapes", column_shapes_reference, shapes_cases, shapes_mistakes(),
           compare=shapes_compare),
    Graded("output_layer_backward", R.output_layer_backward, output_cases, output_mistakes()),
    Graded("hidden_layer_backward", R.hidden_layer_backward, hidden_cases, hidden_mistakes()),
]
