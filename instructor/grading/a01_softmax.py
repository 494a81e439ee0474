"""Hidden grading for 01_softmax: three questions on softmax, softmax; two on its Jacobian,
softmax_jacobian; one on the gradient of one sample's cross-entropy, one on source 000's slip,
ce_partial."""
import numpy as np

from course.i18n import N_
from instructor import reference as R

from . import Case, Graded
from .questions import question

# ------------------------------------------------------------------------------ the questions
# softmax(z2) for z2 = (-ln 2, 0, ln 2): the exponentials are (1/2, 1, 2), their sum 7/2.
SOFTMAX_BY_HAND = [1 / 7, 2 / 7, 4 / 7]
SOFTMAX_BY_HAND_MISTAKES = {
    N_("the exponentials (1/2, 1, 2) without dividing them by their sum"): [0.5, 1.0, 2.0],
    N_("each exponential divided by K = 3 instead of by the sum of the exponentials"):
        [1 / 6, 1 / 3, 2 / 3],
    N_("each exponential divided by the largest one instead of by their sum"): [0.25, 0.5, 1.0],
    N_("e^(-ln 2) taken as -2: e^(-ln 2) = 1/2 (an exponential is never negative)"):
        [-2.0, 1.0, 2.0],
}

SOFTMAX_SHIFTED_MISTAKES = {
    N_("what numpy answers: e^1000 overflows to inf, and inf / inf is nan. On paper the factor "
       "e^1000 is in every numerator and in the sum, and cancels"): [np.nan, np.nan, np.nan],
    N_("all the mass on the largest logit: large logits do not make the largest one certain, "
       "only the differences between logits matter"): [0.0, 0.0, 1.0],
    N_("ln 2 treated as negligible next to 1000: only the differences between the logits "
       "matter, and they are still -ln 2 and ln 2"): [1 / 3, 1 / 3, 1 / 3],
}

STABLE_SHIFT_MISTAKES = {
    N_("c = 0 is no shift at all: a logit of 1000 still computes e^1000 = inf"): 1,
    N_("the row's smallest logit: the row (0, 1000) then still computes e^1000 = inf"): 2,
    N_("the row's mean: the row (0, 2000) then still computes e^1000 = inf"): 3,
    N_("the largest logit of the whole batch: a row far below it, like (-2000, -2000) in a batch "
       "whose largest logit is 0, has every exponential underflow to 0, and 0/0 is nan"): 5,
}


# ------------------------------------------------------------------------------------ softmax
def softmax_cases(rng):
    cases = [Case(f"random logits, m={m}, K={K}", (rng.normal(size=(m, K)) * 3,), (0,))
             for m, K in [(1, 2), (1, 10), (5, 2), (7, 10), (32, 4)]]
    cases += [
        Case("m = K = 4 (a missing keepdims runs without an error)",
             (rng.normal(size=(4, 4)) * 2,), (0,)),
        Case("logits of +-1000", (np.array([[1000.0, -1000.0, 0.0], [-1000.0] * 3,
                                            [999.0, 1000.0, 1000.0]]),), (0,)),
        Case("integer logits", (rng.integers(-5, 6, size=(4, 3)),), (0,)),
        Case("large shared offset", (rng.normal(size=(3, 5)) + 800.0,), (0,)),
        Case("float32 logits", ((rng.normal(size=(6, 5)) * 3).astype(np.float32),), (0,)),
        Case("K = 1 (one class: probability 1)", (rng.normal(size=(3, 1)),), (0,)),
    ]
    return cases


def _float(Z):
    return np.asarray(Z, dtype=float)


def _unstable(Z):
    E = np.exp(_float(Z))
    return E / E.sum(axis=1, keepdims=True)


