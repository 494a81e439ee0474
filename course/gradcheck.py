"""Numerical gradients, relative error, and a gradient check that knows about ReLU kinks.

A central difference (f(x + h) - f(x - h)) / 2h approximates f'(x) with an error of order h^2,
*if* f is smooth between x - h and x + h. ReLU is not smooth at 0: when the step moves some
hidden pre-activation H1 across 0, the difference quotient mixes the two slopes and can disagree
with a perfectly correct analytic gradient. `check_gradient` detects exactly those entries (it
watches the sign pattern of H1 at x - h and x + h) and reports them apart instead of blaming you.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np

from course.i18n import N_, _


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of the scalar function f at the array x.

    x is perturbed in place, one entry at a time, and restored exactly afterwards.
    """
    x = np.asarray(x)
    grad = np.zeros(x.shape, dtype=float)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = float(f(x))
        x[i] = old - h
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a, b, eps=1e-300):
    """||a - b|| / (||a|| + ||b||) over whole arrays: 0 when equal, about 1 when unrelated.

    Rough guide in float64 with h = 1e-5: below 1e-7 is a correct gradient; 1e-4 .. 1e-2 is
    suspicious; above 1e-2 is almost certainly a bug. (A norm, not an entry-by-entry maximum,
    so that entries that are zero up to rounding do not dominate.)
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(_("cannot compare arrays of shapes {a} and {b}")
                         .format(a=a.shape, b=b.shape))
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    if scale <= eps:
        return 0.0
    return float(np.linalg.norm(a - b) / scale)


def _width(text):
    """How many columns text takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text, width, right=False):
    """text padded with spaces to `width` columns (on the left when right=True)."""
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


#: the columns of a GradCheckReport (and their widths)
REPORT_COLUMNS = ((N_("param"), 6, False), (N_("rel. error"), 11, True),
                  (N_("checked"), 8, True), (N_("at kink"), 8, True))


@dataclass
class GradCheckReport:
    """What check_gradient found, per parameter."""

    errors: dict = field(default_factory=dict)      # name -> rel_error over the smooth entries
    kinks: dict = field(default_factory=dict)       # name -> entries skipped: the step crossed a kink
    checked: dict = field(default_factory=dict)     # name -> entries compared
    worst: dict = field(default_factory=dict)       # name -> (index, analytic, numerical)
    tol: float = 1e-7

    @property
    def ok(self):
        return all(e <= self.tol for e in self.errors.values())

    def __str__(self):
        lines = [" ".join(_pad(_(title), width, right)
                          for title, width, right in REPORT_COLUMNS)]
        for name, err in self.errors.items():
            mark = _("ok") if err <= self.tol else _("MISMATCH")
            lines.append(f"{name:<6} {err:11.2e} {self.checked[name]:8d} "
                         f"{self.kinks[name]:8d}  {mark}")
            if err > self.tol:
                idx, a, n = self.worst[name]
                lines.append("       " + _("worst entry {name}{index}: yours {yours:.6g}, "
                                           "numerical {numerical:.6g}").format(
                    name=name, index=list(idx), yours=a, numerical=n))
        return "\n".join(lines)

    _repr_pretty_ = lambda self, p, cycle: p.text(str(self))  # noqa: E731


def check_gradient(f, params, grads, *, kink_probe=None, h=1e-5, tol=1e-7,
                   max_entries=None, seed=0):
    """Compare analytic gradients with central differences, entry by entry.

    f(params) -> float         the objective, e.g. lambda p: loss(p, X, y, lam)
    params: dict name -> array the point to check at (perturbed in place, then restored)
    grads: dict name -> array  your analytic gradients (only the names present in both are
        checked: an extra "X" from backward is ignored)
    kink_probe(params) -> array (or tuple of arrays) of pre-activations, e.g. H1. An entry whose
        +h and -h steps give a different sign pattern [probe > 0] crossed a ReLU kink: it is
        counted under "at kink" and left out of the error.
    max_entries: check at most this many random entries per parameter (None: all).
    Returns a GradCheckReport (its .ok says whether every error is within tol).
    """
    rng = np.random.default_rng(seed)
    report = GradCheckReport(tol=tol)

    def pattern():
        probe = kink_probe(params)
        probes = probe if isinstance(probe, (tuple, list)) else (probe,)
        return np.concatenate([np.asarray(p).ravel() > 0 for p in probes])

    for name, analytic in grads.items():
        if name not in params:
            continue
        x = params[name]
        analytic = np.asarray(analytic, dtype=float)
        if analytic.shape != x.shape:
            raise ValueError(_("gradient {name!r} has shape {shape}, but the parameter has "
                               "shape {expected}").format(name=name, shape=analytic.shape,
                                                          expected=x.shape))
        indices = list(np.ndindex(x.shape))
        if max_entries is not None and len(indices) > max_entries:
            pick = rng.choice(len(indices), size=max_entries, replace=False)
            indices = [indices[i] for i in sorted(pick)]
        num, ana, kinks = [], [], 0
        worst = (None, 0.0, 0.0, -1.0)
        for i in indices:
            old = x[i]
            x[i] = old + h
            f_plus, pat_plus = float(f(params)), pattern() if kink_probe else None
            x[i] = old - h
            f_minus, pat_minus = float(f(params)), pattern() if kink_probe else None
            x[i] = old
            if kink_probe is not None and not np.array_equal(pat_plus, pat_minus):
                kinks += 1
                continue
            n = (f_plus - f_minus) / (2 * h)
            num.append(n)
            ana.append(analytic[i])
            e = abs(analytic[i] - n)
            if e > worst[3]:
                worst = (i, float(analytic[i]), n, e)
        report.errors[name] = rel_error(np.array(ana), np.array(num)) if num else 0.0
        report.kinks[name] = kinks
        report.checked[name] = len(num)
        report.worst[name] = worst[:3]
    return report


