"""Hidden grading: every student function against the reference, with a diagnosis on failure.

A hidden test cell in a notebook is two lines::

    from instructor.grading import grade
    grade("softmax", softmax)

Each assignment declares its graded exercises in a module beside this one, under the same name
as the student-side module in ``course/exercises/``: the hidden cases (fixed seeds, so a re-grade
gives the same score, and the edge cases: m = 1, K = 2, ties at H = 0, logits of +-1000, integer
inputs, inputs that must not be modified) and the known wrong variants that a failure is
checked against, so that the message names the likely mistake.

The work is split so that it can also run out of process: ``run_case`` only calls the student's
function (it could run in a sandbox), and ``judge`` only compares numbers with the reference.
"""
from __future__ import annotations

import importlib
import importlib.util
import io
import warnings
import zlib
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

# One module per assignment, named after its folder: a01_softmax.py for 01_softmax, ...
ASSIGNMENT_MODULES = ("a01_softmax", "a02_cross_entropy", "a03_relu_mask", "a04_l2_penalty",
                      "a05_backprop", "a06_train_digits")
# float32 arithmetic is a valid way to compute (about 7 significant digits): results are
# compared to 1e-4 relative, far below the size of any real mistake.
RTOL, ATOL = 1e-4, 1e-8


class HiddenTestFailed(AssertionError):
    pass


@dataclass
class Case:
    label: str                 # shown in the failure message, e.g. "logits of +-1000, m=3, K=4"
    args: tuple
    must_not_modify: tuple = ()  # indices of args the function must leave as they were
    # How to call the function on (fresh copies of) the args; the value judged is what it
    # returns. None: fn(*args). A case uses it to judge what a call did to its arguments (an
    # in-place update), to call the function more than once (is it deterministic?) or to time
    # it. It must return numbers only (dicts/tuples of arrays), for the reference as for fn.
    call: Callable | None = None


@dataclass
class Graded:
    """A graded exercise: the reference, the hidden cases and the known mistakes."""

    name: str
    reference: Callable
    cases: Callable            # cases(rng) -> list of Case
    mistakes: dict = field(default_factory=dict)   # description -> wrong variant (same signature)
    rtol: float = RTOL
    compare: Callable | None = None  # compare(got, expected, case) -> message or None
    time_limit: float = 15.0         # seconds the trusted re-grade allows for all the cases

    def make_cases(self):
        rng = np.random.default_rng(zlib.crc32(self.name.encode()))
        return self.cases(rng)


# -------------------------------------------------------------------------------- structure
def normalise(value):
    """A student's result as plain data: float arrays, and tuples and dicts of them."""
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return tuple(normalise(v) for v in value)
    return np.asarray(value, dtype=float)


def difference(got, expected, rtol=RTOL, path="result"):
    """None when got matches expected (same structure, shapes, values); else what differs."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"{path} should be a dict with keys {sorted(expected)}, got {_kind(got)}"
        missing = [k for k in expected if k not in got]
        if missing:
            return f"{path} is missing the keys {missing}"
        for k in expected:
            d = difference(got[k], expected[k], rtol, f"{path}[{k!r}]")
            if d:
                return d
        return None
    if isinstance(expected, tuple):
        if isinstance(got, np.ndarray) and got.ndim and len(got) == len(expected):
            got = tuple(got)  # e.g. three arrays of one shape returned as a stacked array
        if not isinstance(got, tuple) or len(got) != len(expected):
            return f"{path} should be a tuple of {len(expected)} values, got {_kind(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            d = difference(g, e, rtol, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(got, tuple):  # a list of numbers is as good as an array
        try:
            got = np.asarray(got, dtype=float)
        except ValueError:
            pass
    if not isinstance(got, np.ndarray):
        return f"{path} should be an array of shape {expected.shape}, got {_kind(got)}"
    if got.shape != expected.shape:
        if got.size == expected.size:
            return f"{path} has shape {got.shape}, expected {expected.shape} (same numbers, " \
                   f"wrong shape: a missing keepdims, reshape or transpose?)"
        return f"{path} has shape {got.shape}, expected {expected.shape}"
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return f"{path} contains nan or inf where the expected values are finite"
    finite = np.abs(expected[np.isfinite(expected)])
    scale = float(finite.max()) if finite.size else 0.0
    if not np.allclose(got, expected, rtol=rtol, atol=ATOL + rtol * 1e-3 * scale, equal_nan=True):
        with np.errstate(invalid="ignore"):
            gap = np.nan_to_num(np.abs(got - expected), nan=np.inf)
        i = np.unravel_index(np.argmax(gap), got.shape) if got.ndim else ()
        where = f"{path}{[int(k) for k in i]}" if got.ndim else path
        return f"{where} is {got[i]:.6g}, expected {expected[i]:.6g}"
    return None


def _kind(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}"
    return type(value).__name__


# ---------------------------------------------------------------------------------- running
def _copy(a):
    if isinstance(a, np.ndarray):
        return a.copy()
    if isinstance(a, dict):
        return {k: _copy(v) for k, v in a.items()}
    return a


def same_value(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and \
            np.array_equal(a, b, equal_nan=True)
    return True


def run_case(fn, case):
    """Call fn on fresh copies of the case's arguments. Returns (result, modified_arg_indices).

    The result is normalised to plain arrays/tuples/dicts; an exception is returned as such.
    """
    args = [_copy(a) for a in case.args]
    # warnings and prints to stderr are not mistakes: nbgrader fails a cell with any stderr
    with warnings.catch_warnings(), redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            try:
                result = normalise(case.call(fn, args) if case.call else fn(*args))
            except Exception as err:  # noqa: BLE001 - the student's error is the result
                return err, ()
    modified = tuple(i for i in case.must_not_modify if not same_value(args[i], case.args[i]))
    return result, modified


def expected_of(graded, case):
    args = [_copy(a) for a in case.args]
    with np.errstate(all="ignore"):
        return normalise(case.call(graded.reference, args) if case.call
                         else graded.reference(*args))


def matching_mistakes(graded, case, got):
    """The known mistakes whose output on this case equals the student's output."""
    found = []
    for description, variant in graded.mistakes.items():
        wrong, _ = run_case(variant, case)
        if not isinstance(wrong, Exception) and difference(got, wrong, graded.rtol) is None:
            found.append(description)
    return found


