"""Hidden grading for 02_cross_entropy: one_hot_loop and one_hot, cross_entropy, two questions on
the batch gradient, softmax_cross_entropy_backward."""
import numpy as np

from course.exercises.a02_cross_entropy import capped_loss_note
from course.i18n import N_
from instructor import reference as R

from . import Case, Graded, difference
from .questions import question


# ------------------------------------------------------------------------------------ one_hot
def one_hot_cases(rng):
    cases = [Case(f"random labels, m={m}, K={K}", (rng.integers(0, K, size=m), K), (0,))
             for m, K in [(1, 2), (6, 3), (40, 10)]]
    cases += [
        Case("m=1, K=10, label 9", (np.array([9]), 10), (0,)),
        Case("the largest class absent from the batch", (np.array([0, 1, 1, 0, 2]), 7), (0,)),
        Case("labels as a Python list", ([3, 0, 3, 1], 4)),
        Case("m = K = 3 (a transposed Y keeps its shape)", (np.array([2, 0, 0]), 3), (0,)),
        Case("labels of dtype int32", (np.array([1, 4, 2, 2], dtype=np.int32), 5), (0,)),
    ]
    return cases


def _labels(y):
    return np.asarray(y).astype(int).reshape(-1)


def _whole_columns(y, K):
    Y = np.zeros((len(_labels(y)), K))
    Y[:, _labels(y)] = 1.0
    return Y


def _whole_rows(y, K):
    Y = np.zeros((len(_labels(y)), K))
    Y[_labels(y)] = 1.0
    return Y


ONE_HOT_MISTAKES = {
    N_("Y transposed: shape (K, m) instead of (m, K) (samples are rows)"):
        lambda y, K: R.one_hot(y, K).T,
    N_("the number of columns taken from the labels (max(y) + 1) instead of K: a batch need not "
       "hold every class"): lambda y, K: np.eye(int(_labels(y).max()) + 1)[_labels(y)],
    N_("0s and 1s swapped"): lambda y, K: 1.0 - R.one_hot(y, K),
    N_("`Y[:, y] = 1` sets whole columns: every row gets a 1 in every column that some label "
       "names. Pair row i with column y[i]: index with two arrays"): _whole_columns,
    N_("`Y[y] = 1` sets whole rows (the rows numbered by the labels), not one entry in each "
       "row"):
        _whole_rows,
    N_("rows of np.eye(m), the number of samples, where np.eye(K), the number of classes, "
       "belongs"):
        lambda y, K: np.eye(len(_labels(y)))[_labels(y)],
    N_("the labels shifted by one (column y_i - 1): labels and columns both count from 0"):
        lambda y, K: R.one_hot((_labels(y) - 1) % K, K),
}


# ------------------------------------------------------------------------------ cross_entropy
def _probs(rng, m, K, scale=2.0):
    return R.softmax(rng.normal(size=(m, K)) * scale)


def ce_cases(rng):
    cases = []
    for m, K in [(1, 2), (5, 3), (50, 10)]:
        cases.append(Case(f"random P, m={m}, K={K}", (_probs(rng, m, K),
                                                       rng.integers(0, K, size=m)), (0, 1)))
    P = _probs(rng, 4, 5)
    P[0] = [1e-30, 0.2, 0.3, 0.3, 0.2 - 1e-30]
    P[2] = [0.0, 0.0, 1.0, 0.0, 0.0]
    cases += [
        Case("tiny probabilities (1e-30 at a label) and exact zeros in wrong classes",
             (P, np.array([0, 1, 2, 4])), (0, 1)),
        Case("P[i, y_i] = 1e-300", (np.array([[1e-300, 1.0], [0.3, 0.7]]), np.array([0, 1])),
             (0, 1)),
        Case("m = K = 4 (P[:, y] has the right number of entries)",
             (_probs(rng, 4, 4), np.array([3, 0, 1, 1])), (0, 1)),
        Case("labels as a Python list", (_probs(rng, 3, 6), [5, 0, 2])),
        Case("float32 probabilities", (_probs(rng, 6, 4).astype(np.float32),
                                       rng.integers(0, 4, size=6)), (0,)),
    ]
    return cases


def _picked(P, y):
    P = np.asarray(P, dtype=float)
    return P[np.arange(P.shape[0]), _labels(y)]


def _y_log_p_literally(P, y):
    P = np.asarray(P, dtype=float)
    with np.errstate(all="ignore"):
        return float(-np.mean(np.sum(R.one_hot(y, P.shape[1]) * np.log(P), axis=1)))


def _y_log_p_over_mk(P, y):
    P = np.asarray(P, dtype=float)
    with np.errstate(all="ignore"):
        T = R.one_hot(y, P.shape[1]) * np.log(np.clip(P, 1e-300, None))
    return float(-np.mean(T))


