"""01_softmax: softmax(Z), softmax_jacobian(z) and the seed's swapped cases (ce_partial)."""
import numpy as np

from . import Check, Exercise, as_array, expect_close, fail, register, unchanged

# A worked example, computed by hand: softmax([1, 2, 3]) and softmax([0, 0, 0]).
Z_EXAMPLE = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
P_EXAMPLE = np.array([[0.09003057, 0.24472847, 0.66524096], [1 / 3, 1 / 3, 1 / 3]])


def _worked_example(softmax):
    expect_close(softmax(Z_EXAMPLE.copy()), P_EXAMPLE, "softmax(Z) for Z = [[1, 2, 3], [0, 0, 0]]")
    return "softmax([1, 2, 3]) = [0.090, 0.245, 0.665]"


def _rows_sum_to_one(softmax):
    Z = np.random.default_rng(1).normal(size=(4, 5)) * 2
    P = as_array(softmax(Z), "softmax(Z) for Z of shape (4, 5)", (4, 5))
    rows, cols = P.sum(axis=1), P.sum(axis=0)
    if not np.allclose(rows, 1):
        if np.allclose(cols, 1):
            fail("your columns sum to 1, not your rows. Each row is one sample: normalise "
                 "along axis=1 (with keepdims=True), not axis=0")
        fail(f"the rows of your softmax sum to {np.array2string(rows, precision=3)}, not 1")
    if np.any(P < 0):
        fail("some probabilities are negative")
    return "rows sum to 1, entries >= 0"


def _shift_invariant(softmax):
    Z = np.random.default_rng(2).normal(size=(3, 4))
    c = np.array([[5.0], [-3.0], [100.0]])
    expect_close(softmax(Z + c), as_array(softmax(Z), "softmax(Z)"),
                 "softmax(Z + c) (c a different constant per row)", rtol=1e-4)
    return "softmax(Z + c) = softmax(Z) for a per-row constant c"


def _stable(softmax):
    Z = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]])
    P = as_array(softmax(Z), "softmax(Z) for logits of +-1000", (2, 3))
    if not np.all(np.isfinite(P)):
        fail("logits of +-1000 give nan or inf: exp(1000) overflows. Subtract each row's "
             "maximum before exponentiating (it does not change the result; see the "
             "shift-invariance above)")
    expect_close(P, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], "softmax(Z) for logits of +-1000")
    return "logits of +-1000 give finite probabilities"


def _edge_shapes(softmax):
    P = as_array(softmax(np.array([[3.0, 1.0]])), "softmax of one row with K = 2", (1, 2))
    expect_close(P, [[0.88079708, 0.11920292]], "softmax([[3, 1]])")
    P = as_array(softmax(np.array([[1, 2, 3]])), "softmax of an integer array", (1, 3))
    expect_close(P, P_EXAMPLE[:1], "softmax of the integer array [[1, 2, 3]]")
    unchanged(softmax, np.array([[1.0, 5.0, 2.0]]))
    return "m = 1, K = 2, integer input, input left unchanged"


softmax = Exercise(
    name="softmax",
    signature="softmax(Z) -> P, Z and P of shape (m, K)",
    checks=[Check("probabilities", _rows_sum_to_one),
            Check("worked example", _worked_example),
            Check("shift invariance", _shift_invariant),
            Check("numerical stability", _stable),
            Check("edge cases", _edge_shapes)],
    hints=[
        "Work one row at a time in your head: row i of P is exp(Z[i]) divided by the sum of "
        "exp(Z[i]) over that row. Which numpy axis runs along a row?",
        "`np.exp(Z).sum(axis=1, keepdims=True)` has shape (m, 1), so it broadcasts against "
        "(m, K). For stability, first compute `Z - Z.max(axis=1, keepdims=True)`: shifting a "
        "row by a constant does not change its softmax, and now the largest exponent is 0.",
        "Three lines: `S = Z - Z.max(axis=1, keepdims=True)`, `E = np.exp(S)`, "
        "`return E / E.sum(axis=1, keepdims=True)`. Don't write `Z -= ...`: that changes "
        "the caller's array.",
    ],
)


# -------------------------------------------------------------------------- softmax_jacobian
S_EXAMPLE = P_EXAMPLE[0]
J_EXAMPLE = np.diag(S_EXAMPLE) - np.outer(S_EXAMPLE, S_EXAMPLE)


