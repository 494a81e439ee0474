"""Hidden grading for 02_cross_entropy: one_hot, cross_entropy, softmax_cross_entropy_grad."""
import numpy as np

from instructor import reference as R

from . import Case, Graded


# ------------------------------------------------------------------------------------ one_hot
def one_hot_cases(rng):
    cases = [Case(f"random labels, m={m}, K={K}", (rng.integers(0, K, size=m), K), (0,))
             for m, K in [(1, 2), (6, 3), (40, 10)]]
    cases += [
        Case("m=1, K=10, label 9", (np.array([9]), 10), (0,)),
        Case("the largest class absent from the batch", (np.array([0, 1, 1, 0, 2]), 7), (0,)),
        Case("labels as a Python list", ([3, 0, 3, 1], 4)),
        Case("m=K=3 (a transposed Y keeps its shape)", (np.array([2, 0, 0]), 3), (0,)),
    ]
    return cases


def one_hot_mistakes():
    def transposed(y, K):
        return R.one_hot(y, K).T

    def k_from_labels(y, K):
        y = np.asarray(y)
        return np.eye(int(y.max()) + 1)[y]

    def swapped_zeros_ones(y, K):
        return 1.0 - R.one_hot(y, K)

    return {
        "Y transposed: shape (K, m) instead of (m, K) (samples are rows)": transposed,
        "the number of columns taken from the labels (max(y) + 1) instead of K": k_from_labels,
        "0s and 1s swapped": swapped_zeros_ones,
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
        Case("m=K=4 (P[:, y] has the right number of entries)",
             (_probs(rng, 4, 4), np.array([3, 0, 1, 1])), (0, 1)),
        Case("labels as a Python list", (_probs(rng, 3, 6), [5, 0, 2])),
        Case("float32 probabilities", (_probs(rng, 6, 4).astype(np.float32),
                                       rng.integers(0, 4, size=6)), (0,)),
    ]
    return cases


def ce_mistakes():
    def picked(P, y):
        P = np.asarray(P, dtype=float)
        return P[np.arange(P.shape[0]), np.asarray(y).astype(int)]

    def total(P, y):
        return float(-np.sum(np.log(picked(P, y))))

    def mean_all_entries(P, y):
        P = np.asarray(P, dtype=float)
        return float(-np.mean(np.log(P)))

    def mean_y_log_p(P, y):
        P = np.asarray(P, dtype=float)
        with np.errstate(all="ignore"):
            T = R.one_hot(y, P.shape[1]) * np.log(np.clip(P, 1e-300, None))
        return float(-np.mean(T))

    def columns(P, y):
        P = np.asarray(P, dtype=float)
        return float(-np.mean(np.log(P[:, np.asarray(y).astype(int)])))

    def epsilon(P, y):
        return float(-np.mean(np.log(picked(P, y) + 1e-8)))

    def positive(P, y):
        return float(np.mean(np.log(picked(P, y))))

    return {
        "a sum over the samples where the mean belongs (missing 1/m)": total,
        "the log of the whole matrix P averaged over all its m*K entries, instead of "
        "-log P[i, y_i] averaged over the m samples": mean_all_entries,
        "-Y * log(P) averaged over all m*K entries (divide the sum by m, not m*K)": mean_y_log_p,
        "P[:, y] (whole columns for every row) instead of P[np.arange(m), y]": columns,
        "an epsilon added inside the log, which changes the loss of tiny probabilities "
        "(-log of a tiny positive float is finite)": epsilon,
        "the sign: mean of log P instead of -log P": positive,
    }


# ------------------------------------------------------------------- softmax_cross_entropy_grad
def grad_cases(rng):
    cases = []
    for m, K in [(1, 2), (1, 10), (5, 3), (32, 10)]:
        cases.append(Case(f"random logits, m={m}, K={K}", (rng.normal(size=(m, K)) * 3,
                                                            rng.integers(0, K, size=m)), (0, 1)))
    cases += [
        Case("logits of +-1000", (np.array([[1000.0, -1000.0, 0.0], [-1000.0] * 3,
                                            [999.0, 1000.0, 1000.0]]), np.array([1, 0, 2])),
             (0, 1)),
        Case("integer logits, labels as a list", (rng.integers(-4, 5, size=(4, 3)), [0, 2, 1, 1])),
        Case("m=K=4", (rng.normal(size=(4, 4)), np.array([1, 1, 3, 0])), (0, 1)),
        Case("float32 logits", (rng.normal(size=(6, 5)).astype(np.float32) * 3,
                                rng.integers(0, 5, size=6)), (0, 1)),
    ]
    return cases


def grad_mistakes():
    def unstable_softmax(Z):
        E = np.exp(np.asarray(Z, dtype=float))
        return E / E.sum(axis=1, keepdims=True)

    def summed(Z, y):
        Z = np.asarray(Z, dtype=float)
        return R.softmax(Z) - R.one_hot(y, Z.shape[1])

    def flipped(Z, y):
        return -R.softmax_cross_entropy_grad(Z, y)

    def wrong_axis(Z, y):
        Z = np.asarray(Z, dtype=float)
        E = np.exp(Z - Z.max(axis=0, keepdims=True))
        return (E / E.sum(axis=0, keepdims=True) - R.one_hot(y, Z.shape[1])) / Z.shape[0]

    def unstable(Z, y):
        Z = np.asarray(Z, dtype=float)
        return (unstable_softmax(Z) - R.one_hot(y, Z.shape[1])) / Z.shape[0]

    def over_mk(Z, y):
        Z = np.asarray(Z, dtype=float)
        return (R.softmax(Z) - R.one_hot(y, Z.shape[1])) / Z.size

    def no_y(Z, y):
        Z = np.asarray(Z, dtype=float)
        return R.softmax(Z) / Z.shape[0]

    return {
        "P - Y without the 1/m: the gradient of the SUM of the losses, not of their mean":
            summed,
        "the sign: (Y - P)/m instead of (P - Y)/m": flipped,
        "the softmax taken over axis 0 (the samples) instead of axis 1 (the classes)": wrong_axis,
        "an unstable softmax inside (exp of the raw logits overflows at +-1000)": unstable,
        "dividing by m*K instead of m": over_mk,
        "P/m alone, without subtracting Y": no_y,
    }


GRADED = [
    Graded("one_hot", R.one_hot, one_hot_cases, one_hot_mistakes()),
    Graded("cross_entropy", R.cross_entropy, ce_cases, ce_mistakes()),
    Graded("softmax_cross_entropy_grad", R.softmax_cross_entropy_grad, grad_cases,
           grad_mistakes()),
]
