"""02_cross_entropy: one_hot as a loop, then vectorised; cross_entropy(P, y); two questions on
the batch gradient (where the 1/m enters, a hand computation), then
softmax_cross_entropy_backward(Z2, y), checked against central differences."""
import sys
from pathlib import Path

import numpy as np

from course.i18n import N_, _

from . import Check, Example, Exercise, as_array, expect_close, fail, register, unchanged
from .question import Question

# ------------------------------------------------------------------------------------ one_hot
ONE_HOT_EXAMPLES = [
    Example("y = [2, 0, 1, 2], K = 3", (np.array([2, 0, 1, 2]), 3)),
    Example(N_("y = [0, 1, 1], K = 5 (no label 2, 3 or 4 in this batch)"),
            (np.array([0, 1, 1]), 5)),
]


def _one_hot_edges(one_hot):
    expect_close(one_hot(np.array([1]), 2), [[0.0, 1.0]], "one_hot([1], 2) (m = 1, K = 2)")
    expect_close(one_hot([3, 0], 4), [[0, 0, 0, 1.0], [1.0, 0, 0, 0]],
                 N_("one_hot([3, 0], 4) with y a Python list"))
    y = np.random.default_rng(4).integers(0, 10, size=50)
    Y = as_array(unchanged(one_hot, y, 10), N_("one_hot(y, 10) for 50 labels"), (50, 10))
    if not (np.allclose(Y.sum(axis=1), 1) and np.array_equal(Y.argmax(axis=1), y)):
        fail(_("for 50 random labels, the rows of one_hot(y, 10) are not all one-hot at y[i]"))
    return N_("m = 1, K = 2, a list of labels, 50 random labels, y left unchanged")


def python_steps(fn, *args):
    """How many lines of Python outside numpy and the standard library fn(*args) runs: a few
    for array code, at least one per sample for a loop over the samples (or a comprehension,
    or a function mapped over them)."""
    steps = 0
    library = tuple({sys.prefix, sys.base_prefix, str(Path(__file__).parents[1])})

    def trace(frame, event, arg):
        nonlocal steps
        if frame.f_code.co_filename.startswith(library):
            return None
        if event in ("line", "call"):
            steps += 1
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        fn(*args)
    finally:
        sys.settrace(previous)
    return steps


def _no_loop(one_hot):
    m = 1000
    y = np.random.default_rng(5).integers(0, 10, size=m)
    steps = python_steps(one_hot, y, 10)
    if steps > m // 5:
        fail(_("for {m} labels your one_hot runs {steps} lines of Python: it loops over the "
               "samples, like one_hot_loop. Here all m ones are set at once, with no Python "
               "loop (see the numpy note above the exercise)").format(m=m, steps=steps))
    return _("{steps} lines of Python for {m} labels").format(steps=steps, m=m)


one_hot_loop = Exercise(
    name="one_hot_loop",
    signature="one_hot_loop(y, K) -> Y of shape (m, K), y of shape (m,), with a Python loop",
    examples=ONE_HOT_EXAMPLES,
    checks=[Check(N_("edge cases"), _one_hot_edges)],
    hints=[
        N_("Start from an (m, K) array of zeros: `np.zeros((m, K))` with m = len(y)."),
        N_("Then one step per sample i: row i gets a single 1, in the column of its label y[i]."),
        N_("`for i in range(m):` and one assignment with two indices, the row and the column."),
    ],
)

one_hot = Exercise(
    name="one_hot",
    signature="one_hot(y, K) -> Y of shape (m, K), y of shape (m,), with no Python loop",
    examples=ONE_HOT_EXAMPLES,
    checks=[Check(N_("edge cases"), _one_hot_edges), Check(N_("no loop"), _no_loop)],
    hints=[
        N_("The m entries to set are at (0, y[0]), (1, y[1]), ..., (m-1, y[m-1]). Which array "
           "holds the row indices 0, 1, ..., m-1?"),
        N_("With `rows = np.arange(m)`, indexing with two arrays, `Y[rows, y]`, means the m "
           "entries (rows[i], y[i]). Assigning 1 to it sets them all at once."),
        N_("Another way: row y_i of the K x K identity matrix is the one-hot row of label y_i, "
           "so indexing the rows of `np.eye(K)` with the whole array y picks all m rows at once."),
    ],
)