CE_MISTAKES = {
    N_("a sum over the samples where the mean belongs (missing 1/m)"):
        lambda P, y: float(-np.sum(np.log(_picked(P, y)))),
    N_("the m losses of the samples, not their mean: J is one number"):
        lambda P, y: -np.log(_picked(P, y)),
    N_("the log of the whole matrix P averaged over its m*K entries, instead of -log P[i, y_i] "
       "averaged over the m samples"):
        lambda P, y: float(-np.mean(np.log(np.asarray(P, float)))),
    N_("-Y * log(P) averaged over all m*K entries: divide its sum by m, not m*K"):
        _y_log_p_over_mk,
    N_("-sum_k Y[i, k] log P[i, k] computed literally: a probability of exactly 0 in a wrong "
       "class gives 0 * log 0 = 0 * (-inf) = nan. Take the log of the m entries P[i, y_i] only"):
        _y_log_p_literally,
    N_("P[:, y] (whole columns, an m x m array) instead of the m entries P[i, y_i]"):
        lambda P, y: float(-np.mean(np.log(np.asarray(P, float)[:, _labels(y)]))),
    N_("an epsilon added inside the log, which changes the loss of tiny probabilities (-log of a "
       "tiny positive float is finite)"):
        lambda P, y: float(-np.mean(np.log(_picked(P, y) + 1e-8))),
    N_("the sign: the mean of log P, not of -log P (a loss is >= 0)"):
        lambda P, y: float(np.mean(np.log(_picked(P, y)))),
    N_("the sum divided by K, the number of classes, instead of m, the number of samples"):
        lambda P, y: float(-np.sum(np.log(_picked(P, y))) / np.shape(P)[1]),
    N_("-log of the mean probability, instead of the mean of the m values -log P[i, y_i]"):
        lambda P, y: float(-np.log(np.mean(_picked(P, y)))),
    N_("np.log10 where the natural log np.log belongs"):
        lambda P, y: float(-np.mean(np.log10(_picked(P, y)))),
    N_("the logs of every probability of a row added up, instead of the log of the correct "
       "class's only"): lambda P, y: float(-np.mean(np.log(np.asarray(P, float)).sum(axis=1))),
}


def ce_compare(got, expected, case):
    """The plain comparison, and where a label's probability is tiny, what a loss far too small
    means (in the public check's words)."""
    problem = difference(got, expected)
    P, y = case.args
    if problem and _picked(P, y).min() < 1e-20:
        note = capped_loss_note(got, expected)
        problem += f"\n{note}" if note else ""
    return problem


# ----------------------------------------------------------------- the batch gradient, by hand
# (a, b): J is unchanged; each row's weight in the mean halves, 1/m -> 1/(2m).
DOUBLED_BATCH_MISTAKES = {
    N_("J as a sum of the losses: J is their mean, so it stays the same, and each row's "
       "weight 1/m becomes 1/(2m)"): (2.0, 1.0),
    N_("row 0's gradient unchanged: row 0 moves only its own loss L_0 (the copy in row m has a "
       "row of its own), and that loss's weight in the mean went from 1/m to 1/(2m)"):
        (1.0, 1.0),
    N_("J halved: J is the mean of the same losses, each of them now twice, so it does not "
       "change"): (0.5, 0.5),
}

# Row 0: p = (1/7, 2/7, 4/7), label 1; row 1: p = (1/4, 1/4, 1/2), label 2; m = 2.
_P = np.array([[1 / 7, 2 / 7, 4 / 7], [1 / 4, 1 / 4, 1 / 2]])
_Y = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
BATCH_GRAD_BY_HAND = (_P - _Y) / 2
BATCH_GRAD_BY_HAND_MISTAKES = {
    N_("the gradient of the sum of the losses, without the 1/m of the mean"): _P - _Y,
    N_("the sign: (Y - P)/m instead of (P - Y)/m"): (_Y - _P) / 2,
    N_("divided by m*K = 6 instead of m = 2: the mean is over the samples"): (_P - _Y) / 6,
    N_("P/m alone, without subtracting the one-hot labels"): _P / 2,
    N_("the labels counted from 1: columns count from 0, so label 1 is the middle column"):
        (_P - np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])) / 2,
    N_("only the entries at the labels: every class's logit moves the loss, through the "
       "softmax's shared denominator"): (_P - 1) * _Y / 2,
}


