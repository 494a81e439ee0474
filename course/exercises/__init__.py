"""The course's exercises, as students meet them: public checks and tiered hints.

Each assignment declares its exercises in one module beside this file (``a01_softmax.py``
for 01_softmax, ...). A notebook uses them like this::

    from course import exercises as ex

    def softmax(Z):
        ...

    ex.softmax.check(softmax)   # immediate, specific feedback; a failure says what and why
    ex.softmax.hint()           # the next hint (ex.softmax.hint(2) for the second one)

An exercise is a function to write. A question (a number, a shape, a choice: see question.py)
is one too, a function of no arguments that returns the answer. Its public checks run in order
and stop at the first problem. Its worked ``examples`` are checked against the reference's
results, and a wrong result is compared with the known mistakes' results on the same example, so
that the message names the likely mistake: both come from ``examples.json`` beside this file,
which ``python -m instructor release`` generates from the instructor's grading (the same
mistakes, the same words, as the hidden grading).

The hidden grading of the same exercises (reference, hidden cases, known mistakes) lives with the
instructor, in ``instructor/grading/``, under the same names.
"""
from __future__ import annotations

import copy
import importlib
import io
import json
import pkgutil
import re
import traceback
import warnings
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from course.compare import difference, from_json, normalise

EXAMPLES_FILE = Path(__file__).with_name("examples.json")


class Passed:
    """What a check returns when everything passed: true, and shown as nothing in a notebook
    (a bare `True` under every test cell says nothing)."""

    def __bool__(self):
        return True

    def _ipython_display_(self):
        pass

    def __repr__(self):
        return "passed"


PASSED = Passed()


class CheckFailed(AssertionError):
    """A public check found a problem; the message says what and, where possible, why."""

    def _render_traceback_(self):
        """What IPython shows for it: the message, not the library's code that raised it."""
        head, *rest = str(self).splitlines() or [""]
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {head}", *rest]


class NotImplementedYet(CheckFailed):
    pass


@dataclass
class Check:
    """One public check: `run(fn)` raises CheckFailed with a specific message, or returns a
    short description of what passed (shown to the student)."""

    title: str
    run: Callable


@dataclass
class Example:
    """A worked example: its inputs (public); the right result and the known mistakes' results
    on it come from examples.json."""

    label: str          # how the message names it, e.g. "Z = [[1, 2, 3], [0, 0, 0]]"
    args: tuple = ()    # none: a question (a function of no arguments that returns its answer)


@dataclass
class Exercise:
    """An exercise the student does: its public checks and its hints, declared once."""

    name: str           # the function the student writes; the grader's key too
    signature: str      # as shown to students, e.g. "softmax(Z) -> P"
    checks: list = field(default_factory=list)
    hints: list = field(default_factory=list)
    examples: list = field(default_factory=list)
    uses: tuple = ()    # exercises it calls: a failure there is named as such
    forbids: tuple = () # library functions that must not stand in for the answer
    _hints_shown: int = 0

    # ------------------------------------------------------------------ checking
    def check(self, answer, *, quiet=False):
        """Run every public check on the answer. Prints what passed; raises CheckFailed on the
        first problem, with a message that says what is wrong."""
        __tracebackhide__ = True  # noqa: F841  (IPython hides this frame from tracebacks)
        if not callable(answer):
            raise CheckFailed(f"{self.name}: expected a function, got {type(answer).__name__}")
        self._check_callees(answer)
        passed = []
        for chk in self._checks():
            try:
                # A warning or a print to stderr is not a mistake: keep it out of the cell's
                # output (nbgrader scores a test cell with any stderr output as failed).
                with warnings.catch_warnings(), redirect_stderr(io.StringIO()), \
                        disabled(self.forbids):
                    warnings.simplefilter("ignore")
                    with np.errstate(all="ignore"):
                        note = chk.run(answer)
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
            print(f"{self.name}: " + ("the public check passed" if len(passed) == 1 else
                                      f"all {len(passed)} public checks passed"))
            for p in passed:
                print(f"  ✓ {p}")
        return PASSED

    def _checks(self):
        """The checks, in the order they run: the worked examples, then `checks`."""
        return ([Check("worked example" + ("s" if len(self.examples) > 1 else ""),
                       self._run_examples)] if self.examples else []) + list(self.checks)

    def _check_callees(self, fn):
        """A function that calls an earlier exercise fails when that one does: say so."""
        space = getattr(fn, "__globals__", {})
        called = _names(getattr(fn, "__code__", None))
        for name in self.uses:
            callee = space.get(name) if name in called else None
            if callee is None or callee is fn:
                continue
            try:
                with redirect_stderr(io.StringIO()), _silenced():
                    all_exercises()[name].check(callee, quiet=True)
            except NotImplementedYet:
                raise NotImplementedYet(
                    f"{self.name} cannot run yet: it calls `{name}`, which is not implemented "
                    f"yet: fill in its cell first.") from None
            except CheckFailed as err:
                first = str(err).splitlines()[0]
                raise CheckFailed(
                    f"{self.name} calls your `{name}`, which fails its own check: fix `{name}` "
                    f"first.\n  ({first})") from None

    def _stored(self):
        """This exercise's entries of examples.json, one per worked example."""
        stored = _stored_examples().get(self.name)
        if stored is None or len(stored) != len(self.examples):
            raise RuntimeError(f"examples.json is out of date for {self.name}: run "
                               f"`python -m instructor release`")
        return stored

    def _run_examples(self, fn):
        for example, data in zip(self.examples, self._stored()):
            got = normalise(fn(*copy.deepcopy(example.args)))
            expected = from_json(data["expected"])
            problem = difference(got, expected, path=self.name)
            if problem:
                likely = [d for d, out in data["mistakes"].items()
                          if difference(got, from_json(out)) is None]
                fail(f"on {example.label}: {problem}" +
                     (f"\nLikely mistake: {'; or '.join(likely)}." if likely else ""))
        return f"{len(self.examples)} worked example" + ("s" if len(self.examples) > 1 else "")

    def _not_implemented(self, err):
        if type(err).__name__ == "EarlierWorkMissing":  # course.mine: it says where and why
            return f"{self.name} cannot run yet: {err}"
        frames = traceback.extract_tb(err.__traceback__)
        culprit = frames[-1].name if frames else self.name
        if culprit not in (self.name, "<module>") and "/course/" not in frames[-1].filename:
            return (f"`{culprit}`, which {self.name} calls, is not implemented yet: fill in its "
                    f"cell first.")
        return (f"{self.name} is not implemented yet: replace the "
                f"`raise NotImplementedError()` in its cell with your code.")

    def _hint_nudge(self):
        return f"\n(Stuck? The hint button below this cell gives a hint.)" if self.hints else ""

    # --------------------------------------------------------------------- hints
    def hint(self, level=None):
        """Show hint number `level` (1 = a nudge, each one a step further), or the next one."""
        if not self.hints:
            print(f"No hints for {self.name}.")
            return
        if level is None:
            level = min(self._hints_shown + 1, len(self.hints))
        if not 1 <= level <= len(self.hints):
            raise ValueError(f"{self.name} has hints 1 to {len(self.hints)}")
        self._hints_shown = max(self._hints_shown, level)
        _show_markdown(f"**Hint {level} of {len(self.hints)}:** {self.hints[level - 1]}")

    def hint_button(self):
        """A button that reveals the hints one at a time (for self-study)."""
        import ipywidgets as w

        out = w.Output()
        total = len(self.hints)
        btn = w.Button(description="Show a hint" if total else "No hints",
                       icon="lightbulb-o", disabled=not total,
                       layout=w.Layout(width="auto"))
        shown = {"n": 0}

        def reveal(_):
            if shown["n"] >= total:
                return
            shown["n"] += 1
            with out:
                self.hint(shown["n"])
            btn.description = (f"Show hint {shown['n'] + 1} of {total}"
                               if shown["n"] < total else "No more hints")
            btn.disabled = shown["n"] >= total

        btn.on_click(reveal)
        return w.VBox([btn, out])


