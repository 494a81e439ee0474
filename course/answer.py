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


class when_written:
    """A cell that runs your functions, until they are written:

        with when_written():
            print(loss(params, X, y, 1.0))

    While a function it calls still raises NotImplementedError, the cell prints which one to
    write instead of failing; any other error is raised as usual."""

    def __enter__(self):
        return self

    def __exit__(self, kind, err, tb):
        if kind is None or not issubclass(kind, NotImplementedError):
            return False
        if type(err).__name__ == "EarlierWorkMissing":  # course.mine says where and why
            print(err)
            return True
        import traceback

        frames = traceback.extract_tb(tb)
        name = frames[-1].name if frames else "your function"
        print(f"(Write `{name}` above to run this cell.)" if name != "<module>" else
              "(Write the functions above to run this cell.)")
        return True
