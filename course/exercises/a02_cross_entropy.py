"""02_cross_entropy: one_hot(y, K), cross_entropy(P, y) and softmax_cross_entropy_grad(Z, y)."""
import numpy as np

from . import Check, Exercise, as_array, expect_close, fail, register, unchanged

# ------------------------------------------------------------------------------------ one_hot
Y_EXAMPLE = np.array([[0.0, 0.0, 1.0],
                      [1.0, 0.0, 0.0],
                      [0.0, 1.0, 0.0],
                      [0.0, 0.0, 1.0]])   # one_hot([2, 0, 1, 2], 3)


def _one_hot_example(one_hot):
    got = as_array(one_hot(np.array([2, 0, 1, 2]), 3), "one_hot([2, 0, 1, 2], 3)")
    if got.shape == (3, 4):
        fail("one_hot([2, 0, 1, 2], 3) has shape (3, 4): it is transposed. Samples are rows, "
             "so Y has shape (m, K) = (4, 3): one row per label")
    if got.shape != (4, 3):
        fail(f"one_hot([2, 0, 1, 2], 3) has shape {got.shape}, expected (m, K) = (4, 3)")
    if np.allclose(got, 1 - Y_EXAMPLE):
        fail("your 0s and 1s are swapped: row i has a single 1, in column y[i]")
    expect_close(got, Y_EXAMPLE, "one_hot([2, 0, 1, 2], 3)")
    return "one_hot([2, 0, 1, 2], 3) is the expected 4 x 3 matrix"


def _one_hot_uses_K(one_hot):
    got = as_array(one_hot(np.array([0, 1, 1]), 5), "one_hot([0, 1, 1], 5)")
    if got.shape == (3, 2):
        fail("one_hot([0, 1, 1], 5) has shape (3, 2): the number of columns must be K = 5, "
             "not the largest label + 1. A batch need not contain every class")
    if got.shape == (5, 3):
        fail("one_hot([0, 1, 1], 5) has shape (5, 3): it is transposed; expected (3, 5)")
    expect_close(got, np.eye(5)[[0, 1, 1]], "one_hot([0, 1, 1], 5)")
    return "K columns even when the batch lacks some classes"


def _one_hot_edges(one_hot):
    expect_close(one_hot(np.array([1]), 2), [[0.0, 1.0]], "one_hot([1], 2) (m = 1, K = 2)")
    expect_close(one_hot([3, 0], 4), [[0, 0, 0, 1.0], [1.0, 0, 0, 0]],
                 "one_hot([3, 0], 4) with y a Python list")
    y = np.random.default_rng(4).integers(0, 10, size=50)
    Y = as_array(unchanged(one_hot, y, 10), "one_hot(y, 10) for 50 labels", (50, 10))
    if not (np.allclose(Y.sum(axis=1), 1) and np.array_equal(Y.argmax(axis=1), y)):
        fail("for 50 random labels, the rows of one_hot(y, 10) are not all one-hot at y[i]")
    return "m = 1, K = 2, a list of labels, 50 random labels, y left unchanged"


one_hot = Exercise(
    name="one_hot",
    signature="one_hot(y, K) -> Y of shape (m, K), y of shape (m,)",
    checks=[Check("worked example", _one_hot_example),
            Check("K columns", _one_hot_uses_K),
            Check("edge cases", _one_hot_edges)],
    hints=[
        "Start from an (m, K) array of zeros. Row i needs a single 1, in column y[i].",
        "Fancy indexing sets all m ones at once: `Y[np.arange(m), y] = 1`. "
        "(Or: row y[i] of the K x K identity matrix is the one-hot vector of y[i].)",
        "`y = np.asarray(y)`, `Y = np.zeros((len(y), K))`, `Y[np.arange(len(y)), y] = 1.0`, "
        "`return Y`.",
    ],
)


# ------------------------------------------------------------------------------ cross_entropy
P_EXAMPLE = np.array([[0.7, 0.2, 0.1],
                      [0.1, 0.5, 0.4]])