# ------------------------------------------------------------------------------ cross_entropy
def _ce_landmarks(cross_entropy):
    uniform = np.full((5, 10), 0.1)
    expect_close(cross_entropy(uniform, np.array([0, 3, 9, 9, 2])), np.log(10),
                 N_("cross_entropy of a uniform guess over K = 10 classes (should be log 10)"))
    P = np.eye(4)[[3, 1, 0]] * 0.999 + 0.00025
    expect_close(cross_entropy(P, np.array([3, 1, 0])), -np.log(0.99925),
                 N_("cross_entropy for confident, correct predictions"))
    got = as_array(cross_entropy(np.array([[0.25, 0.75]]), np.array([1])),
                   N_("cross_entropy for m = 1, K = 2"))
    if got.shape != ():
        fail(_("cross_entropy returns an array of shape {shape}: J is one number").format(
            shape=got.shape))
    expect_close(got, -np.log(0.75), N_("cross_entropy for m = 1, K = 2"))
    unchanged(cross_entropy, np.array([[0.2, 0.8], [0.6, 0.4]]), np.array([1, 0]))
    return N_("a uniform guess gives log K, near-perfect predictions ~0, m = 1, inputs unchanged")


def capped_loss_note(got, expected):
    """Why a loss came out far too small where a label's probability is tiny (an epsilon or a
    clip inside the log), or None. Shared by the public check and the hidden grading."""
    try:
        got, expected = float(got), float(expected)
    except (TypeError, ValueError):
        return None
    if np.isfinite(got) and 0 <= got < 0.9 * expected:
        return _("a tiny probability at a label must cost a large loss (-log 1e-300 = 690.8), "
                 "and yours is far smaller: an epsilon added inside the log, or P clipped, caps "
                 "the loss exactly where it should be large. -log of a tiny positive float is "
                 "finite: use P[i, y_i] as it is")
    return None


def _ce_tiny(cross_entropy):
    P, y = np.array([[1e-300, 1.0], [0.5, 0.5]]), np.array([0, 1])
    got = as_array(cross_entropy(P, y), N_("cross_entropy with P[0, y_0] = 1e-300"))
    expected = (-np.log(1e-300) - np.log(0.5)) / 2
    note = capped_loss_note(got, expected)
    if note:
        fail(_("for P = [[1e-300, 1], [0.5, 0.5]], y = [0, 1] your loss is {loss}: "
               "{note}").format(loss=f"{float(got):.4g}", note=note))
    expect_close(got, expected,
                 N_("cross_entropy for P = [[1e-300, 1], [0.5, 0.5]], y = [0, 1]"), rtol=1e-9)
    return N_("P[0, y_0] = 1e-300 costs -log(1e-300) = 690.8, a finite number")


cross_entropy = Exercise(
    name="cross_entropy",
    signature="cross_entropy(P, y) -> J, a float, for P of shape (m, K) and y of shape (m,)",
    examples=[Example("P = [[0.7, 0.2, 0.1], [0.1, 0.5, 0.4]], y = [0, 2]",
                      (np.array([[0.7, 0.2, 0.1], [0.1, 0.5, 0.4]]), np.array([0, 2]))),
              Example(N_("P = [[0.5, 0.5, 0], [0, 0.25, 0.75]], y = [1, 2] (exact zeros in "
                         "wrong classes)"), (np.array([[0.5, 0.5, 0.0], [0.0, 0.25, 0.75]]),
                                   np.array([1, 2])))],
    checks=[Check(N_("landmarks"), _ce_landmarks),
            Check(N_("tiny probabilities"), _ce_tiny)],
    hints=[
        N_("Sample i contributes -log of ONE entry of P: the probability of its own label, "
           "P[i, y[i]]. The loss J is the mean of these m numbers."),
        N_("The same two-array indexing as in one_hot picks all m entries P[i, y[i]] at once. "
           "(`P[:, y]` is something else: whole columns, an m x m array.)"),
        N_("Pick the m entries, take their log, average, change the sign. No epsilon and no "
           "clipping: the log of a tiny positive float is an ordinary finite number."),
    ],
)


# ----------------------------------------------------------------- the batch gradient, by hand
doubled_batch = Question(
    name="doubled_batch",
    signature="doubled_batch() -> (a, b): the factors by which J and row 0 of dZ2 change when "
              "every sample of the batch appears twice",
    hints=[
        N_("J is a mean. What happens to a mean when every number in it appears twice?"),
        N_("Row 0 of dZ2 is how J moves when row 0 of Z2 moves. Row 0's loss L_0 enters J with "
           "the weight 1/m. What is that weight once the batch has 2m rows?"),
        N_("The other copy of sample 0 has a row of its own (row m): moving row 0 does not move "
           "that copy's loss. So b is the ratio of row 0's weight in the new mean to its weight "
           "in the old one."),
    ],
)

