"""01_softmax: correct answers written differently from the reference pass both the public check
and the hidden grade (loops, scipy, einsum, float32, fractions, arrays or tuples for a list);
realistic wrong answers fail with a message that says what is wrong, and the questions' checks
never show the right answer."""
import re
from fractions import Fraction

import numpy as np
import pytest
import scipy.special

from course import exercises as ex
from instructor import grading
from instructor.grading import a01_softmax as G
from verdicts import hidden_failure, public_failure


def _softmax(Z):
    Z = np.asarray(Z, dtype=float)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------------------ the questions
def by_hand_fractions():
    return [Fraction(1, 7), Fraction(2, 7), Fraction(4, 7)]


def by_hand_computed():
    e = np.exp([-np.log(2), 0.0, np.log(2)])
    return e / e.sum()


def by_hand_tuple_rounded():
    return (0.142857, 0.285714, 0.571429)


def shifted_with_numpy():
    z2 = np.array([1000 - np.log(2), 1000, 1000 + np.log(2)])
    e = np.exp(z2 - z2.max())
    return list(e / e.sum())


def stable_shift_numpy_int():
    return np.int64(4)


def stable_shift_float():
    return 4.0


def jacobian_2x2_array():
    p = np.array([0.25, 0.75])
    return np.diag(p) - np.outer(p, p)


def jacobian_2x2_tuples():
    return ((0.1875, -0.1875), (-0.1875, 0.1875))


def jacobian_signs_from_numbers():
    z = np.array([0.3, -1.0, 2.0])
    e = np.exp(z) / np.exp(z).sum()
    return np.sign(np.diag(e) - np.outer(e, e)).astype(int)


def ce_grad_by_hand_array():
    return np.array([1, 2, 4]) / 7 - np.eye(3)[1]


def source_cases_as_float():
    return 3.0


# ------------------------------------------------------------------------------------ softmax
def softmax_scipy(Z):
    return scipy.special.softmax(Z, axis=1)


def softmax_row_loop(Z):
    Z = np.asarray(Z, dtype=float)
    P = np.empty_like(Z)
    for i, row in enumerate(Z):
        e = np.exp(row - row.max())
        P[i] = e / e.sum()
    return P


def softmax_logsumexp(Z):
    Z = np.asarray(Z, dtype=float)
    return np.exp(Z - scipy.special.logsumexp(Z, axis=1, keepdims=True))


def softmax_float32(Z):
    Z = np.asarray(Z, dtype=np.float32)
    E = np.exp(Z - np.max(Z, axis=-1)[:, None])
    return E / np.sum(E, axis=-1)[:, None]


def softmax_copy_then_in_place(Z):
    Z = np.array(Z, dtype=float)        # a copy: changing it in place is fine
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


def softmax_lists(Z):
    out = []
    for row in np.asarray(Z, dtype=float).tolist():
        top = max(row)
        e = [np.exp(v - top) for v in row]
        out.append([v / sum(e) for v in e])
    return out


# --------------------------------------------------------------------------- softmax_jacobian
def jacobian_double_loop(z2):
    p = _softmax(np.asarray(z2)[None, :])[0]
    K = len(p)
    J = np.zeros((K, K))
    for i in range(K):
        for j in range(K):
            J[i, j] = p[i] * ((i == j) - p[j])
    return J


def jacobian_einsum(z2):
    p = _softmax(np.reshape(z2, (1, -1))).ravel()
    return np.einsum("i,ij->ij", p, np.eye(len(p)) - p[None, :])


def jacobian_column_times_row(z2):
    p = _softmax(np.atleast_2d(z2))
    return np.diag(p[0]) - p.T @ p            # (K, 1) @ (1, K): an outer product


def jacobian_float32(z2):
    z2 = np.asarray(z2, dtype=np.float32)
    e = np.exp(z2 - z2.max())
    p = e / e.sum()
    return np.diagflat(p) - p[:, None] * p[None, :]


# --------------------------------------------------------------------------------- ce_partial
def ce_partial_bool(p, t, j):
    return p[j] - (j == t)


def ce_partial_eye(p, t, j):
    return float(np.asarray(p, dtype=float)[j] - np.eye(len(p))[t, j])


def ce_partial_numpy_scalar(p, t, j):
    return np.float32(p[j]) - np.float32(1 if t == j else 0)


