"""02_cross_entropy: correct answers written differently from the reference all pass, both the
public checks and the hidden grade (loops, other numpy idioms, other dtypes, lists, fractions);
realistic wrong answers fail with a message that says what is wrong: a loop where none belongs,
an epsilon inside the log."""
import math
from fractions import Fraction

import numpy as np
import pytest

from course import exercises as ex
from course.exercises.a02_cross_entropy import python_steps
from instructor import grading
from verdicts import hidden_failure, public_failure


def _softmax(Z):
    Z = np.asarray(Z, dtype=float)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------------------------ one_hot
def one_hot_loop_enumerate(y, K):
    Y = np.zeros((len(y), K))
    for i, label in enumerate(y):
        Y[i, label] = 1
    return Y


def one_hot_loop_lists(y, K):
    return [[1.0 if k == label else 0.0 for k in range(K)] for label in y]


def one_hot_loop_rows_of_eye(y, K):
    rows = []
    for label in np.asarray(y):
        rows.append(np.eye(K)[label])
    return np.array(rows)


def one_hot_eye(y, K):
    return np.eye(K)[np.asarray(y)]


def one_hot_compare(y, K):
    return np.asarray(y)[:, None] == np.arange(K)   # booleans


def one_hot_int(y, K):
    return (np.arange(K) == np.asarray(y).reshape(-1, 1)).astype(int)


def one_hot_float32(y, K):
    Y = np.zeros((len(y), K), dtype=np.float32)
    Y[np.arange(len(y)), y] = 1
    return Y


def one_hot_put_along_axis(y, K):
    y = np.asarray(y)
    Y = np.zeros((y.size, K))
    np.put_along_axis(Y, y[:, None], 1.0, axis=1)
    return Y


def one_hot_flat_index(y, K):
    y = np.asarray(y)
    Y = np.zeros(y.size * K)
    Y[np.arange(y.size) * K + y] = 1
    return Y.reshape(y.size, K)


# ------------------------------------------------------------------------------ cross_entropy
def ce_loop(P, y):
    return -sum(math.log(P[i][y[i]]) for i in range(len(y))) / len(y)


def ce_take_along_axis(P, y):
    picked = np.take_along_axis(np.asarray(P), np.asarray(y).reshape(-1, 1), axis=1)
    return -np.log(picked).mean()


def ce_sum_of_masked(P, y):
    Y = np.eye(np.shape(P)[1])[np.asarray(y)]
    return -np.mean(np.log(np.sum(P * Y, axis=1)))     # no 0 * log 0 anywhere


def ce_where(P, y):
    Y = np.eye(np.shape(P)[1])[np.asarray(y)] > 0
    logs = np.log(P, out=np.zeros(np.shape(P)), where=Y)
    return np.array(-logs.sum() / len(P))                # a 0-d array


def ce_sum_over_m(P, y):
    m = len(P)
    return -np.sum(np.log(P[range(m), y])) / m


# ------------------------------------------------------------------------------ the questions
def doubled_list():
    return [1, 0.5]


def doubled_fractions():
    return (Fraction(1), Fraction(1, 2))


def batch_grad_computed():
    Z2 = np.array([[-np.log(2), 0, np.log(2)], [0, 0, np.log(2)]])
    return (_softmax(Z2) - np.eye(3)[[1, 2]]) / 2


def batch_grad_fractions():
    return [[Fraction(1, 14), Fraction(-5, 14), Fraction(2, 7)],
            [Fraction(1, 8), Fraction(1, 8), Fraction(-1, 4)]]


# ------------------------------------------------------------------ softmax_cross_entropy_backward
def grad_subtract_in_place(Z, y):
    G = _softmax(Z)
    G[np.arange(len(G)), y] -= 1.0
    G /= len(G)
    return G


def grad_loop(Z, y):
    Z = np.asarray(Z, dtype=float)
    m, K = Z.shape
    G = np.empty((m, K))
    for i in range(m):
        e = np.exp(Z[i] - Z[i].max())
        G[i] = e / e.sum()
        G[i, y[i]] -= 1
    return G / m


def grad_logsumexp(Z, y):
    Z = np.asarray(Z, dtype=float)
    top = Z.max(axis=1, keepdims=True)
    log_p = Z - top - np.log(np.exp(Z - top).sum(axis=1, keepdims=True))
    return (np.exp(log_p) - np.eye(Z.shape[1])[y]) / Z.shape[0]


def grad_multiply_by_reciprocal(Z, y):
    Z = np.asarray(Z, dtype=float)
    return (1.0 / Z.shape[0]) * (_softmax(Z) - one_hot_loop_enumerate(list(y), Z.shape[1]))


def grad_float32(Z, y):
    Z = np.asarray(Z, dtype=np.float32)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    return (P - np.eye(Z.shape[1], dtype=np.float32)[y]) / np.float32(Z.shape[0])


