"""Answers that are values (a number, a shape, a choice), written as a small function.

    from course.answer import answer

    @answer
    def op_counts():
        n, H, K = 256, 256, 10          # scratch work stays inside the function
        return {"forward": ..., ...}

`@answer` runs the function once and leaves its result under the function's name: after the
cell, `op_counts` is the dict itself, which `ex.op_counts.check(op_counts)` checks. Until the
function is written (it still raises NotImplementedError), the name holds `UNANSWERED`, which
every check and the grading report as "not implemented yet", so the notebook's other cells still
run.
"""
from __future__ import annotations


class Unanswered:
    """The value of an answer whose cell is not written yet."""

    def __init__(self, name):
        self.name = name

    def __array__(self, *args, **kwargs):
        raise NotImplementedError(f"{self.name} is not answered yet")

    def __float__(self):
        raise NotImplementedError(f"{self.name} is not answered yet")

    def __repr__(self):
        return f"<{self.name}: not answered yet>"


def answer(fn):
    """The value fn() returns, or an Unanswered placeholder while fn raises
    NotImplementedError."""
    try:
        return fn()
    except NotImplementedError:
        return Unanswered(fn.__name__)


def given(value, name):
    """For checks: raise NotImplementedError if `value` is still a placeholder."""
    if isinstance(value, Unanswered):
        raise NotImplementedError(f"{name} is not answered yet")
    return value