Y_LABELS = np.array([0, 2])
CE_EXAMPLE = 0.6364828379064438          # (-log 0.7 - log 0.4) / 2


def _ce_example(cross_entropy):
    got = as_array(cross_entropy(P_EXAMPLE.copy(), Y_LABELS.copy()),
                   "cross_entropy(P, y) for the worked example")
    if got.shape != ():
        fail(f"cross_entropy should return one number (the mean loss), got an array of shape "
             f"{got.shape}")
    got = float(got)
    known = {
        1.2729656758128876: "the SUM of the two losses, not their mean: divide by m",
        -0.6364828379064438: "minus the right answer: the loss is -log p, which is >= 0",
        0.2121609459688146: "the sum divided by m*K = 6: you averaged -Y*log(P) over all "
                            "entries of the matrix. Only the m entries at the labels count, "
                            "and you divide by m",
        1.363453492465837: "the mean of -log P over ALL entries of P. Only the entry of the "
                           "correct class, P[i, y[i]], counts for sample i",
        1.4695339654502446: "what P[:, y] gives: it picks columns y for every row (an m x m "
                            "array). Pair row i with column y[i]: P[np.arange(m), y]",
    }
    for value, why in known.items():
        if np.isclose(got, value, rtol=1e-6):
            fail(f"your loss is {got:.6f}, which is {why}")
    expect_close(got, CE_EXAMPLE, "cross_entropy(P, y) for P = [[0.7, 0.2, 0.1], "
                                  "[0.1, 0.5, 0.4]], y = [0, 2]")
    return "(-log 0.7 - log 0.4) / 2 = 0.636483"


def _ce_landmarks(cross_entropy):
    P = np.eye(4)[[3, 1, 0]] * 0.999 + 0.00025
    expect_close(cross_entropy(P, np.array([3, 1, 0])), -np.log(0.99925),
                 "cross_entropy for confident, correct predictions", rtol=1e-4)
    uniform = np.full((5, 10), 0.1)
    expect_close(cross_entropy(uniform, np.array([0, 3, 9, 9, 2])), np.log(10),
                 "cross_entropy of a uniform guess over K = 10 classes (should be log 10)")
    expect_close(cross_entropy(np.array([[0.25, 0.75]]), np.array([1])), -np.log(0.75),
                 "cross_entropy for m = 1, K = 2")
    return "near-perfect predictions give ~0, a uniform guess gives log K, m = 1"


def _ce_batch_size(cross_entropy):
    rng = np.random.default_rng(5)
    E = np.exp(rng.normal(size=(6, 4)))
    P = E / E.sum(axis=1, keepdims=True)
    y = rng.integers(0, 4, size=6)
    one = float(as_array(cross_entropy(P, y), "cross_entropy(P, y)"))
    twice = float(as_array(cross_entropy(np.vstack([P, P]), np.concatenate([y, y])),
                           "cross_entropy of the batch repeated twice"))
    if np.isclose(twice, 2 * one, rtol=1e-6):
        fail("repeating the batch twice doubles your loss, so it is a sum: the mean over the "
             "m samples should not depend on how many copies there are")
    expect_close(twice, one, "cross_entropy of the batch repeated twice (should equal that "
                             "of the batch once)")
    return "a mean: the same batch repeated twice has the same loss"


def _ce_tiny(cross_entropy):
    P = np.array([[1e-300, 1.0 - 1e-300], [0.5, 0.5], [0.0, 1.0]])
    y = np.array([0, 1, 1])
    got = float(as_array(unchanged(cross_entropy, P, y),
                         "cross_entropy with tiny and zero probabilities"))
    expected = (-np.log(1e-300) - np.log(0.5) - 0.0) / 3
    if not np.isfinite(got):
        fail("with P[0, 0] = 1e-300 (the correct class) and P[2, 0] = 0 (a wrong class) your "
             "loss is nan or inf. 0 * log(0) is nan in numpy: do not multiply Y by log(P); "
             "take the log of the m entries P[i, y[i]] only")
    if got < 0.9 * expected:
        fail(f"your loss is {got:.4f}, expected {expected:.4f}: -log(1e-300) = 690.8 is a "
             f"finite float. Adding a small epsilon or clipping P changes the loss of a tiny "
             f"probability; use the exact -log P[i, y[i]]")
    expect_close(got, expected, "cross_entropy with P[0, y0] = 1e-300 and an exact 0 in a "
                                "wrong class", rtol=1e-9)
    return "tiny probabilities give a large finite loss, zeros in other classes are ignored"


