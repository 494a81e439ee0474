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
from course.i18n import N_, _

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


class CalleeFailed(CheckFailed):
    """The function is checked through an earlier one of the student's that fails its own
    check: the mistake is that one's (and graded there)."""


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
            raise CheckFailed(_("{name}: expected a function, got {kind}").format(
                name=self.name, kind=type(answer).__name__))
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
                title = _(chk.title)
                lines = "".join(f"  ✓ {p}\n" for p in passed)
                # TRANSLATORS: the first line of a failed check: the exercise, the check's
                # title, what is wrong
                raise CheckFailed(_("{name}: {check}: {problem}").format(
                    name=self.name, check=title, problem=err) +
                    f"\n{lines}  ✗ {title}" + self._hint_nudge()) from None
            except Exception as err:  # the student's function raised something else
                where = _student_frame(err)
                raise CheckFailed(
                    _("{name}: {check}: your function raised {error}: {message}").format(
                        name=self.name, check=_(chk.title), error=type(err).__name__,
                        message=err) + where + self._hint_nudge()) from None
            passed.append(_("{check} ({note})").format(check=_(chk.title), note=_shown(note))
                          if note else _(chk.title))
        if not quiet:
            print(_("{name}: the public check passed").format(name=self.name)
                  if len(passed) == 1 else
                  _("{name}: all {count} public checks passed").format(name=self.name,
                                                                      count=len(passed)))
            for p in passed:
                print(f"  ✓ {p}")
        return PASSED

    def _checks(self):
        """The checks, in the order they run: the worked examples, then `checks`."""
        title = N_("worked examples") if len(self.examples) > 1 else N_("worked example")
        return ([Check(title, self._run_examples)] if self.examples else []) + list(self.checks)

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
                    _("{name} cannot run yet: it calls `{callee}`, which is not implemented "
                      "yet: fill in its cell first.").format(name=self.name, callee=name)
                ) from None
            except CheckFailed as err:
                first = str(err).splitlines()[0]
                raise CalleeFailed(
                    _("{name} calls your `{callee}`, which fails its own check: fix `{callee}` "
                      "first.").format(name=self.name, callee=name) +
                    f"\n  ({first})") from None

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
                fail(_("on {example}: {problem}").format(example=_(example.label),
                                                          problem=problem) +
                     ("\n" + _likely(likely) if likely else ""))
        if len(self.examples) == 1:
            return _("1 worked example")
        return _("{count} worked examples").format(count=len(self.examples))

    def _not_implemented(self, err):
        if type(err).__name__ == "EarlierWorkMissing":  # course.mine: it says where and why
            return _("{name} cannot run yet: {reason}").format(name=self.name, reason=err)
        frames = traceback.extract_tb(err.__traceback__)
        culprit = frames[-1].name if frames else self.name
        if culprit not in (self.name, "<module>") and "/course/" not in frames[-1].filename:
            return _("`{culprit}`, which {name} calls, is not implemented yet: fill in its "
                     "cell first.").format(culprit=culprit, name=self.name)
        return _("{name} is not implemented yet: replace the `raise NotImplementedError()` "
                 "in its cell with your code.").format(name=self.name)

    def _hint_nudge(self):
        if not self.hints:
            return ""
        return "\n" + _("(Stuck? The hint button below this cell gives a hint.)")

    # --------------------------------------------------------------------- hints
    def hint(self, level=None):
        """Show hint number `level` (1 = a nudge, each one a step further), or the next one."""
        if not self.hints:
            print(_("No hints for {name}.").format(name=self.name))
            return
        if level is None:
            level = min(self._hints_shown + 1, len(self.hints))
        if not 1 <= level <= len(self.hints):
            raise ValueError(_("{name} has hints 1 to {total}").format(name=self.name,
                                                                       total=len(self.hints)))
        self._hints_shown = max(self._hints_shown, level)
        _show_markdown(_("**Hint {level} of {total}:** {hint}").format(
            level=level, total=len(self.hints), hint=_(self.hints[level - 1])))

    def hint_button(self):
        """A button that reveals the hints one at a time (for self-study)."""
        import ipywidgets as w

        out = w.Output()
        total = len(self.hints)
        btn = w.Button(description=_("Show a hint") if total else _("No hints"),
                       icon="lightbulb-o", disabled=not total,
                       layout=w.Layout(width="auto"))
        shown = {"n": 0}

        def reveal(_button):  # never `_`: that is the translation function
            if shown["n"] >= total:
                return
            shown["n"] += 1
            with out:
                self.hint(shown["n"])
            btn.description = (_("Show hint {number} of {total}").format(number=shown["n"] + 1,
                                                                         total=total)
                               if shown["n"] < total else _("No more hints"))
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