def kink_example():
    """(params, X, y): a 3-4-3 network on 6 samples with integer inputs, weights and biases,
    so that several hidden pre-activations are exactly 0: every ±h step of their unit's bias
    crosses the ReLU's kink."""
    X = np.array([[1.0, 0.0, -1.0], [2.0, -1.0, 0.0], [0.0, 1.0, 1.0], [-1.0, 2.0, 1.0],
                  [1.0, 1.0, 0.0], [0.0, -2.0, 1.0]])
    params = {"W1": np.array([[1.0, 0.0, -1.0, 1.0], [-1.0, 1.0, 0.0, 1.0],
                              [0.0, 1.0, 1.0, -1.0]]),
              "b1": np.array([0.0, -1.0, 0.5, 0.0]),
              "W2": np.array([[0.8, -0.5, 0.3], [-0.6, 0.9, 0.2], [0.4, 0.1, -0.7],
                              [-0.2, 0.5, 0.6]]),
              "b2": np.array([0.1, 0.0, -0.1])}
    y = np.array([0, 1, 2, 1, 0, 2])
    return params, X, y


def step_size_figure(x0=1.0):
    """The error of the forward and central differences of sin at x0, over the step h."""
    from course.plots import PlotFigure

    hs = np.logspace(-13, -1, 49)
    forward_err = np.abs((np.sin(x0 + hs) - np.sin(x0)) / hs - np.cos(x0))
    central_err = np.abs((np.sin(x0 + hs) - np.sin(x0 - hs)) / (2 * hs) - np.cos(x0))
    fig = PlotFigure(figsize=(6.5, 3.4))
    ax = fig.subplots()
    ax.loglog(hs, np.maximum(forward_err, 1e-17), "o-", ms=3,
              label=_("forward difference, error ~ h"))
    ax.loglog(hs, np.maximum(central_err, 1e-17), "s-", ms=3,
              label=_("central difference, error ~ h²"))
    ax.axvline(1e-5, color="gray", ls=":", label="h = 1e-5")
    ax.set(xlabel=_("step h"), ylabel=_("|error| of d sin(x)/dx at x = {x0:g}").format(x0=x0),
           title=_("rounding error (left) against truncation error (right)"))
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def cost_of_gradients(forward, backward, loss, params, X, y, lam, repeats=20):
    """Time one forward pass, one backward pass and central differences of a few parameters,
    with the functions given, and print the costs side by side (extrapolating the finite
    differences to every parameter)."""
    import time

    def best_of(fn):
        times = []
        for _unused in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    t_forward = best_of(lambda: forward(params, X))  # noqa: (a stub raises: the cell says so)
    cache = forward(params, X)[1]
    t_backward = best_of(lambda: backward(params, cache, X, y, lam))
    t_loss = best_of(lambda: loss(params, X, y, lam))
    count = sum(np.size(v) for v in params.values())
    t_fd = 2 * count * t_loss
    print(_("forward pass:   {ms:8.2f} ms").format(ms=t_forward * 1e3))
    print(_("backward pass:  {ms:8.2f} ms   ({ratio:.1f} x the forward pass, for all {count:,} "
            "gradients)").format(ms=t_backward * 1e3, ratio=t_backward / t_forward, count=count))
    print(_("central differences: {seconds:,.0f} s   (J evaluated 2 x {count:,} times, "
            "{ms:.2f} ms each)").format(seconds=t_fd, count=count, ms=t_loss * 1e3))
