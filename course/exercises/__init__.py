"""The course's exercises, as students meet them: public checks and tiered hints.

Each assignment declares its exercises in one module beside this file (``a01_softmax.py``
for 01_softmax, ...). A notebook uses them like this::

    from course import exercises as ex

    def softmax(Z):
        ...

    ex.softmax.check(softmax)   # immediate, specific feedback; raises AssertionError on a problem
    ex.softmax.hint()           # the next hint (ex.softmax.hint(2) for the second one)

The hidden grading of the same exercises (reference, hidden cases, known mistakes) lives with the
instructor, in ``instructor/grading/``, under the same names.
"""
from __future__ import annotations

import importlib
import io
import pkgutil
import re
import traceback
import warnings
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from typing import Callable

import numpy as np



class CheckFailed(AssertionError):
    """A public check found a problem; the message says what and, where possible, why."""


class NotImplementedYet(CheckFailed):
    pass


@dataclass
class Check:
    """One public check: `run(fn)` raises CheckFailed with a specific message, or returns a
    short description of what passed (shown to the student)."""

    title: str
    run: Callable


@dataclass
class Exercise:
    """An exercise the student implements: its public checks and its hints, declared once."""

    name: str           # the function the student writes (also the hidden grader's key)
    signature: str      # as shown to students, e.g. "softmax(Z) -> P"
    checks: list = field(default_factory=list)
    hints: list = field(default_factory=list)
    _hints_shown: int = 0

    # ------------------------------------------------------------------ checking
    def check(self, fn, *, quiet=False):
        """Run every public check on fn. Prints a line per check; raises CheckFailed on the first
        problem, with a message that says what is wrong."""
        __tracebackhide__ = True  # noqa: F841  (IPython hides this frame from tracebacks)
        if not callable(fn):
            raise CheckFailed(f"{self.name}: expected a function, got {type(fn).__name__}")
        passed = []
        for chk in self.checks:
            try:
                # A warning or a print to stderr is not a mistake: keep it out of the cell's
                # output (nbgrader scores a test cell with any stderr output as failed).
                with warnings.catch_warnings(), redirect_stderr(io.StringIO()):
                    warnings.simplefilter("ignore")
                    with np.errstate(all="ignore"):
                        note = chk.run(fn)
            except NotImplementedError as err:
                raise NotImplementedYet(self._not_implemented(err)) from None
            except CheckFailed as err:
                lines = "".join(f"  ✓ {p}\n" for p in passed)
                raise CheckFailed(f"{self.name}: {chk.title}: {err}\n{lines}"
                                  f"  ✗ {chk.title}" + self._hint_nudge()) from None
            except Exception as err:  # the student's function raised something else
                where = _student_frame(err)
                raise CheckFailed(
                    f"{self.name}: {chk.title}: your function raised "
                    f"{type(err).__name__}: {err}{where}" + self._hint_nudge()) from None
            passed.append(chk.title + (f" ({note})" if note else ""))
        if not quiet:
            print(f"{self.name}: all {len(passed)} public checks passed")
            for p in passed:
                print(f"  ✓ {p}")
        return True

    def _not_implemented(self, err):
        frames = traceback.extract_tb(err.__traceback__)
        culprit = frames[-1].name if frames else self.name
        if culprit not in (self.name, "<module>") and "/course/" not in frames[-1].filename:
            return (f"`{culprit}`, which {self.name} calls, is not implemented yet: fill in its "
                    f"cell first.")
        return (f"{self.name} is not implemented yet: replace the "
                f"`raise NotImplementedError()` in its cell with your code.")

    def _hint_nudge(self):
        return (f"\n(Stuck? ex.{self.name}.hint() gives a hint.)" if self.hints else "")

    # --------------------------------------------------------------------- hints
    def hint(self, level=None):
        """Show hint number `level` (1 = a nudge ... last = nearly the answer), or the next one."""
        if not self.hints:
            print(f"No hints for {self.name}.")
            return
        if level is None:
            level = min(self._hints_shown + 1, len(self.hints))
        if not 1 <= level <= len(self.hints):
            raise ValueError(f"{self.name} has hints 1 to {len(self.hints)}")
        self._hints_shown = max(self._hints_shown, level)
        _show_markdown(f"**Hint {level}/{len(self.hints)} for `{self.name}`:** "
                       f"{self.hints[level - 1]}")
        if level < len(self.hints):
            print(f"(ex.{self.name}.hint() again for hint {level + 1}, which says more.)")

    def hint_button(self):
        """A button that reveals the hints one at a time (for self-study)."""
        import ipywidgets as w

        out = w.Output()
        btn = w.Button(description=f"Hint 1/{len(self.hints)}", icon="lightbulb-o")
        shown = {"n": 0}

        def reveal(_):
            if shown["n"] >= len(self.hints):
                return
            shown["n"] += 1
            with out:
                self.hint(shown["n"])
            btn.description = (f"Hint {shown['n'] + 1}/{len(self.hints)}"
                               if shown["n"] < len(self.hints) else "No more hints")
            btn.disabled = shown["n"] >= len(self.hints)

        btn.on_click(reveal)
        return w.VBox([btn, out])


