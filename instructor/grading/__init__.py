"""Hidden grading: every student function against the reference, with a diagnosis on failure.

Each assignment declares its graded exercises in a module beside this one, named after its folder
(``a01_softmax.py`` for ``01_softmax``), under the same names as the student-side module in
``course/exercises/``: the hidden cases (fixed seeds, so a re-grade gives the same score, and the
edge cases: m = 1, K = 2, ties at H = 0, logits of +-1000, integer inputs, inputs that must not be
modified) and the known wrong variants that a failure is compared with, so that the message
names the likely mistake.

Nothing of this module reaches the student's code. Submissions are graded by
``instructor/regrade.py``: the student's function runs in a sandbox on the hidden *inputs*
(``Case.args``), and its result comes back here to be judged (``judge``) against the reference.
``grade(name, fn)`` does the same in-process, for the instructor's own tests.

An exercise that calls another one (``Graded.uses``) is graded with the instructor's version of
the one it calls, so a mistake costs its points once, where it is made.
"""
from __future__ import annotations

import importlib
import io
import pkgutil
import re
import warnings
import zlib
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np

from course import compare
from course import exercises as public_exercises
from course.compare import RTOL, normalise, same_value
from course.i18n import _

MODULE_NAME = re.compile(r"a(\d\d)_\w+$")  # a01_softmax grades the assignment 01_softmax


class HiddenTestFailed(AssertionError):
    pass


@dataclass
class Case:
    label: str                 # shown in the failure message, e.g. "logits of +-1000, m=3, K=4"
    args: tuple
    must_not_modify: tuple = ()  # indices of args the function must leave as they were
    # How to call the function on (fresh copies of) the args: a hook from course/calls.py, whose
    # return value is what is judged (for in-place updates, repeated or timed calls). None:
    # fn(*args). It returns numbers only (dicts/tuples of arrays), for the reference as for fn.
    call: Callable | None = None


@dataclass(eq=False)  # hashed by identity: results are cached per declared exercise
class Graded:
    """A graded exercise: the reference, the hidden cases and the known mistakes."""

    name: str
    reference: Callable
    cases: Callable            # cases(rng) -> list of Case
    mistakes: dict = field(default_factory=dict)   # description -> wrong variant (same signature)
    rtol: float = RTOL
    compare: Callable | None = None  # compare(got, expected, case) -> message or None
    time_limit: float = 15.0         # seconds the trusted re-grade allows for all the cases
    # The arguments the reference changes in place (sgd_step's params): what a stand-in for it
    # carries back to the caller (instructor/regrade.py). A test holds it to the reference.
    changes_args: tuple = ()

    # Declared once, on the public side (course/exercises/): what the student is told too.
    @property
    def public(self):
        return public_exercises.all_exercises()[self.name]

    @property
    def uses(self):
        """Exercises it calls: graded with the instructor's versions of them."""
        return self.public.uses

    def make_cases(self):
        return _cases(self)

    def expected(self, index):
        """The reference's result for case `index` (computed once per process)."""
        return _expected(self, index)


@lru_cache(maxsize=None)
def _cases_cached(graded):
    rng = np.random.default_rng(zlib.crc32(graded.name.encode()))
    return tuple(graded.cases(rng))


def _cases(graded):
    return list(_cases_cached(graded))


@lru_cache(maxsize=None)
def _expected(graded, index):
    case = _cases_cached(graded)[index]
    args = [_copy(a) for a in case.args]
    with np.errstate(all="ignore"):
        return normalise(case.call(graded.reference, args) if case.call
                         else graded.reference(*args))


# -------------------------------------------------------------------------------- structure
def difference(got, expected, rtol=RTOL, path="result"):
    """None when got matches expected; else what differs, never saying what is expected (the
    message is shown in feedback; the hidden cases' answers stay with the instructor)."""
    return compare.difference(got, expected, rtol, path, reveal=False)


# ---------------------------------------------------------------------------------- running
def _copy(a):
    if isinstance(a, np.ndarray):
        return a.copy()
    if isinstance(a, dict):
        return {k: _copy(v) for k, v in a.items()}
    if isinstance(a, list):
        return [_copy(v) for v in a]
    return a


def modified_args(case, after):
    """Indices of the case's arguments that `after` (the arguments after a call) changed."""
    return tuple(i for i in case.must_not_modify
                 if not same_value(normalise(after[i]), normalise(case.args[i])))


@contextmanager
def provided(fn, names):
    """While grading fn, the functions it calls (`names`) are the instructor's versions: they are
    looked up in fn's globals (a notebook's namespace), so that is where they are replaced."""
    space = getattr(fn, "__globals__", None)
    if not names or space is None:
        yield
        return
    saved = {n: space[n] for n in names if n in space}
    space.update({n: registry()[n].reference for n in names})
    try:
        yield
    finally:
        for n in names:
            space.pop(n, None)
        space.update(saved)


def run_case(graded, fn, case):
    """Call fn on fresh copies of the case's arguments, in this process.

    Returns (result, modified argument indices); an exception is returned as the result."""
    args = [_copy(a) for a in case.args]
    # warnings and prints to stderr are not mistakes: nbgrader fails a cell with any stderr
    with warnings.catch_warnings(), redirect_stderr(io.StringIO()), provided(fn, graded.uses), \
            public_exercises.disabled(graded.public.forbids):
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            try:
                result = normalise(case.call(fn, args) if case.call else fn(*args))
            except Exception as err:  # noqa: BLE001 - the student's error is the result
                return err, ()
    return result, modified_args(case, args)


