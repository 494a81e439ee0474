"""01_softmax: softmax by hand, then softmax(Z); the Jacobian by hand, then softmax_jacobian(z);
the gradient of one sample's cross-entropy by hand, a slip of source 000 found, then ce_partial.

The questions (answered by a function of no arguments, see question.py) come before the
functions they lead to; the notebook explains each step only after its question."""
import numpy as np

from course.i18n import N_, _

from . import Check, Example, Exercise, as_array, expect_close, fail, register, unchanged
from .question import Question

# ------------------------------------------------------------------------------ the questions
softmax_by_hand = Question(
    name="softmax_by_hand",
    signature="softmax_by_hand() -> the 3 probabilities softmax(z2) for z2 = (-ln 2, 0, ln 2)",
    hints=[
        N_("Start with the numerators: what are e^(-ln 2), e^0 and e^(ln 2)? (e^(ln a) = a.)"),
        N_("The numerators are three positive numbers. The denominator is the same for all three "
           "classes: their sum. Fractions are welcome in Python: `1 / 3` is fine."),
        N_("The three probabilities are (numerator of class k) / (sum of the three numerators), "
           "and they add up to 1."),
    ],
)

softmax_shifted = Question(
    name="softmax_shifted",
    signature="softmax_shifted() -> softmax(z2) for z2 = (1000 - ln 2, 1000, 1000 + ln 2)",
    hints=[
        N_("Don't ask numpy (try it: it answers nan). On paper, e^(1000 + a) = e^1000 * e^a."),
        N_("Every numerator has the factor e^1000, and so does the denominator, their sum."),
        N_("The factor e^1000 cancels: what is left is the softmax of a row you have already "
           "worked out."),
    ],
)

stable_shift = Question(
    name="stable_shift",
    signature="stable_shift() -> 1, 2, 3, 4 or 5: the constant c to subtract from each row",
    hints=[
        N_("Try each choice in your head on a batch of two rows, (0, 2000) and (-1000, -1000): "
           "what is the largest exponent computed, and can every exponential of a row be 0?"),
        N_("exp overflows above about 709, and the denominator is 0 when every exponential "
           "underflows to 0 (below about -745). One choice makes the largest exponent exactly 0."),
        N_("After subtracting it, the largest term is e^0 = 1: nothing overflows, and the "
           "denominator is at least 1. It must be computed for each row on its own."),
    ],
)


# ------------------------------------------------------------------------------------ softmax
def _probabilities(softmax):
    Z = np.random.default_rng(1).normal(size=(4, 5)) * 2
    P = as_array(softmax(Z), N_("softmax(Z) for Z of shape (4, 5)"), (4, 5))
    rows, cols = P.sum(axis=1), P.sum(axis=0)
    if not np.allclose(rows, 1):
        if np.allclose(cols, 1):
            fail(_("your columns sum to 1, not your rows. Each row is one sample: normalise "
                   "along axis=1, the classes"))
        fail(_("the rows of your softmax sum to {sums}, not 1").format(
            sums=np.array2string(rows, precision=3)))
    if np.any(P < 0):
        fail(_("some probabilities are negative"))
    return N_("rows sum to 1, entries >= 0")


def _shift_invariant(softmax):
    Z = np.random.default_rng(2).normal(size=(3, 4))
    c = np.array([[5.0], [-3.0], [100.0]])
    expect_close(softmax(Z + c), as_array(softmax(Z), "softmax(Z)"),
                 N_("softmax(Z + c) (c a different constant for each row)"))
    return N_("softmax(Z + c) = softmax(Z) for a constant c per row")