# ------------------------------------------------------------------ softmax_cross_entropy_backward
def backward_cases(rng):
    cases = []
    for m, K in [(1, 2), (1, 10), (5, 3), (32, 10)]:
        cases.append(Case(f"random logits, m={m}, K={K}", (rng.normal(size=(m, K)) * 3,
                                                            rng.integers(0, K, size=m)), (0, 1)))
    cases += [
        Case("logits of +-1000", (np.array([[1000.0, -1000.0, 0.0], [-1000.0] * 3,
                                            [999.0, 1000.0, 1000.0]]), np.array([1, 0, 2])),
             (0, 1)),
        Case("integer logits, labels as a list", (rng.integers(-4, 5, size=(4, 3)),
                                                  [0, 2, 1, 1])),
        Case("m = K = 4", (rng.normal(size=(4, 4)), np.array([1, 1, 3, 0])), (0, 1)),
        Case("float32 logits", ((rng.normal(size=(6, 5)) * 3).astype(np.float32),
                                rng.integers(0, 5, size=6)), (0, 1)),
    ]
    return cases


def _P_Y(Z, y):
    Z = np.asarray(Z, dtype=float)
    return R.softmax(Z), R.one_hot(y, Z.shape[1]), Z.shape[0]


def _axis0_softmax(Z):
    Z = np.asarray(Z, dtype=float)
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def _unstable_softmax(Z):
    E = np.exp(np.asarray(Z, dtype=float))
    return E / E.sum(axis=1, keepdims=True)


def _with(softmax):
    def backward(Z, y):
        Z = np.asarray(Z, dtype=float)
        return (softmax(Z) - R.one_hot(y, Z.shape[1])) / Z.shape[0]
    return backward


def _summed(Z, y):
    P, Y, m = _P_Y(Z, y)
    return P - Y


def _over_mk(Z, y):
    P, Y, m = _P_Y(Z, y)
    return (P - Y) / P.size


def _precedence(Z, y):
    P, Y, m = _P_Y(Z, y)
    return P - Y / m


def _rows_averaged(Z, y):
    P, Y, m = _P_Y(Z, y)
    return (P - Y).mean(axis=0)


def _over_k(Z, y):
    P, Y, m = _P_Y(Z, y)
    return (P - Y) / P.shape[1]


def _no_labels(Z, y):
    P, Y, m = _P_Y(Z, y)
    return P / m


def _diagonal_only(Z, y):
    P, Y, m = _P_Y(Z, y)
    return (P - 1) * Y / m


def _whole_columns_subtracted(Z, y):
    P, Y, m = _P_Y(Z, y)
    P[:, _labels(y)] -= 1.0
    return P / m


def _transposed(Z, y):
    P, Y, m = _P_Y(Z, y)
    return (P - Y).T / m


SCE_BACKWARD_MISTAKES = {
    N_("P - Y without the 1/m: the gradient of the SUM of the losses, not of their mean"):
        _summed,
    N_("the sign: (Y - P)/m instead of (P - Y)/m"):
        lambda Z, y: -R.softmax_cross_entropy_backward(Z, y),
    N_("the softmax taken over axis 0 (the samples) instead of axis 1 (the classes)"):
        _with(_axis0_softmax),
    N_("an unstable softmax inside (exp of the raw logits overflows at +-1000)"):
        _with(_unstable_softmax),
    N_("dividing by m*K instead of m"): _over_mk,
    N_("dividing by K, the number of classes, instead of m, the number of samples"): _over_k,
    N_("P/m alone, without subtracting the one-hot labels Y"): _no_labels,
    N_("only the entries at the labels, (P - 1)/m there and 0 elsewhere: every class's logit "
       "moves the loss, through the softmax's shared denominator"): _diagonal_only,
    N_("the result transposed: dZ2 has Z2's shape (m, K), one entry per logit"): _transposed,
    N_("1 subtracted from whole columns (`G[:, y] -= 1`) instead of one entry per row, at "
       "(i, y_i): index with two arrays"): _whole_columns_subtracted,
    N_("P - Y/m: division goes before subtraction, so only Y is divided by m. Bracket the "
       "difference: (P - Y)/m"): _precedence,
    N_("the rows averaged into one: dZ2 keeps a row per sample, each row times 1/m"):
        _rows_averaged,
}


GRADED = [
    Graded("one_hot_loop", R.one_hot, one_hot_cases, ONE_HOT_MISTAKES),
    Graded("one_hot", R.one_hot, one_hot_cases, ONE_HOT_MISTAKES),
    Graded("cross_entropy", R.cross_entropy, ce_cases, CE_MISTAKES, compare=ce_compare),
    question("doubled_batch", (1.0, 0.5), DOUBLED_BATCH_MISTAKES),
    question("batch_grad_by_hand", BATCH_GRAD_BY_HAND, BATCH_GRAD_BY_HAND_MISTAKES),
    Graded("softmax_cross_entropy_backward", R.softmax_cross_entropy_backward, backward_cases,
           SCE_BACKWARD_MISTAKES),
]