ALTERNATIVES = [
    ("softmax_by_hand", by_hand_fractions), ("softmax_by_hand", by_hand_computed),
    ("softmax_by_hand", by_hand_tuple_rounded), ("softmax_shifted", shifted_with_numpy),
    ("stable_shift", stable_shift_numpy_int), ("stable_shift", stable_shift_float),
    ("jacobian_2x2", jacobian_2x2_array), ("jacobian_2x2", jacobian_2x2_tuples),
    ("jacobian_signs", jacobian_signs_from_numbers), ("ce_grad_by_hand", ce_grad_by_hand_array),
    ("source_cases", source_cases_as_float),
    ("softmax", softmax_scipy), ("softmax", softmax_row_loop), ("softmax", softmax_logsumexp),
    ("softmax", softmax_float32), ("softmax", softmax_copy_then_in_place),
    ("softmax", softmax_lists),
    ("softmax_jacobian", jacobian_double_loop), ("softmax_jacobian", jacobian_einsum),
    ("softmax_jacobian", jacobian_column_times_row), ("softmax_jacobian", jacobian_float32),
    ("ce_partial", ce_partial_bool), ("ce_partial", ce_partial_eye),
    ("ce_partial", ce_partial_numpy_scalar),
]


@pytest.mark.parametrize("name,fn", ALTERNATIVES, ids=[f.__name__ for _, f in ALTERNATIVES])
def test_correct_alternative_passes(name, fn, capsys):
    assert ex.all_exercises()[name].check(fn)
    assert "passed" in capsys.readouterr().out
    assert grading.grade(name, fn)


# ------------------------------------------------------------------------- realistic mistakes


@pytest.mark.parametrize("name,right", [
    ("softmax_by_hand", G.SOFTMAX_BY_HAND), ("jacobian_2x2", G.JACOBIAN_2X2),
    ("ce_grad_by_hand", G.CE_GRAD_BY_HAND), ("stable_shift", 4), ("source_cases", 3)])
def test_a_question_never_shows_its_answer(name, right):
    """Whatever the wrong answer, neither message holds the right one (as the checks print
    numbers: 6 significant digits)."""
    right = np.atleast_1d(np.asarray(right, dtype=float)).ravel()
    wrong = [lambda: None, lambda: 0, lambda: [0.0] * right.size, lambda: right[:1] + 0.5,
             lambda: np.ones_like(right) * 7]
    for fn in wrong:
        for message in (public_failure(name, fn), hidden_failure(name, fn)):
            for value in right:
                shown = re.escape(f"{value:.6g}")
                assert not re.search(rf"(?<![\d.]){shown}(?![\d.])", message), message


def test_a_wrong_softmax_is_named_as_the_jacobians_cause_and_costs_the_jacobian_nothing():
    namespace = {"np": np, "softmax": G.SOFTMAX_MISTAKES[next(iter(G.SOFTMAX_MISTAKES))]}
    exec("def softmax_jacobian(z2):\n"
         "    p = softmax(np.asarray(z2, dtype=float)[None, :])[0]\n"
         "    return np.diag(p) - np.outer(p, p)\n", namespace)
    message = public_failure("softmax_jacobian", namespace["softmax_jacobian"])
    assert "calls your `softmax`, which fails its own check" in message
    assert grading.grade("softmax_jacobian", namespace["softmax_jacobian"])


def test_a_softmax_that_changes_its_input_is_told_so():
    def in_place(Z):
        Z -= Z.max(axis=1, keepdims=True)
        E = np.exp(Z)
        return E / E.sum(axis=1, keepdims=True)
    assert "modified its argument" in public_failure("softmax", in_place)
    assert "modified its input" in hidden_failure("softmax", in_place)


def test_a_softmax_with_one_shift_for_all_rows_fails_where_a_row_underflows():
    message = hidden_failure("softmax", G._global_max_shift)
    assert "logits of +-1000" in message and "whole matrix" in message


def test_a_jacobian_of_the_wrong_shape_says_so():
    message = public_failure("softmax_jacobian", lambda z2: _softmax(z2[None, :])[0])
    assert "shape (3,), expected (3, 3)" in message


def test_ce_partial_that_returns_the_whole_vector_is_named():
    def whole(p, t, j):
        return np.asarray(p) - np.eye(len(p))[t]
    message = hidden_failure("ce_partial", whole)
    assert "one number" in message


def test_a_question_answered_with_a_value_instead_of_a_function_is_told_how_to_answer():
    message = public_failure("softmax_by_hand", [1 / 7, 2 / 7, 4 / 7])
    assert "def softmax_by_hand(): return ..." in message
    assert "function" in hidden_failure("softmax_by_hand", [1 / 7, 2 / 7, 4 / 7])
