"""How the hidden tests call your functions, when a plain `fn(*args)` is not enough.

Nothing here is an answer: these are the probes the grader uses, in the open. Some functions
change their arguments in place (sgd_step, train), are random (train shuffles) or take a
function (numerical_gradient); for those, a hidden case calls your function through one of the
hooks below and judges what the hook returns: plain numbers only (dicts and tuples of arrays).

The grader runs them next to your code, in a sandbox where only this library, numpy and your
notebook's own cells exist; the expected results are computed elsewhere.
"""
from __future__ import annotations

import time

import numpy as np

PARAM_NAMES = ("W1", "b1", "W2", "b2")


# ------------------------------------------------------------------ functions to differentiate
def f_sin(x):
    return float(np.sum(np.sin(x) * x ** 2))


def f_coupled(x):
    v = np.ravel(x)
    return float(np.sum(v) ** 3 / 10 + np.sum(np.cos(v[:-1] * v[1:])) + np.sum(v ** 2))


def f_logsumexp(x):
    v = np.ravel(x)
    return float(np.max(v) + np.log(np.sum(np.exp(v - np.max(v)))) + np.sum(v ** 3) / 6)


def f_exp(x):
    return float(np.sum(np.exp(2 * np.asarray(x))))


def with_closure(fn, args):
    """numerical_gradient(f, x) with an f that ignores its argument and reads x from outside,
    as `lambda _: loss(params, X, y, lam)` reads params["W1"]: only perturbing x itself works."""
    (x,) = args
    return fn(lambda _: f_coupled(x), x)


# ------------------------------------------------------------------ functions that update params
def param_values(params):
    """The four parameters of a params dict as float arrays (nan where one is missing)."""
    out = {}
    for k in PARAM_NAMES:
        try:
            out[k] = np.array(params[k], dtype=float)
        except Exception:  # noqa: BLE001 - a missing or non-numeric entry
            out[k] = np.array(np.nan)
    return out


def history_values(hist):
    """{"format", "loss", "acc"} from a training history. format: 0 fine, 1 not a dict,
    2 a key "loss" or "acc" missing, 3 entries that are not numbers."""
    if not isinstance(hist, dict):
        return {"format": 1.0, "loss": np.zeros(0), "acc": np.zeros(0)}
    if "loss" not in hist or "acc" not in hist:
        return {"format": 2.0, "loss": np.zeros(0), "acc": np.zeros(0)}
    try:
        loss = np.array(hist["loss"], dtype=float).reshape(-1)
        acc = np.array(hist["acc"], dtype=float).reshape(-1)
    except Exception:  # noqa: BLE001
        return {"format": 3.0, "loss": np.zeros(0), "acc": np.zeros(0)}
    return {"format": 0.0, "loss": loss, "acc": acc}


def _copy_params(params):
    return {k: np.array(v, copy=True) for k, v in params.items()}


def step(fn, args):
    """sgd_step(params, grads, lr): what it returned and what the caller's params hold after."""
    params = args[0]
    out = fn(*args)
    if out is None:
        kind, returned = 0.0, None
    elif isinstance(out, dict):
        kind, returned = 1.0, out
    else:
        kind, returned = -1.0, None
    return {"returned_kind": kind, "params": param_values(params),
            "added_keys": float(len([k for k in params if k not in PARAM_NAMES])),
            "returned": param_values(returned) if returned is not None else
            {k: np.full(np.shape(params[k]), np.nan) for k in PARAM_NAMES}}


def train_once(fn, args):
    """train(params, X, y, ...), once: its history and the caller's params afterwards."""
    hist = fn(*args)
    return {"history": history_values(hist), "params": param_values(args[0])}


def train_thrice(fn, args):
    """train three times from the same start: with the seed, again with it, with seed + 1."""
    params, X, y, lam, lr, epochs, batch_size, seed = args
    start = _copy_params(params)
    first = train_once(fn, args)
    again = _copy_params(start)
    fn(again, X.copy(), y.copy(), lam, lr, epochs, batch_size, seed)
    other = _copy_params(start)
    fn(other, X.copy(), y.copy(), lam, lr, epochs, batch_size, seed + 1)
    first.update(params_again=param_values(again), params_other_seed=param_values(other))
    return first


#: Seconds spent outside the student's code while it ran: the grader answering for the earlier
#: exercises it calls (their stand-ins). A timed call does not count them.
_ELSEWHERE = [0.0]


def spent_elsewhere(seconds):
    _ELSEWHERE[0] += seconds


def train_timed(fn, args):
    """train, once, timed, with one BLAS thread (the matrices are small; threads only add
    overhead, and a noisy machine then times the scheduler rather than the code)."""
    try:
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(limits=1)
    except Exception:  # noqa: BLE001 - no threadpoolctl: time it as it is
        limits = None
    try:
        start, elsewhere = time.perf_counter(), _ELSEWHERE[0]
        out = train_once(fn, args)
        out["seconds"] = np.array(time.perf_counter() - start - (_ELSEWHERE[0] - elsewhere))
    finally:
        if limits is not None:
            limits.restore_original_limits()
    return out