batch_grad_by_hand = Question(
    name="batch_grad_by_hand",
    signature="batch_grad_by_hand() -> dZ2 (2 x 3) for Z2 = [[-ln 2, 0, ln 2], [0, 0, ln 2]] "
              "and y = [1, 2]",
    hints=[
        N_("Row i of dZ2 is the one-sample gradient of 01 for row i, p - e_{y_i}, times the "
           "weight of sample i's loss in the mean J."),
        N_("Row 0: p = softmax(-ln 2, 0, ln 2) = (1/7, 2/7, 4/7) from 01, label 1. Row 1: the "
           "exponentials are (1, 1, 2), label 2."),
        N_("Subtract 1 at each row's label (columns count from 0), then multiply everything by "
           "1/m with m = 2. Each row of the result sums to 0."),
    ],
)


# ------------------------------------------------------------------ softmax_cross_entropy_backward
def _mean_loss(Z, y):
    """The mean cross-entropy of softmax(Z), through a log-sum-exp (the checks' own)."""
    top = Z.max(axis=1, keepdims=True)
    log_sum = top[:, 0] + np.log(np.exp(Z - top).sum(axis=1))
    return np.mean(log_sum - Z[np.arange(len(y)), y])


def _numerical(backward):
    rng = np.random.default_rng(6)
    Z = rng.normal(size=(4, 3)) * 2
    y = np.array([0, 2, 2, 1])
    got = as_array(backward(Z.copy(), y.copy()), N_("your dZ2 for Z2 of shape (4, 3)"), (4, 3))
    h = 1e-5
    numerical = np.zeros_like(Z)
    for i in np.ndindex(Z.shape):
        Zp, Zm = Z.copy(), Z.copy()
        Zp[i] += h
        Zm[i] -= h
        numerical[i] = (_mean_loss(Zp, y) - _mean_loss(Zm, y)) / (2 * h)
    expect_close(got, numerical, N_("your dZ2 compared with central differences of the mean "
                                    "loss"), rtol=1e-5, atol=1e-8)
    return N_("agrees with central differences of the mean loss")


def _backward_edges(backward):
    expect_close(backward(np.array([[2.0, 0.0]]), np.array([0])),
                 [[-0.11920292, 0.11920292]],
                 N_("dZ2 for Z2 = [[2, 0]], y = [0] (m = 1, K = 2)"))
    expect_close(backward(np.array([[0, 0], [0, 0]]), [1, 1]), [[0.25, -0.25], [0.25, -0.25]],
                 N_("dZ2 for an integer Z2 and a list of labels"))
    unchanged(backward, np.array([[1.0, -2.0, 0.5], [0.0, 3.0, 1.0]]), np.array([1, 2]))
    return N_("m = 1, K = 2, integer Z2, labels as a list, inputs left unchanged")


softmax_cross_entropy_backward = Exercise(
    name="softmax_cross_entropy_backward",
    signature="softmax_cross_entropy_backward(Z2, y) -> dZ2 = dJ/dZ2, of shape (m, K)",
    examples=[Example("Z2 = [[1, 2, 3], [0, 0, 0]], y = [2, 0]",
                      (np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]), np.array([2, 0]))),
              Example(N_("logits of +-1000, Z2 = [[1000, -1000, 0], [-1000, -1000, -1000]], "
                         "y = [1, 2]"), (np.array([[1000.0, -1000.0, 0.0], [-1000.0] * 3]),
                                     np.array([1, 2])))],
    checks=[Check(N_("numerical gradient"), _numerical),
            Check(N_("edge cases"), _backward_edges)],
    uses=("softmax", "one_hot"),
    hints=[
        N_("Your hand computation, with letters: each row of dZ2 is a one-sample gradient from "
           "01 times the weight of that sample in the mean."),
        N_("The one-sample gradients of all m rows at once: the probabilities of each row minus "
           "the one-hot row of its label. You have a function for each of the two."),
        N_("J = (1/m) sum_i L_i, and L_i depends on row i of Z2 only, so dJ/dZ2[i, k] = "
           "(1/m) dL_i/dz_k = (1/m)(P[i, k] - Y[i, k]): one line, with your softmax and one_hot "
           "(K is Z2.shape[1])."),
    ],
)

register(one_hot_loop, one_hot, cross_entropy, doubled_batch, batch_grad_by_hand,
         softmax_cross_entropy_backward)