def _edge_cases(softmax):
    P = as_array(softmax(np.array([[3.0, 1.0]])), N_("softmax of one row with K = 2"), (1, 2))
    expect_close(P, [[0.88079708, 0.11920292]], "softmax([[3, 1]])")
    P = as_array(softmax(np.array([[1, 2, 3]])), N_("softmax of an integer array"), (1, 3))
    expect_close(P, [[0.09003057, 0.24472847, 0.66524096]],
                 N_("softmax of the integer array [[1, 2, 3]]"))
    unchanged(softmax, np.array([[1.0, 5.0, 2.0], [0.0, 0.0, 0.0]]))
    return N_("m = 1, K = 2, integer input, input left unchanged")


softmax = Exercise(
    name="softmax",
    signature="softmax(Z) -> P, Z and P of shape (m, K)",
    examples=[Example("Z = [[1, 2, 3], [0, 0, 0], [2, 0, -2]]",
                      (np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [2.0, 0.0, -2.0]]),)),
              Example(N_("logits of +-1000, Z = [[1000, 0, -1000], [-1000, -1000, -1000]]"),
                      (np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]]),))],
    checks=[Check(N_("probabilities"), _probabilities),
            Check(N_("shift invariance"), _shift_invariant),
            Check(N_("edge cases"), _edge_cases)],
    hints=[
        N_("Row i of P depends on row i of Z only. In an (m, K) array, which axis runs along a "
           "row, over the K classes?"),
        N_("A reduction along the rows, `Z.max(axis=1)`, has shape (m,). Subtracting an (m,) "
           "array from an (m, K) one lines it up with the columns, not the rows: "
           "`keepdims=True` keeps the shape (m, 1), which broadcasts along each row."),
        N_("Three steps, each on the whole array: subtract each row's maximum (as an (m, 1) "
           "column), exponentiate, divide by each row's sum (again as an (m, 1) column). Make new "
           "arrays as you go: `Z -= ...` would change the caller's Z."),
    ],
)


# --------------------------------------------------------------------- the Jacobian, by hand
jacobian_2x2 = Question(
    name="jacobian_2x2",
    signature="jacobian_2x2() -> the 2 x 2 Jacobian of softmax at z2 = (0, ln 3)",
    hints=[
        N_("First p = softmax(z2): with e^0 = 1 and e^(ln 3) = 3, p = (1/4, 3/4). Entry (i, j) "
           "of the Jacobian is how fast p_i changes when z2_j moves."),
        N_("Write p_0 = e^(z_0) / S with S = e^(z_0) + e^(z_1). For (0, 0), both the numerator "
           "and S depend on z_0: use the quotient rule. For (0, 1), only S depends on z_1."),
        N_("dS/dz_j = e^(z_j). Simplify each entry until it is written with p_0 and p_1 only, "
           "then put in p = (1/4, 3/4). The entries are all of the same size; mind their "
           "signs."),
    ],
)

jacobian_signs = Question(
    name="jacobian_signs",
    signature="jacobian_signs() -> a 3 x 3 array of +1, -1 and 0: the sign of each entry of "
              "the Jacobian, K = 3, any z2",
    hints=[
        N_("Your 2 x 2 Jacobian had one sign on its diagonal and another off it. Does the "
           "argument depend on K = 2?"),
        N_("On the diagonal, raising z2_i raises its own numerator more than the shared "
           "denominator. Off the diagonal, raising z2_j leaves p_i's numerator alone."),
        N_("Every p_i is strictly positive, so no entry is exactly 0: the diagonal has one sign "
           "and every off-diagonal entry the other."),
    ],
)


# --------------------------------------------------------------------------- softmax_jacobian
def _jacobian_structure(softmax_jacobian):
    z2 = np.random.default_rng(3).normal(size=5) * 2
    J = as_array(unchanged(softmax_jacobian, z2),
                 N_("softmax_jacobian(z2) for z2 of shape (5,)"), (5, 5))
    if not np.allclose(J, J.T, atol=1e-7):
        fail(_("your Jacobian is not symmetric, but the Jacobian of softmax is: "
               "dp_i/dz_j = dp_j/dz_i"))
    sums = J.sum(axis=0)
    if not np.allclose(sums, 0, atol=1e-7):
        fail(_("the columns of your Jacobian sum to {sums}, not 0. The probabilities always "
               "sum to 1, so moving one z_j cannot change their sum: sum_i dp_i/dz_j = 0").format(
            sums=np.array2string(sums, precision=3)))
    return N_("symmetric, columns sum to 0, input left unchanged")