def _jacobian_example(softmax_jacobian):
    J = as_array(softmax_jacobian(np.array([1.0, 2.0, 3.0])), "softmax_jacobian([1, 2, 3])",
                 (3, 3))
    if np.allclose(J, -J_EXAMPLE, atol=1e-6):
        fail("every sign is flipped: the diagonal s_i(1 - s_i) is positive and the "
             "off-diagonal -s_i s_j negative")
    off = ~np.eye(3, dtype=bool)
    if np.allclose(np.diag(J), np.diag(J_EXAMPLE), atol=1e-6) and np.any(J[off] > 0):
        fail("the diagonal is right but the off-diagonal entries are positive: for j != i, "
             "d s_i / d z_j = -s_i s_j")
    if np.allclose(J[off], J_EXAMPLE[off], atol=1e-6) and \
            not np.allclose(np.diag(J), np.diag(J_EXAMPLE), atol=1e-6):
        fail("the off-diagonal is right but the diagonal is not: for j = i, "
             "d s_i / d z_i = s_i (1 - s_i)")
    expect_close(J, J_EXAMPLE, "softmax_jacobian([1, 2, 3])")
    return "z = [1, 2, 3] gives diag(s) - s s^T"


def _jacobian_structure(softmax_jacobian):
    z = np.random.default_rng(3).normal(size=5) * 2
    J = as_array(softmax_jacobian(z.copy()), "softmax_jacobian(z) for z of shape (5,)", (5, 5))
    if not np.allclose(J, J.T, atol=1e-6):
        fail("your Jacobian is not symmetric, but diag(s) - s s^T is")
    if not np.allclose(J.sum(axis=0), 0, atol=1e-6):
        fail(f"the columns of your Jacobian sum to {np.array2string(J.sum(axis=0), precision=3)}"
             ", not 0. (The probabilities always sum to 1, so moving any z_j cannot change "
             "their sum: sum_i d s_i / d z_j = 0.)")
    expect_close(softmax_jacobian(np.array([0.0, 0.0])), [[0.25, -0.25], [-0.25, 0.25]],
                 "softmax_jacobian([0, 0])")
    unchanged(softmax_jacobian, z)
    J = as_array(softmax_jacobian(np.array([1000.0, -1000.0, 0.0])),
                 "softmax_jacobian for logits of +-1000")
    if not np.all(np.isfinite(J)):
        fail("logits of +-1000 give nan or inf: compute s with a stable softmax")
    return "symmetric, columns sum to 0, K = 2, stable"


softmax_jacobian = Exercise(
    name="softmax_jacobian",
    signature="softmax_jacobian(z) -> J, z of shape (K,), J of shape (K, K)",
    checks=[Check("worked example", _jacobian_example),
            Check("structure", _jacobian_structure)],
    hints=[
        "Entry (i, j) is d s_i / d z_j. Work out the two cases, i = j and i != j, with the "
        "quotient rule on s_i = exp(z_i) / sum_q exp(z_q).",
        "For i = j you get s_i (1 - s_i); for i != j you get -s_i s_j. Both are -s_i s_j, plus "
        "s_i on the diagonal.",
        "With s = softmax(z) as a vector of shape (K,): `np.diag(s) - np.outer(s, s)`. (Your "
        "softmax takes (m, K): pass `z[None, :]` and take row 0.)",
    ],
)


# --------------------------------------------------------------------------------- ce_partial
def _ce_partial_cases(ce_partial):
    y_hat = np.array([0.1, 0.7, 0.2])
    got = [float(ce_partial(y_hat, 1, j)) for j in range(3)]
    if np.allclose(got, [0.1 - 1, 0.7, 0.2 - 1]):
        fail("your cases are the wrong way round (just like the source derivation): the '- 1' "
             "belongs to the correct class j = t only")
    expect_close(got, [0.1, 0.7 - 1, 0.2], "[ce_partial(y_hat, t=1, j) for j in 0, 1, 2]")
    return "both cases on y_hat = [0.1, 0.7, 0.2], t = 1"


ce_partial = Exercise(
    name="ce_partial",
    signature="ce_partial(y_hat, t, j) -> dL/dz_j for one sample with correct class t",
    checks=[Check("the two cases", _ce_partial_cases)],
    hints=[
        "L = -log y_hat_t depends on z_j only through y_hat_t. Which entry of the Jacobian "
        "d y_hat_t / d z_j do you need, and what is it when j = t and when j != t?",
        "dL/dz_j = (-1 / y_hat_t) * d y_hat_t / d z_j. With j = t that is y_hat_t - 1; with "
        "j != t it is y_hat_j.",
    ],
)

register(softmax, softmax_jacobian, ce_partial)