def _wrong_axis(Z):
    E = np.exp(_float(Z) - np.max(Z, axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def _one_vector(Z):
    E = np.exp(_float(Z) - np.max(Z))
    return E / E.sum()


def _global_sum(Z):
    E = np.exp(_float(Z) - np.max(Z, axis=1, keepdims=True))
    return E / E.sum()


def _global_max_shift(Z):
    E = np.exp(_float(Z) - np.max(Z))
    return E / E.sum(axis=1, keepdims=True)


def _no_normalisation(Z):
    return np.exp(_float(Z) - np.max(Z, axis=1, keepdims=True))


def _sum_without_keepdims(Z):
    E = np.exp(_float(Z) - np.max(Z, axis=1, keepdims=True))
    return E / E.sum(axis=1)


def _max_without_keepdims(Z):
    E = np.exp(_float(Z) - np.max(Z, axis=1))
    return E / E.sum(axis=1, keepdims=True)


def _shifted_by(statistic):
    def shifted(Z):
        E = np.exp(_float(Z) - statistic(_float(Z), axis=1, keepdims=True))
        return E / E.sum(axis=1, keepdims=True)
    return shifted


def _unstable_without_keepdims(Z):
    E = np.exp(_float(Z))
    return E / E.sum(axis=1)


def _shift_in_numerator_only(Z):
    Z = _float(Z)
    return np.exp(Z - Z.max(axis=1, keepdims=True)) / np.exp(Z).sum(axis=1, keepdims=True)


SOFTMAX_MISTAKES = {
    N_("an unstable softmax: exp of the raw logits overflows (subtract each row's maximum "
       "first)"): _unstable,
    N_("your columns sum to 1, not your rows: the maximum and the sum taken over axis 0 (the "
       "samples) instead of axis 1 (the classes)"): _wrong_axis,
    N_("the whole matrix treated as one vector: its maximum and its sum taken over all m*K "
       "entries instead of row by row"): _one_vector,
    N_("dividing by the sum over the whole matrix (a sum without axis=1) instead of each row's "
       "own sum"): _global_sum,
    N_("shifting each row by its smallest logit: a row like (0, 1000) still computes e^1000 = inf "
       "(subtract each row's maximum)"): _shifted_by(np.min),
    N_("shifting each row by its mean: a row like (0, 2000) still computes e^1000 = inf "
       "(subtract each row's maximum)"): _shifted_by(np.mean),
    N_("shifting by the largest logit of the whole matrix instead of each row's own (a row far "
       "below it underflows to 0/0)"): _global_max_shift,
    N_("exponentials that are never divided by their row sums"): _no_normalisation,
    N_("the row sums without keepdims=True: E.sum(axis=1) has shape (m,), so dividing by it "
       "divides column j by the sum of row j (it only runs when m = K)"): _sum_without_keepdims,
    N_("the row maxima without keepdims=True: Z.max(axis=1) has shape (m,), so subtracting it "
       "subtracts the maximum of row j from column j (it only runs when m = K)"):
        _max_without_keepdims,
    N_("the maximum subtracted in the numerator only: the denominator must be the sum of the "
       "same shifted exponentials"): _shift_in_numerator_only,
    N_("exp of the raw logits (it overflows: subtract each row's maximum first), and the row "
       "sums without keepdims=True, so that column j is divided by the sum of row j"):
        _unstable_without_keepdims,
    N_("P transposed: shape (K, m) instead of (m, K) (samples are rows)"):
        lambda Z: R.softmax(Z).T,
}


# ---------------------------------------------------------------------- the Jacobian, by hand
# At z2 = (0, ln 3), p = (1/4, 3/4): every entry is +-p_0 p_1 = +-3/16.
JACOBIAN_2X2 = [[3 / 16, -3 / 16], [-3 / 16, 3 / 16]]
JACOBIAN_2X2_MISTAKES = {
    N_("positive entries off the diagonal: raising z2_j lowers every other p_i, because it "
       "raises their shared denominator"): [[3 / 16, 3 / 16], [3 / 16, 3 / 16]],
    N_("every sign flipped: raising z2_i raises p_i, so the diagonal is positive"):
        [[-3 / 16, 3 / 16], [3 / 16, -3 / 16]],
    N_("zeros off the diagonal: p_i depends on z2_j through the denominator, which holds every "
       "e^(z2_j)"): [[3 / 16, 0.0], [0.0, 3 / 16]],
    N_("p_i (1 - p_j) in every entry: off the diagonal the numerator e^(z2_i) does not depend "
       "on z2_j, only the denominator does"): [[3 / 16, 1 / 16], [9 / 16, 3 / 16]],
    N_("p on the diagonal (the quotient rule's first term only): the denominator depends on "
       "z2_i too"): [[0.25, 0.0], [0.0, 0.75]],
}

JACOBIAN_SIGNS = [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]
JACOBIAN_SIGNS_MISTAKES = {
    N_("zeros off the diagonal: p_i depends on every z2_j through the shared denominator"):
        np.eye(3),
    N_("positive entries off the diagonal: raising z2_j lowers every other p_i"): np.ones((3, 3)),
    N_("every sign flipped: raising z2_i raises p_i, so the diagonal is positive"):
        -np.array(JACOBIAN_SIGNS, dtype=float),
}


# --------------------------------------------------------------------------- softmax_jacobian
def jacobian_cases(rng):
    cases = [Case(f"random z, K={K}", (rng.normal(size=K) * 2,), (0,)) for K in (2, 3, 10)]
    cases += [
        Case("z with entries of +-1000", (np.array([1000.0, -1000.0, 0.0, 999.0]),), (0,)),
        Case("integer z", (np.array([2, -1, 0, 3]),), (0,)),
        Case("float32 z", ((rng.normal(size=6) * 2).astype(np.float32),), (0,)),
    ]
    return cases


def _p(z):
    return R.softmax(np.asarray(z, dtype=float).reshape(1, -1))[0]


def _unstable_p(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / e.sum()


def _cases_swapped(z):
    p = _p(z)
    off = 1.0 - np.eye(len(p))
    return off * (p * (1 - p))[:, None] - np.diag(p ** 2)


JACOBIAN_MISTAKES = {
    N_("the off-diagonal sign flipped: diag(p) + p p^T"):
        lambda z: np.diag(_p(z)) + np.outer(_p(z), _p(z)),
    N_("every sign flipped: p p^T - diag(p)"): lambda z: np.outer(_p(z), _p(z)) - np.diag(_p(z)),
    N_("the two cases swapped: p_i (1 - p_i) belongs on the diagonal (i = j) and -p_i p_j off it"):
        _cases_swapped,
    N_("the identity matrix where diag(p) belongs: np.eye(K) - p p^T"):
        lambda z: np.eye(len(z)) - np.outer(_p(z), _p(z)),
    N_("only the diagonal p_i (1 - p_i): the off-diagonal entries are -p_i p_j, not 0"):
        lambda z: np.diag(_p(z) * (1 - _p(z))),
    N_("`p @ p.T`: for a 1-D p that is the dot product p . p, one number (.T does nothing to a "
       "1-D array), and for a (1, K) row a 1 x 1 matrix; the K x K outer product is "
       "np.outer(p, p)"): lambda z: np.diag(_p(z)) - _p(z) @ _p(z),
    N_("`p * p.T` with a 1-D p: that is the entry-by-entry square p_j^2 (.T does nothing to a "
       "1-D array), not the K x K outer product p_i p_j: use np.outer(p, p)"):
        lambda z: np.diag(_p(z)) - _p(z) * _p(z),
    N_("np.diag of softmax's (1, K) result: np.diag of a 2-D array takes its diagonal (here one "
       "number) instead of building a diagonal matrix. Take row 0 of the (1, K) result first"):
        lambda z: np.diag(_p(z)[None, :]) - np.outer(_p(z), _p(z)),
    N_("an unstable softmax inside (exp of the raw logits overflows)"):
        lambda z: np.diag(_unstable_p(z)) - np.outer(_unstable_p(z), _unstable_p(z)),
}


# ------------------------------------------------------------------- one sample's cross-entropy
# p = (1/7, 2/7, 4/7), t = 1: dL/dz2 = p - e_1.
CE_GRAD_BY_HAND = [1 / 7, -5 / 7, 4 / 7]
CE_GRAD_BY_HAND_MISTAKES = {
    N_("the -1 on every class except the correct one: the cases j = t and j != t swapped, as in "
       "source 000"): [1 / 7 - 1, 2 / 7, 4 / 7 - 1],
    N_("the sign flipped: e_t - p instead of p - e_t (raising the correct class's logit must "
       "lower the loss, so its entry is negative)"): [-1 / 7, 5 / 7, -4 / 7],
    N_("p alone, without the -1 of the correct class"): [1 / 7, 2 / 7, 4 / 7],
    N_("t = 1 taken as the first class: classes count from 0, like numpy's indices, so t = 1 "
       "is the middle one"): [1 / 7 - 1, 2 / 7, 4 / 7],
    N_("dL/dp instead of dL/dz2: -1/p_t at the correct class is the gradient with respect to "
       "the probabilities; the chain rule multiplies it by the softmax Jacobian"):
        [0.0, -3.5, 0.0],
    N_("only the diagonal of the Jacobian (the entry j = t): L depends on every z2_j through "
       "p_t's denominator"): [0.0, -5 / 7, 0.0],
}

# The statements, in the notebook: 1. dy_t/dz_t = y_t(1 - y_t) is wrong; 2. dy_t/dz_j =
# -y_t y_j is wrong; 3. the labels are swapped; 4. the conclusion is wrong.
SOURCE_CASES_MISTAKES = {
    N_("statement 1, but dy_t/dz_t = y_t (1 - y_t) is right: it is the diagonal entry of the "
       "Jacobian you worked out. Look at the label it is filed under"): 1,
    N_("statement 2, but dy_t/dz_j = -y_t y_j is right for j != t: it is an off-diagonal entry "
       "of your Jacobian. Look at the label it is filed under"): 2,
    N_("statement 4, but the conclusion y_hat - y is right: you found the same gradient by hand. "
       "The slip is elsewhere"): 4,
}


# --------------------------------------------------------------------------------- ce_partial
def ce_partial_cases(rng):
    cases = []
    for K in (2, 3, 10):
        p = R.softmax(rng.normal(size=(1, K)))[0]
        t = int(rng.integers(K))
        for j in sorted({t, (t + 1) % K, K - 1}):
            cases.append(Case(f"K={K}, t={t}, j={j}", (p, t, j), (0,)))
    cases.append(Case("p as a Python list, t = j = 0", ([0.25, 0.5, 0.25], 0, 0)))
    cases.append(Case("p as a Python list, t = 2, j = 1", ([0.25, 0.5, 0.25], 2, 1)))
    return cases


def _p_at(p, j):
    return float(np.asarray(p, dtype=float)[j])


CE_PARTIAL_MISTAKES = {
    N_("the cases swapped, as in source 000: p_j - 1 for j != t and p_j for j = t"):
        lambda p, t, j: _p_at(p, j) - (1.0 if j != t else 0.0),
    N_("the sign flipped: [j = t] - p_j"): lambda p, t, j: (1.0 if j == t else 0.0) - _p_at(p, j),
    N_("p_j alone, without the -1 for the correct class"): lambda p, t, j: _p_at(p, j),
    N_("p_t where p_j belongs: the entry of class j is p[j] (minus 1 if j is the correct class)"):
        lambda p, t, j: _p_at(p, t) - (1.0 if j == t else 0.0),
    N_("dL/dp instead of dL/dz2_j: -1/p_t (for j = t) is the gradient with respect to the "
       "probabilities; the chain rule multiplies it by the softmax Jacobian"):
        lambda p, t, j: -1.0 / _p_at(p, t) if j == t else 0.0,
    N_("the whole gradient vector p - e_t, where one number, its entry j, is asked for"):
        lambda p, t, j: np.asarray(p, dtype=float) - np.eye(len(p))[t],
}


GRADED = [
    question("softmax_by_hand", SOFTMAX_BY_HAND, SOFTMAX_BY_HAND_MISTAKES),
    question("softmax_shifted", SOFTMAX_BY_HAND, SOFTMAX_SHIFTED_MISTAKES),
    question("stable_shift", 4, STABLE_SHIFT_MISTAKES),
    Graded("softmax", R.softmax, softmax_cases, SOFTMAX_MISTAKES),
    question("jacobian_2x2", JACOBIAN_2X2, JACOBIAN_2X2_MISTAKES),
    question("jacobian_signs", JACOBIAN_SIGNS, JACOBIAN_SIGNS_MISTAKES),
    Graded("softmax_jacobian", R.softmax_jacobian, jacobian_cases, JACOBIAN_MISTAKES),
    question("ce_grad_by_hand", CE_GRAD_BY_HAND, CE_GRAD_BY_HAND_MISTAKES),
    question("source_cases", 3, SOURCE_CASES_MISTAKES),
    Graded("ce_partial", R.ce_partial, ce_partial_cases, CE_PARTIAL_MISTAKES),
]