def grad_einsum_one_hot(Z, y):
    Z = np.asarray(Z, dtype=float)
    Y = np.einsum("ik->ik", np.eye(Z.shape[1])[np.asarray(y)])
    return np.einsum("ik,->ik", _softmax(Z) - Y, 1.0 / Z.shape[0])


ALTERNATIVES = [
    ("one_hot_loop", one_hot_loop_enumerate), ("one_hot_loop", one_hot_loop_lists),
    ("one_hot_loop", one_hot_loop_rows_of_eye), ("one_hot_loop", one_hot_eye),
    ("one_hot", one_hot_eye), ("one_hot", one_hot_compare), ("one_hot", one_hot_int),
    ("one_hot", one_hot_float32), ("one_hot", one_hot_put_along_axis),
    ("one_hot", one_hot_flat_index),
    ("cross_entropy", ce_loop), ("cross_entropy", ce_take_along_axis),
    ("cross_entropy", ce_sum_of_masked), ("cross_entropy", ce_where),
    ("cross_entropy", ce_sum_over_m),
    ("doubled_batch", doubled_list), ("doubled_batch", doubled_fractions),
    ("batch_grad_by_hand", batch_grad_computed), ("batch_grad_by_hand", batch_grad_fractions),
    ("softmax_cross_entropy_backward", grad_subtract_in_place),
    ("softmax_cross_entropy_backward", grad_loop),
    ("softmax_cross_entropy_backward", grad_logsumexp),
    ("softmax_cross_entropy_backward", grad_multiply_by_reciprocal),
    ("softmax_cross_entropy_backward", grad_float32),
    ("softmax_cross_entropy_backward", grad_einsum_one_hot),
]


@pytest.mark.parametrize("name,fn", ALTERNATIVES, ids=[f.__name__ for _, f in ALTERNATIVES])
def test_correct_alternative_passes(name, fn, capsys):
    assert ex.all_exercises()[name].check(fn)
    assert "passed" in capsys.readouterr().out
    assert grading.grade(name, fn)


# ------------------------------------------------------------------------- realistic mistakes


@pytest.mark.parametrize("fn", [one_hot_loop_enumerate, one_hot_loop_lists,
                                one_hot_loop_rows_of_eye], ids=lambda f: f.__name__)
def test_a_loop_is_right_for_one_hot_loop_but_not_for_one_hot(fn):
    assert ex.one_hot_loop.check(fn, quiet=True)
    assert "loops over the samples" in public_failure("one_hot", fn)


def test_python_steps_counts_a_loop_not_array_code():
    y = np.arange(300) % 7
    assert python_steps(one_hot_loop_enumerate, y, 7) >= 300
    assert python_steps(one_hot_loop_lists, y, 7) >= 300
    assert python_steps(one_hot_eye, y, 7) < 10
    assert python_steps(one_hot_put_along_axis, y, 7) < 10


@pytest.mark.parametrize("eps", [1e-8, 1e-12, 1e-15])
def test_an_epsilon_in_the_log_is_explained_whatever_its_size(eps):
    def with_epsilon(P, y):
        return -np.mean(np.log(np.asarray(P)[np.arange(len(y)), y] + eps))
    for message in (public_failure("cross_entropy", with_epsilon),
                    hidden_failure("cross_entropy", with_epsilon)):
        assert "an epsilon added inside the log" in message, message


def test_a_clipped_probability_is_explained_too():
    def clipped(P, y):
        return -np.mean(np.log(np.clip(np.asarray(P)[np.arange(len(y)), y], 1e-10, 1)))
    assert "P clipped" in hidden_failure("cross_entropy", clipped)


def test_one_hot_labels_summed_over_rows_literally_is_named():
    def literal(P, y):
        with np.errstate(all="ignore"):
            return -np.mean(np.sum(np.eye(np.shape(P)[1])[y] * np.log(P), axis=1))
    for message in (public_failure("cross_entropy", literal),
                    hidden_failure("cross_entropy", literal)):
        assert "0 * log 0" in message, message


def test_a_wrong_one_hot_is_named_as_the_gradients_cause_and_costs_it_nothing():
    namespace = {"np": np, "softmax": _softmax,
                 "one_hot": lambda y, K: np.eye(int(np.max(y)) + 1)[y]}
    exec("def softmax_cross_entropy_backward(Z2, y):\n"
         "    m, K = np.shape(Z2)\n"
         "    return (softmax(Z2) - one_hot(y, K)) / m\n", namespace)
    fn = namespace["softmax_cross_entropy_backward"]
    assert "calls your `one_hot`, which fails its own check" in \
        public_failure("softmax_cross_entropy_backward", fn)
    assert grading.grade("softmax_cross_entropy_backward", fn)