softmax_jacobian = Exercise(
    name="softmax_jacobian",
    signature="softmax_jacobian(z2) -> Js, z2 of shape (K,), Js of shape (K, K)",
    examples=[Example("z2 = [1, 2, 3]", (np.array([1.0, 2.0, 3.0]),)),
              Example("z2 = [1000, 0, -1000]", (np.array([1000.0, 0.0, -1000.0]),))],
    checks=[Check(N_("structure"), _jacobian_structure)],
    uses=("softmax",),
    hints=[
        N_("Your 2 x 2 computation, with letters instead of numbers, gives both kinds of entry: "
           "the diagonal (i = j) and the rest (i != j). Write each with p_i and p_j only."),
        N_("On the diagonal, dp_i/dz_i = p_i (1 - p_i); off it, dp_i/dz_j = -p_i p_j. Both are "
           "-p_i p_j plus, on the diagonal only, p_i."),
        N_("So Js is a diagonal matrix (p on its diagonal) minus the K x K matrix of all "
           "products p_i p_j: an outer product. Your softmax takes an (m, K) array: give it z2 "
           "as a single row, (1, K), and take its row 0 as p. A 1-D p has no transpose: `p.T` "
           "is p itself."),
    ],
)


# ------------------------------------------------------------------- one sample's cross-entropy
ce_grad_by_hand = Question(
    name="ce_grad_by_hand",
    signature="ce_grad_by_hand() -> the gradient dL/dz2 (3 numbers) for z2 = (-ln 2, 0, ln 2) "
              "and correct class t = 1",
    hints=[
        N_("L = -log p_t depends on z2 only through p_t. The chain rule: "
           "dL/dz2_j = (dL/dp_t) (dp_t/dz2_j). What is dL/dp_t?"),
        N_("dL/dp_t = -1 / p_t. The second factor is row t of your Jacobian: one entry on its "
           "diagonal (j = t) and the others off it (j != t)."),
        N_("p is your answer to Question 1. Classes count from 0, so t = 1 is the middle class. "
           "Multiply -1/p_t by each entry of row t and simplify before putting in numbers."),
    ],
)

source_cases = Question(
    name="source_cases",
    signature="source_cases() -> 1, 2, 3 or 4: the statement about source 000 that is true",
    hints=[
        N_("Your own answer to the previous question has one entry of the form p_j - 1 and two "
           "of the form p_j. Which j has the -1?"),
        N_("Now look at what the source computes under each label: which derivative does each "
           "computation use, dp_t/dz_t or dp_t/dz_j with j != t?"),
        N_("Both computations are right, and so is the conclusion. Compare each label with the "
           "derivative used under it."),
    ],
)


# --------------------------------------------------------------------------------- ce_partial
ce_partial = Exercise(
    name="ce_partial",
    signature="ce_partial(p, t, j) -> dL/dz2_j, a number, for one sample with probabilities p "
              "(K,) and correct class t",
    examples=[Example("p = [0.1, 0.7, 0.2], t = 1, j = 0", (np.array([0.1, 0.7, 0.2]), 1, 0)),
              Example("p = [0.1, 0.7, 0.2], t = 1, j = 1", (np.array([0.1, 0.7, 0.2]), 1, 1))],
    hints=[
        N_("It is one entry of the vector you computed by hand: which entries had a -1?"),
        N_("Two cases, decided by comparing j with t; in both, start from p[j]."),
    ],
)

register(softmax_by_hand, softmax_shifted, stable_shift, softmax, jacobian_2x2, jacobian_signs,
         softmax_jacobian, ce_grad_by_hand, source_cases, ce_partial)
