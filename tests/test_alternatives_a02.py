"""02_cross_entropy: correct answers written differently from the reference all pass, both the
public checks and the hidden grade (loops, other numpy idioms, other dtypes, lists)."""
import math

import numpy as np
import pytest

from course import exercises as ex
from instructor import grading


def _softmax(Z):
    Z = np.asarray(Z, dtype=float)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------------------------ one_hot
def one_hot_eye(y, K):
    return np.eye(K)[np.asarray(y)]


def one_hot_loop(y, K):
    Y = np.zeros((len(y), K))
    for i, label in enumerate(y):
        Y[i, label] = 1
    return Y


def one_hot_compare(y, K):
    return np.asarray(y)[:, None] == np.arange(K)   # booleans


def one_hot_int(y, K):
    return (np.arange(K) == np.asarray(y).reshape(-1, 1)).astype(int)


def one_hot_lists(y, K):
    return [[1.0 if k == label else 0.0 for k in range(K)] for label in y]


def one_hot_float32(y, K):
    Y = np.zeros((len(y), K), dtype=np.float32)
    Y[np.arange(len(y)), y] = 1
    return Y


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


# ------------------------------------------------------------------- softmax_cross_entropy_grad
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
    return (1.0 / Z.shape[0]) * (_softmax(Z) - one_hot_loop(list(y), Z.shape[1]))


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
    ("one_hot", one_hot_eye), ("one_hot", one_hot_loop), ("one_hot", one_hot_compare),
    ("one_hot", one_hot_int), ("one_hot", one_hot_lists), ("one_hot", one_hot_float32),
    ("cross_entropy", ce_loop), ("cross_entropy", ce_take_along_axis),
    ("cross_entropy", ce_sum_of_masked), ("cross_entropy", ce_where),
    ("cross_entropy", ce_sum_over_m),
    ("softmax_cross_entropy_grad", grad_subtract_in_place),
    ("softmax_cross_entropy_grad", grad_loop), ("softmax_cross_entropy_grad", grad_logsumexp),
    ("softmax_cross_entropy_grad", grad_multiply_by_reciprocal),
    ("softmax_cross_entropy_grad", grad_float32),
    ("softmax_cross_entropy_grad", grad_einsum_one_hot),
]


@pytest.mark.parametrize("name,fn", ALTERNATIVES, ids=[f.__name__ for _, f in ALTERNATIVES])
def test_correct_alternative_passes(name, fn, capsys):
    assert ex.all_exercises()[name].check(fn)
    assert "public checks passed" in capsys.readouterr().out
    assert grading.grade(name, fn)
