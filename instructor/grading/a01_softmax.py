"""Hidden grading for 01_softmax: softmax, softmax_jacobian, ce_partial."""
import numpy as np

from instructor import reference as R

from . import Case, Graded


def softmax_cases(rng):
    cases = [Case(f"random logits, m={m}, K={K}", (rng.normal(size=(m, K)) * 3,), (0,))
             for m, K in [(1, 2), (1, 10), (5, 2), (7, 10), (32, 4)]]
    cases += [
        Case("logits of +-1000", (np.array([[1000.0, -1000.0, 0.0], [-1000.0] * 3,
                                            [999.0, 1000.0, 1000.0]]),), (0,)),
        Case("integer logits", (rng.integers(-5, 6, size=(4, 3)),), (0,)),
        Case("large shared offset", (rng.normal(size=(3, 5)) + 800.0,), (0,)),
    ]
    return cases


def softmax_mistakes():
    def unstable(Z):
        E = np.exp(np.asarray(Z, float))
        return E / E.sum(axis=1, keepdims=True)

    def wrong_axis(Z):
        E = np.exp(Z - np.max(Z, axis=0, keepdims=True))
        return E / E.sum(axis=0, keepdims=True)

    def global_sum(Z):
        E = np.exp(Z - np.max(Z))
        return E / E.sum()

    def global_max_shift(Z):  # stable only when all rows are close to the global maximum
        E = np.exp(np.asarray(Z, float) - np.max(Z))
        return E / E.sum(axis=1, keepdims=True)

    def no_normalisation(Z):
        return np.exp(Z - np.max(Z, axis=1, keepdims=True))

    return {
        "an unstable softmax: exp of the raw logits overflows (subtract each row's max first)":
            unstable,
        "the sum (and max) taken over axis 0, the samples, instead of axis 1, the classes":
            wrong_axis,
        "dividing by the sum over the whole matrix instead of each row's sum": global_sum,
        "shifting by the maximum of the whole matrix instead of each row's maximum (a row far "
        "below the global max underflows to 0/0)": global_max_shift,
        "exponentials that are never divided by their row sums": no_normalisation,
    }


def jacobian_cases(rng):
    cases = [Case(f"random z, K={K}", (rng.normal(size=K) * 2,), (0,)) for K in (2, 3, 10)]
    cases.append(Case("z with entries of +-1000", (np.array([1000.0, -1000.0, 0.0, 999.0]),),
                      (0,)))
    return cases


def jacobian_mistakes():
    def s_of(z):
        return R.softmax(np.asarray(z, float).reshape(1, -1))[0]

    return {
        "the off-diagonal sign flipped: diag(s) + s s^T":
            lambda z: np.diag(s_of(z)) + np.outer(s_of(z), s_of(z)),
        "the whole matrix negated: s s^T - diag(s)":
            lambda z: np.outer(s_of(z), s_of(z)) - np.diag(s_of(z)),
        "only the diagonal s_i (1 - s_i)": lambda z: np.diag(s_of(z) * (1 - s_of(z))),
        "an unstable softmax inside (exp of the raw logits overflows)":
            lambda z: _unstable_jacobian(z),
    }


def _unstable_jacobian(z):
    e = np.exp(np.asarray(z, float))
    s = e / e.sum()
    return np.diag(s) - np.outer(s, s)


def ce_partial_cases(rng):
    cases = []
    for K in (2, 3, 10):
        y_hat = R.softmax(rng.normal(size=(1, K)))[0]
        t = int(rng.integers(K))
        for j in sorted({t, (t + 1) % K, K - 1}):
            cases.append(Case(f"K={K}, t={t}, j={j}", (y_hat, t, j), (0,)))
    return cases


def ce_partial_reference(y_hat, t, j):
    return R.softmax_cross_entropy_grad(np.log(np.asarray(y_hat))[None, :], [t])[0, j]


GRADED = [
    Graded("softmax", R.softmax, softmax_cases, softmax_mistakes()),
    Graded("softmax_jacobian", R.softmax_jacobian, jacobian_cases, jacobian_mistakes()),
    Graded("ce_partial", ce_partial_reference, ce_partial_cases, {
        "the cases swapped, as in the source derivation: y_hat_j - 1 for j != t and y_hat_j "
        "for j = t": lambda y_hat, t, j: y_hat[j] - (1.0 if j != t else 0.0),
        "the sign flipped: 1 - y_hat_t for j = t": lambda y_hat, t, j: -(y_hat[j] - (j == t)),
        "y_hat_j alone, forgetting the -1 for the correct class": lambda y_hat, t, j: y_hat[j],
    }),
]