def judge(graded, index, got, modified=()):
    """None if the student's result for case `index` is right; else (message, wrong_value).

    wrong_value is True when the numbers themselves are wrong (so that the known mistakes are
    worth comparing with), False for other problems."""
    if isinstance(got, NotImplementedError):
        return _("{name} is not implemented (it raises NotImplementedError).").format(
            name=graded.name), False
    if isinstance(got, Exception):
        return _("{name} raised {error}: {message}").format(
            name=graded.name, error=type(got).__name__, message=got), False
    expected = graded.expected(index)
    case = graded.make_cases()[index]
    problem = (graded.compare(got, expected, case) if graded.compare
               else difference(got, expected, graded.rtol))
    if problem is not None:
        return problem, True
    if modified:
        return _("your function modified its input argument(s) {arguments} in place; the "
                 "caller still needs them unchanged").format(arguments=list(modified)), False
    return None


def matching_mistakes(graded, case, got):
    """The known mistakes whose output on this case equals the student's output."""
    found = []
    for description, variant in graded.mistakes.items():
        wrong, _modified = run_case(graded, variant, case)
        if not isinstance(wrong, Exception) and difference(got, wrong, graded.rtol) is None:
            found.append(description)
    return found


def diagnose(graded, failures):
    """The known mistakes that explain every failing case with wrong numbers (or, if none
    explains them all, those that explain the first). failures: [(case, got, value_wrong)]."""
    wrong = [(case, got) for case, got, value_wrong in failures if value_wrong]
    if not wrong:
        return []
    per_case = [matching_mistakes(graded, case, got) for case, got in wrong]
    common = [m for m in per_case[0] if all(m in found for found in per_case[1:])]
    return common or per_case[0]


def verdict(graded, results):
    """The message for a list of (result, modified) per case (None where a case was not run):
    None when all pass; else the first failing case, the likely mistake and how many failed."""
    cases = graded.make_cases()
    failures, messages = [], []
    for index, (case, outcome) in enumerate(zip(cases, results)):
        if outcome is None:
            continue
        got, modified = outcome
        problem = judge(graded, index, got, modified)
        if problem:
            message, value_wrong = problem
            failures.append((case, got, value_wrong))
            messages.append(_("hidden case '{case}': {message}").format(
                case=_(case.label), message=message))
    if not failures:
        return None
    text = _("{name}, {first_failure}").format(name=graded.name, first_failure=messages[0])
    likely = diagnose(graded, failures)
    if likely:
        text += "\n" + _("Likely mistake: {mistakes}.").format(
            mistakes=_("; or ").join(_(m) for m in likely))
    if len(failures) > 1:
        text += "\n" + _("({more} more of {cases} hidden cases failed too.)").format(
            more=len(failures) - 1, cases=len(cases))
    return text


# ----------------------------------------------------------------------------------- public
@lru_cache(maxsize=1)
def _modules():
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if MODULE_NAME.match(m.name))
    return {f"{MODULE_NAME.match(n).group(1)}{n[3:]}": importlib.import_module(f"{__name__}.{n}")
            for n in names}


def assignments():
    """Assignment name -> its graded exercises, in declaration order (discovered, not listed)."""
    return {name: list(module.GRADED) for name, module in _modules().items()}


@lru_cache(maxsize=1)
def _registry():
    return {g.name: g for graded in assignments().values() for g in graded}


def registry():
    """Exercise name -> Graded, over every assignment."""
    return _registry()


def grade(name, fn):
    """fn against the reference on every hidden case of exercise `name`, in this process, after
    its public check: the verdict that the trusted re-grade gives, the functions fn calls being
    the instructor's in both.

    Raises HiddenTestFailed naming the first failing case, what differs and the likely mistake.
    (Submissions are graded out of process: instructor/regrade.py.)"""
    __tracebackhide__ = True  # noqa: F841
    graded = registry()[name]
    if not callable(fn):
        raise HiddenTestFailed(f"{name} should be a function, got {type(fn).__name__}")
    public = public_check(graded, fn)
    results = []
    for case in graded.make_cases():
        outcome = run_case(graded, fn, case)
        results.append(outcome)
        if isinstance(outcome[0], NotImplementedError):
            break
    text = verdict(graded, results + [None] * (len(graded.make_cases()) - len(results)))
    if text is None and public:
        text = public_failed(graded, public)
    if text:
        raise HiddenTestFailed(text)
    return True


def public_check(graded, fn):
    """What the public check of the exercise says of fn (None: it passes), with the functions
    fn calls being the instructor's."""
    with warnings.catch_warnings(), redirect_stderr(io.StringIO()), provided(fn, graded.uses):
        warnings.simplefilter("ignore")
        try:
            graded.public.check(fn, quiet=True)
        except Exception as err:  # noqa: BLE001 - whatever the check or the function raised
            return str(err)[:2000] or type(err).__name__
    return None


def public_failed(graded, public):
    """The verdict of an exercise whose hidden cases pass and whose public check fails."""
    return f"{graded.name}: the public check fails: {public}"