cross_entropy = Exercise(
    name="cross_entropy",
    signature="cross_entropy(P, y) -> float, P of shape (m, K), y of shape (m,)",
    checks=[Check("worked example", _ce_example),
            Check("landmarks", _ce_landmarks),
            Check("a mean over the batch", _ce_batch_size),
            Check("tiny probabilities", _ce_tiny)],
    hints=[
        "Sample i contributes -log of ONE entry of P: the probability of its correct class, "
        "P[i, y[i]]. The loss is the mean of these m numbers.",
        "`P[np.arange(m), y]` picks the m entries P[0, y[0]], P[1, y[1]], ... in one go "
        "(`P[:, y]` does something else: it takes whole columns). Then -np.mean(np.log(...)).",
        "`m = P.shape[0]`, `return float(-np.mean(np.log(P[np.arange(m), y])))`. No epsilon: "
        "the log of a tiny positive number is a finite float.",
    ],
)


# ------------------------------------------------------------------- softmax_cross_entropy_grad
Z_EXAMPLE = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
GRAD_EXAMPLE = np.array([[0.04501529, 0.12236424, -0.16737952],
                         [-0.33333333, 0.16666667, 0.16666667]])   # labels y = [2, 0], m = 2
WRONG_AXIS_EXAMPLE = np.array([[0.36552929, 0.44039854, -0.02371294],
                               [-0.36552929, 0.05960146, 0.02371294]])  # softmax over axis 0


def _grad_example(grad):
    got = as_array(grad(Z_EXAMPLE.copy(), np.array([2, 0])),
                   "softmax_cross_entropy_grad(Z, y) for the worked example")
    if got.shape == (3, 2):
        fail("your gradient has shape (3, 2), the transpose of Z's (2, 3): dJ/dZ has one entry "
             "per logit, so it has Z's shape (m, K)")
    if got.shape != (2, 3):
        fail(f"your gradient has shape {got.shape}, expected Z's shape (m, K) = (2, 3)")
    if np.allclose(got, WRONG_AXIS_EXAMPLE, atol=1e-6):
        fail("the softmax inside is normalised over axis 0 (the samples) instead of axis 1 (the "
             "classes): each ROW of P must sum to 1")
    if np.allclose(got, 2 * GRAD_EXAMPLE, atol=1e-6):
        fail("your gradient is m = 2 times too large: that is P - Y, the gradient of the SUM "
             "of the losses. The loss is their mean, so divide by m")
    if np.allclose(got, -GRAD_EXAMPLE, atol=1e-6) or np.allclose(got, -2 * GRAD_EXAMPLE,
                                                                  atol=1e-6):
        fail("your gradient has the wrong sign: it is (P - Y)/m, not (Y - P)/m. Raising the "
             "logit of the correct class lowers the loss, so that entry must be negative")
    expect_close(got, GRAD_EXAMPLE, "softmax_cross_entropy_grad([[1, 2, 3], [0, 0, 0]], "
                                    "y=[2, 0])", rtol=1e-4, atol=1e-7)
    return "(P - Y)/m for Z = [[1, 2, 3], [0, 0, 0]], y = [2, 0]"


def _mean_loss(Z, y):
    """The mean cross-entropy of softmax(Z), written with a log-sum-exp (used to check)."""
    top = Z.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(Z - top).sum(axis=1))
    return np.mean(lse - Z[np.arange(len(y)), y])