def _shown(text):
    """A text declared in an assignment's module (a check's note, a label), translated."""
    return _(text) if isinstance(text, str) else text


def _likely(mistakes):
    """'Likely mistake: ...' naming the known mistakes (their descriptions translated)."""
    # TRANSLATORS: between two descriptions of likely mistakes
    either = _("; or ")
    return _("Likely mistake: {mistakes}.").format(
        mistakes=either.join(_(d) for d in mistakes))


def _student_frame(err):
    """'at line N of your code: ...' for the innermost frame outside the course library."""
    frames = traceback.extract_tb(err.__traceback__)
    library = ("/course/", "site-packages", "/lib/python")
    mine = [f for f in frames
            if not any(part in f.filename.replace("\\", "/") for part in library)]
    if not mine:
        return ""
    f = mine[-1]
    if not f.line:
        return ""
    return "\n  " + _("at line {line} of your code: {code}").format(line=f.lineno, code=f.line)


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
        module, _dot, attr = dotted.rpartition(".")  # never `_`: the translation function
        fn = getattr(importlib.import_module(module), attr)

        # the code runs with the library function's globals: it needs nothing but its
        # keyword defaults (the message is translated when it is raised)
        def refuse(*args, _name=dotted, _error=CheckFailed, _translated=_,
                   _message=N_("`{name}` is the library's own version: write yours instead of "
                               "calling it."), **kwargs):
            raise _error(_translated(_message).format(name=_name))

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
        fail(_("{what} is None: did you forget to `return` it?").format(what=_shown(what)))
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        fail(_("{what} should be a numpy array of numbers, got {kind}").format(
            what=_shown(what), kind=type(value).__name__))
    if shape is not None and arr.shape != tuple(shape):
        fail(_("{what} has shape {shape}, expected {expected}").format(
            what=_shown(what), shape=arr.shape, expected=tuple(shape)))
    return arr


def expect_close(got, expected, what, rtol=1e-4, atol=1e-8):
    """Fail with the first differing entry if got and expected differ."""
    got = as_array(got, what, np.shape(expected))
    expected = np.asarray(expected, dtype=float)
    if not np.all(np.isfinite(got)):
        fail(_("{what} contains nan or inf: {values}").format(
            what=_shown(what), values=np.array2string(got, precision=4)))
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        if got.ndim == 0:
            fail(_("{what} is {got}, expected {expected}").format(
                what=_shown(what), got=f"{float(got):.6g}", expected=f"{float(expected):.6g}"))
        i = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
        fail(_("{what}{index} is {got}, expected {expected}\n"
               "  yours:    {yours}\n"
               "  expected: {right}").format(
            what=_shown(what), index=[int(k) for k in i], got=f"{got[i]:.6g}",
            expected=f"{expected[i]:.6g}",
            yours=np.array2string(got, precision=4, threshold=20),
            right=np.array2string(expected, precision=4, threshold=20)))
    return got


def unchanged(fn, *args):
    """Call fn on copies of args and fail if it modified any of its array arguments."""
    copies = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    out = fn(*args)
    for k, (a, c) in enumerate(zip(args, copies)):
        if isinstance(a, np.ndarray) and not np.array_equal(a, c, equal_nan=True):
            fail(_("your function modified its argument number {number} in place; compute a "
                   "new array instead (e.g. `Z - c`, not `Z -= c`)").format(number=k + 1))
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
        raise AttributeError(_("no exercise named {name}; there are: {names}").format(
            name=repr(name), names=", ".join(sorted(_REGISTRY)))) from None


__all__ = ["Exercise", "Example", "Check", "CheckFailed", "all_exercises", "assignment_of",
           "fail", "as_array", "expect_close", "unchanged", "register", "disabled"]
