"""Small experiments the notebooks run on your own functions.

- ``time_side_by_side(fns, *args)``: how long each function takes on the same arguments, and
  whether they agree;
- ``once_written()``: a cell that uses functions you may not have written yet runs inside
  ``with once_written():`` and says what to write first instead of failing.
"""
from __future__ import annotations

import time
import traceback
from contextlib import contextmanager

import numpy as np

from course.i18n import _


@contextmanager
def once_written():
    """Run the block; if a function it calls is not written yet, say which one, and go on."""
    try:
        yield
    except NotImplementedError as err:
        if type(err).__name__ == "EarlierWorkMissing":  # course.mine says where and why
            print(err)
            return
        frames = traceback.extract_tb(err.__traceback__)
        name = frames[-1].name if frames else _("the functions above")
        print(_("Write `{name}` above first, then run this cell again.").format(name=name))


def _seconds(fn, args, repeat):
    best = np.inf
    for _unused in range(repeat):
        start = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, out


def _readable(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    return f"{seconds * 1e3:.3g} ms" if seconds < 1 else f"{seconds:.3g} s"


def time_side_by_side(fns, *args, repeat=3):
    """Time each function of `fns` on the same args (the best of `repeat` calls), print the
    times, how many times faster each is than the first, and whether their results agree.
    Returns {name: seconds}."""
    times, results = {}, {}
    with once_written():
        for fn in fns:
            times[fn.__name__], results[fn.__name__] = _seconds(fn, args, repeat)
    if len(times) < len(fns):
        return times
    names = list(times)
    width = max(len(n) for n in names)
    first = names[0]
    for name in names:
        line = f"{name:<{width}}  {_readable(times[name]):>9}"
        if name != first:
            line += "   " + _compared(times[name], times[first], first)
        print(line)
    print(_("Their results agree.") if all(_same(results[n], results[first]) for n in names)
          else _("Their results differ: check them first."))
    return times


def _compared(seconds, reference, name):
    """How a time compares with the reference time of the function `name`, in a phrase."""
    ratio = reference / max(seconds, 1e-9)
    if ratio >= 1.5:
        return _("{ratio:.0f} times faster than {name}").format(ratio=ratio, name=name)
    if ratio <= 1 / 1.5:
        return _("{ratio:.0f} times slower than {name}").format(ratio=1 / ratio, name=name)
    return _("about as fast as {name}").format(name=name)


def _same(a, b):
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and np.allclose(a, b)
