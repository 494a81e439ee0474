"""Gradient checks of one piece at a time: a layer on an upstream gradient (03), the L2 penalty
against its gradient (04). Each is one line in a notebook and prints a table.

A layer's backward takes G = dJ/dOut, the gradient of J with respect to the layer's output, and
returns the gradients of J with respect to the layer's inputs. To check a layer on its own, take

    J(inputs) = sum(G * forward(inputs))

whose gradient with respect to Out is exactly G, and compare what the backward returns with
central differences of that J (course.gradcheck.check_gradient, which sets aside the entries
whose step crosses a ReLU kink instead of blaming the backward for them).

    check_activation(relu_forward, relu_backward, kinks=True)
    check_activation(np.tanh, tanh_backward)
    check_affine(affine_forward, affine_backward)
    check_l2(l2_penalty, l2_grad)

A function that is not written yet, or that fails, is reported in a sentence, not a traceback.
"""
from __future__ import annotations

import traceback

import numpy as np

from course.gradcheck import check_gradient
from course.i18n import _


def _name(fn):
    name = getattr(fn, "__name__", None)
    return _("your function") if name is None else name


def _attempt(run, *functions):
    """run(), or None with a sentence saying which function is not written or what it raised."""
    try:
        return run()
    except NotImplementedError as err:
        raised = [frame.name for frame in traceback.extract_tb(err.__traceback__)]
        names = [_name(f) for f in functions if _name(f) in raised] or \
            [_name(f) for f in functions if not isinstance(f, np.ufunc)]
        if len(names) < 2:
            print(_("Write {name} above to run this check.").format(name="".join(names)))
        else:
            print(_("Write {first} and {last} above to run this check.").format(
                first=" and ".join(names[:-1]), last=names[-1]))
    except Exception as err:  # noqa: BLE001 - the student's error, told plainly
        print(_("The check could not run: {error_type}: {error}").format(
            error_type=type(err).__name__, error=err))
    return None


def _floats(value):
    return np.asarray(value, dtype=float)


def check_activation(forward, backward, *, kinks=False, m=4, H=5, seed=0):
    """backward(G, Z) against central differences of sum(G * forward(Z)), for a random Z
    (m, H) and upstream gradient G. kinks=True (the ReLU): two entries of Z are exactly 0, and
    entries whose step crosses 0 are set aside."""
    rng = np.random.default_rng(seed)
    Z, G = rng.normal(size=(m, H)), rng.normal(size=(m, H))
    if kinks:
        Z[0, 0] = Z[-1, -1] = 0.0
    params = {"Z": Z}

    def run():
        grads = {"Z": _floats(backward(G.copy(), Z.copy()))}
        return check_gradient(lambda p: float(np.sum(G * _floats(forward(p["Z"])))), params,
                              grads, kink_probe=(lambda p: p["Z"]) if kinks else None)

    return _attempt(run, forward, backward)


def check_affine(forward, backward, *, m=5, d=4, k=3, seed=0):
    """backward(G, X, W) -> (dX, dW, db) against central differences of
    sum(G * forward(X, W, b)), for random X (m, d), W (d, k), b (k,) and G (m, k)."""
    rng = np.random.default_rng(seed)
    params = {"X": rng.normal(size=(m, d)), "W": rng.normal(size=(d, k)),
              "b": rng.normal(size=k)}
    G = rng.normal(size=(m, k))

    def run():
        out = backward(G.copy(), params["X"].copy(), params["W"].copy())
        if not isinstance(out, (tuple, list)) or len(out) != 3:
            raise TypeError(_("{name} should return (dX, dW, db)").format(name=_name(backward)))
        grads = dict(zip(("X", "W", "b"), (_floats(g) for g in out)))
        return check_gradient(
            lambda p: float(np.sum(G * _floats(forward(p["X"], p["W"], p["b"])))),
            params, grads)

    return _attempt(run, forward, backward)


def check_l2(l2_penalty, l2_grad, *, lam=0.7, m=5, seed=0):
    """l2_grad(W, lam, m) for W1 and W2 against central differences of l2_penalty(params, lam,
    m). A factor of 2 between them shows as a relative error of 1/3."""
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=3),
              "W2": rng.normal(size=(3, 2)), "b2": rng.normal(size=2)}

    def run():
        grads = {k: _floats(l2_grad(params[k].copy(), lam, m)) for k in ("W1", "W2")}
        return check_gradient(lambda p: float(l2_penalty(p, lam, m)), params, grads)

    return _attempt(run, l2_penalty, l2_grad)