def _student_frame(err):
    """' (in your line N: ...)' for the innermost frame outside the course library."""
    frames = traceback.extract_tb(err.__traceback__)
    library = ("/course/", "site-packages", "/lib/python")
    mine = [f for f in frames
            if not any(part in f.filename.replace("\\", "/") for part in library)]
    if not mine:
        return ""
    f = mine[-1]
    return f"\n  at line {f.lineno} of your code: {f.line}" if f.line else ""


def _show_markdown(text):
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display

        if get_ipython() is not None:
            display(Markdown(text))
            return
    except ImportError:
        pass
    print(text.replace("**", "").replace("`", ""))


# ---------------------------------------------------------------- helpers for writing checks
def fail(message):
    raise CheckFailed(message)


def as_array(value, what, shape=None):
    """value as a float array, failing with a clear message if it isn't one of the given shape."""
    if value is None:
        fail(f"{what} is None: did you forget to `return` it?")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        fail(f"{what} should be a numpy array of numbers, got {type(value).__name__}")
    if shape is not None and arr.shape != tuple(shape):
        fail(f"{what} has shape {arr.shape}, expected {tuple(shape)}")
    return arr


def expect_close(got, expected, what, rtol=1e-4, atol=1e-8):
    """Fail with the first differing entry if got and expected differ."""
    got = as_array(got, what, np.shape(expected))
    expected = np.asarray(expected, dtype=float)
    if not np.all(np.isfinite(got)):
        fail(f"{what} contains nan or inf: {np.array2string(got, precision=4)}")
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        if got.ndim == 0:
            fail(f"{what} is {float(got):.6g}, expected {float(expected):.6g}")
        i = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
        fail(f"{what}{[int(k) for k in i]} is {got[i]:.6g}, expected {expected[i]:.6g}\n"
             f"  yours:    {np.array2string(got, precision=4, threshold=20)}\n"
             f"  expected: {np.array2string(expected, precision=4, threshold=20)}")
    return got


def unchanged(fn, *args):
    """Call fn on copies of args and fail if it modified any of its array arguments."""
    copies = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    out = fn(*args)
    for k, (a, c) in enumerate(zip(args, copies)):
        if isinstance(a, np.ndarray) and not np.array_equal(a, c, equal_nan=True):
            fail(f"your function modified its argument number {k + 1} in place; "
                 f"compute a new array instead (e.g. `Z - c`, not `Z -= c`)")
    return out


# -------------------------------------------------------------------------------- registry
_REGISTRY: dict = {}


def register(*exercises):
    for e in exercises:
        if e.name in _REGISTRY:
            raise ValueError(f"exercise {e.name!r} declared twice")
        _REGISTRY[e.name] = e
    return exercises


def all_exercises():
    _load_all()
    return dict(_REGISTRY)


def _load_all():
    """Import every assignment's module (one per assignment, named after its folder:
    a01_softmax.py for 01_softmax, ...): they are found, not listed."""
    for module in pkgutil.iter_modules(__path__):
        if re.fullmatch(r"a\d\d_\w+", module.name):
            importlib.import_module(f"{__name__}.{module.name}")


def __getattr__(name):
    _load_all()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise AttributeError(f"no exercise named {name!r}; there are: "
                             f"{', '.join(sorted(_REGISTRY))}") from None


__all__ = ["Exercise", "Check", "CheckFailed", "all_exercises", "fail", "as_array",
           "expect_close", "unchanged", "register"]