def _names(code):
    """The global names a function's code uses, its comprehensions' and inner functions'
    included (before Python 3.12, a comprehension is a code object of its own)."""
    if code is None:
        return set()
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _names(const)
    return names


def _student_frame(err):
    """'at line N of your code: ...' for the innermost frame outside the course library."""
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


@contextmanager
def _silenced():
    import contextlib

    with contextlib.redirect_stdout(io.StringIO()):
        yield


@contextmanager
def disabled(names):
    """While the block runs, the library functions named (e.g. "course.gradcheck.
    numerical_gradient") refuse to run: an exercise that asks for one is not answered by
    importing it. Every reference to the function is affected (its code is swapped)."""
    swapped = []
    for dotted in names:
        module, _, attr = dotted.rpartition(".")
        fn = getattr(importlib.import_module(module), attr)

        # the code runs with the library function's globals: it needs nothing but its
        # keyword defaults
        def refuse(*args, _name=dotted, _error=CheckFailed, **kwargs):
            raise _error(f"`{_name}` is the library's own version: write yours instead of "
                         f"calling it.")

        swapped.append((fn, fn.__code__, fn.__defaults__, fn.__kwdefaults__))
        fn.__code__, fn.__defaults__, fn.__kwdefaults__ = \
            refuse.__code__, refuse.__defaults__, refuse.__kwdefaults__
    try:
        yield
    finally:
        for fn, code, defaults, kwdefaults in swapped:
            fn.__code__, fn.__defaults__, fn.__kwdefaults__ = code, defaults, kwdefaults


@lru_cache(maxsize=1)
def _stored_examples():
    if not EXAMPLES_FILE.is_file():
        return {}
    return json.loads(EXAMPLES_FILE.read_text())


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
    a01_softmax.py for 01_softmax, ...): they are found, not listed. Returns them by
    assignment."""
    modules = {}
    for module in pkgutil.iter_modules(__path__):
        if re.fullmatch(r"a\d\d_\w+", module.name):
            modules[module.name[1:]] = importlib.import_module(f"{__name__}.{module.name}")
    return modules


def assignment_of(name):
    """The assignment (e.g. "01_softmax") whose notebook asks for exercise `name`."""
    for assignment, module in _load_all().items():
        if any(value is _REGISTRY.get(name) for value in vars(module).values()):
            return assignment
    raise KeyError(f"no exercise named {name!r}")


def __getattr__(name):
    _load_all()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise AttributeError(f"no exercise named {name!r}; there are: "
                             f"{', '.join(sorted(_REGISTRY))}") from None


__all__ = ["Exercise", "Example", "Check", "CheckFailed", "all_exercises", "assignment_of",
           "fail", "as_array", "expect_close", "unchanged", "register", "disabled"]