def _grad_numerical(grad):
    rng = np.random.default_rng(6)
    Z = rng.normal(size=(4, 3)) * 2
    y = np.array([0, 2, 2, 1])
    got = as_array(grad(Z.copy(), y), "softmax_cross_entropy_grad(Z, y) for Z of shape (4, 3)")
    if got.shape != (4, 3):
        if got.shape == (3, 4):
            fail("your gradient has shape (3, 4), the transpose of Z's (4, 3): dJ/dZ has one "
                 "entry per logit, so it has Z's shape (m, K)")
        fail(f"your gradient has shape {got.shape}, expected Z's shape (4, 3)")
    h = 1e-5
    numerical = np.zeros_like(Z)
    for i in np.ndindex(Z.shape):
        Zp, Zm = Z.copy(), Z.copy()
        Zp[i] += h
        Zm[i] -= h
        numerical[i] = (_mean_loss(Zp, y) - _mean_loss(Zm, y)) / (2 * h)
    if not np.allclose(got.sum(axis=1), 0, atol=1e-6):
        cols = got.sum(axis=0)
        if np.allclose(cols, 0, atol=1e-6):
            fail("the columns of your gradient sum to 0 but its rows do not: the softmax "
                 "inside is normalised over axis 0 (the samples) instead of axis 1 (the "
                 "classes)")
        fail(f"the rows of your gradient sum to {np.array2string(got.sum(axis=1), precision=3)}"
             ", not 0 (each row of P and of Y sums to 1, so each row of P - Y sums to 0)")
    expect_close(got, numerical, "your gradient compared with central differences of the "
                                 "mean loss", rtol=1e-5, atol=1e-8)
    return "matches a numerical gradient of the mean loss, rows sum to 0"


def _grad_edges(grad):
    Z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]])
    got = as_array(unchanged(grad, Z, np.array([1, 2])),
                   "softmax_cross_entropy_grad for logits of +-1000", (2, 3))
    if not np.all(np.isfinite(got)):
        fail("logits of +-1000 give nan or inf: use a stable softmax inside (subtract each "
             "row's maximum before exponentiating)")
    expect_close(got, [[0.5, -0.5, 0.0], [1 / 6, 1 / 6, -1 / 3]],
                 "softmax_cross_entropy_grad for logits of +-1000, y = [1, 2]")
    expect_close(grad(np.array([[2.0, 0.0]]), np.array([0])),
                 [[-0.11920292, 0.11920292]], "softmax_cross_entropy_grad([[2, 0]], [0]) "
                                              "(m = 1, K = 2)", rtol=1e-4)
    expect_close(grad(np.array([[0, 0], [0, 0]]), [1, 1]), [[0.25, -0.25], [0.25, -0.25]],
                 "softmax_cross_entropy_grad for an integer Z and a list of labels")
    return "stable at +-1000, m = 1, K = 2, integer Z, inputs left unchanged"


softmax_cross_entropy_grad = Exercise(
    name="softmax_cross_entropy_grad",
    signature="softmax_cross_entropy_grad(Z, y) -> dZ of shape (m, K)",
    checks=[Check("worked example", _grad_example),
            Check("numerical gradient", _grad_numerical),
            Check("stability and edge cases", _grad_edges)],
    hints=[
        "From 01, one sample's loss has gradient y_hat - y with respect to its logits. The "
        "batch loss is the MEAN of m such losses, and sample i's loss depends on row i of Z "
        "only.",
        "So row i of dJ/dZ is (1/m) times (softmax of row i - one-hot of y[i]). All rows at "
        "once: (P - Y) / m with P = softmax(Z) and Y = one_hot(y, K).",
        "`m, K = Z.shape`, `return (softmax(Z) - one_hot(y, K)) / m`, using your own softmax "
        "and one_hot (Z may be an integer array: np.asarray(Z, dtype=float) first is safe).",
    ],
)

register(one_hot, cross_entropy, softmax_cross_entropy_grad)