def judge(graded, case, got, modified=()):
    """None if the student's result for this case is right; else what is wrong with it.

    Returns (message, wrong_value): wrong_value is True when the numbers themselves are wrong
    (so that the known mistakes are worth comparing with), False for other problems.
    """
    if isinstance(got, NotImplementedError):
        return f"{graded.name} is not implemented (it raises NotImplementedError).", False
    if isinstance(got, Exception):
        return f"{graded.name} raised {type(got).__name__}: {got}", False
    expected = expected_of(graded, case)
    problem = (graded.compare(got, expected, case) if graded.compare
               else difference(got, expected, graded.rtol))
    if problem is not None:
        return problem, True
    if modified:
        return (f"your function modified its input argument(s) {list(modified)} in place; "
                f"the caller still needs them unchanged"), False
    return None


def diagnose(graded, failures):
    """The known mistakes that explain every failing case with wrong numbers (or, if none
    explains them all, those that explain the first)."""
    wrong = [(case, got) for case, got, value_wrong in failures if value_wrong]
    if not wrong:
        return []
    per_case = [matching_mistakes(graded, case, got) for case, got in wrong]
    common = [m for m in per_case[0] if all(m in found for found in per_case[1:])]
    return common or per_case[0]


# ----------------------------------------------------------------------------------- public
def registry():
    graded = {}
    for module in ASSIGNMENT_MODULES:
        if importlib.util.find_spec(f"{__name__}.{module}") is None:
            continue
        mod = importlib.import_module(f"{__name__}.{module}")
        for g in mod.GRADED:
            graded[g.name] = g
    return graded


def grade(name, fn):
    """The hidden test: fn against the reference on every hidden case of exercise `name`.

    Raises HiddenTestFailed naming the first failing case, what differs and the likely mistake.
    """
    __tracebackhide__ = True  # noqa: F841
    graded = registry()[name]
    if not callable(fn):
        raise HiddenTestFailed(f"{name} should be a function, got {type(fn).__name__}")
    failures, messages = [], []
    for case in graded.make_cases():
        got, modified = run_case(fn, case)
        verdict = judge(graded, case, got, modified)
        if verdict:
            message, value_wrong = verdict
            failures.append((case, got, value_wrong))
            messages.append(f"hidden case '{case.label}': {message}")
            if isinstance(got, NotImplementedError):
                break
    if failures:
        text = f"{name}, {messages[0]}"
        likely = diagnose(graded, failures)
        if likely:
            text += "\nLikely mistake: " + "; or ".join(likely) + "."
        if len(failures) > 1:
            text += f"\n({len(failures) - 1} more of {len(graded.make_cases())} hidden cases " \
                    f"failed too.)"
        raise HiddenTestFailed(text)
    return True
