"""Comparing a result with the right one, the same way in the public checks and the grading.

A result is plain data: float arrays, and tuples and dicts of them. Two results match when they
have the same structure and shapes and their numbers agree to a relative 1e-4 (float32
arithmetic, about 7 significant digits, is a valid way to compute; a real mistake is far larger).
"""
from __future__ import annotations

import json

import numpy as np

from course.i18n import N_, _

RTOL, ATOL = 1e-4, 1e-8


def normalise(value):
    """A result as plain data: float arrays, and tuples and dicts of them (None and text, the
    answer to a choice, stay as they are)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return tuple(normalise(v) for v in value)
    return np.asarray(value, dtype=float)


def difference(got, expected, rtol=RTOL, path=N_("result"), reveal=True):
    """None when got matches expected; else what differs, in a sentence (in the student's
    language: `path`, the name of the whole result, is translated too).

    reveal: say what the right number is. The hidden grading does not (its answers stay with
    the instructor); a public check does (its examples are public)."""
    return _difference(got, expected, rtol, _(path), reveal)


def _difference(got, expected, rtol, path, reveal):
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return _("{what} should be a dict with keys {keys}, got {kind}").format(
                what=path, keys=sorted(expected), kind=_kind(got))
        missing = [k for k in expected if k not in got]
        if missing:
            return _("{what} is missing the keys {keys}").format(what=path, keys=missing)
        for k in expected:
            d = _difference(got[k], expected[k], rtol, f"{path}[{k!r}]", reveal)
            if d:
                return d
        return None
    if isinstance(expected, tuple):
        if isinstance(got, np.ndarray) and got.ndim and len(got) == len(expected):
            got = tuple(np.asarray(g) for g in got)  # e.g. arrays of one shape, stacked
        if not isinstance(got, tuple) or len(got) != len(expected):
            return _("{what} should be a tuple of {count} values, got {kind}").format(
                what=path, count=len(expected), kind=_kind(got))
        for i, (g, e) in enumerate(zip(got, expected)):
            d = _difference(g, e, rtol, f"{path}[{i}]", reveal)
            if d:
                return d
        return None
    if isinstance(expected, str):
        if not isinstance(got, str):
            return _("{what} should be one of the choices, as text, got {kind}").format(
                what=path, kind=_kind(got))
        if got.strip().lower() != expected.strip().lower():
            if reveal:
                return _("{what} is {got}, expected {expected}").format(
                    what=path, got=repr(got), expected=repr(expected))
            return _("{what} is {got}, which is wrong").format(what=path, got=repr(got))
        return None
    if got is None:
        return _("{what} is None: did you forget to `return` it?").format(what=path)
    if isinstance(got, (tuple, list)):  # a list of numbers is as good as an array
        try:
            got = np.asarray(got, dtype=float)
        except ValueError:
            pass
    if not isinstance(got, np.ndarray):
        return _("{what} should be an array of shape {shape}, got {kind}").format(
            what=path, shape=expected.shape, kind=_kind(got))
    if got.shape != expected.shape:
        if got.size == expected.size:
            return _("{what} has shape {shape}, expected {expected} (the same number of "
                     "entries in the wrong shape: a missing keepdims, reshape or "
                     "transpose?)").format(what=path, shape=got.shape, expected=expected.shape)
        return _("{what} has shape {shape}, expected {expected}").format(
            what=path, shape=got.shape, expected=expected.shape)
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return _("{what} contains nan or inf where the right values are finite").format(
            what=path)
    finite = np.abs(expected[np.isfinite(expected)])
    scale = float(finite.max()) if finite.size else 0.0
    if not np.allclose(got, expected, rtol=rtol, atol=ATOL + rtol * 1e-3 * scale, equal_nan=True):
        with np.errstate(invalid="ignore"):
            gap = np.nan_to_num(np.abs(got - expected), nan=np.inf)
        i = np.unravel_index(np.argmax(gap), got.shape) if got.ndim else ()
        where = f"{path}{[int(k) for k in i]}" if got.ndim else path
        if reveal:
            return _("{what} is {got}, expected {expected}").format(
                what=where, got=f"{got[i]:.6g}", expected=f"{expected[i]:.6g}")
        return _("{what} is {got}, which is wrong").format(what=where, got=f"{got[i]:.6g}")
    return None


def same_value(a, b):
    """Exactly equal (an input left as it was)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and \
            np.array_equal(a, b, equal_nan=True)
    return True


def _kind(value):
    if isinstance(value, np.ndarray):
        return _("an array of shape {shape}").format(shape=value.shape)
    if isinstance(value, tuple):
        return _("a tuple of {count}").format(count=len(value))
    return type(value).__name__


# ------------------------------------------------------------------------- data in JSON files
def digest(value):
    """A fingerprint of a result, its numbers rounded to 4 significant digits: what the public
    check of a question compares, so that the answer is not written out in the library."""
    import hashlib

    def stacked(v):
        """Tuples of numbers (a list, a list of rows) as one array: difference() takes a list
        of numbers as an array, and stacked arrays as a tuple."""
        if isinstance(v, tuple):
            items = [stacked(x) for x in v]
            if items and all(isinstance(x, np.ndarray) for x in items) and \
                    len({x.shape for x in items}) == 1:
                return np.stack(items)
            return tuple(items)
        return v

    def rounded(v):
        v = stacked(v)
        if isinstance(v, dict):
            return {k: rounded(x) for k, x in sorted(v.items())}
        if isinstance(v, tuple):
            return [rounded(x) for x in v]
        if v is None or isinstance(v, str):
            return v.strip().lower() if isinstance(v, str) else v
        arr = np.asarray(v, dtype=float)
        return [list(arr.shape), [float(f"{x:.4g}") + 0.0 for x in arr.ravel()]]

    return hashlib.sha256(json.dumps(rounded(value)).encode()).hexdigest()[:16]


def to_json(value):
    """A result as JSON (for the generated examples file)."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"text": value}
    if isinstance(value, dict):
        return {"dict": {k: to_json(v) for k, v in value.items()}}
    if isinstance(value, tuple):
        return {"tuple": [to_json(v) for v in value]}
    arr = np.asarray(value, dtype=float)
    return {"array": arr.tolist(), "shape": list(arr.shape)}


def from_json(data):
    if data is None:
        return None
    if "text" in data:
        return data["text"]
    if "dict" in data:
        return {k: from_json(v) for k, v in data["dict"].items()}
    if "tuple" in data:
        return tuple(from_json(v) for v in data["tuple"])
    return np.array(data["array"], dtype=float).reshape(data["shape"])
