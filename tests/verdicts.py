"""What a student is told about a wrong answer: by the public check, and by the hidden grade."""
import pytest

from course import exercises as ex
from instructor import grading


def public_failure(name, fn):
    """The public check's message for `fn` as exercise `name` (which must fail)."""
    with pytest.raises(ex.CheckFailed) as err:
        ex.all_exercises()[name].check(fn, quiet=True)
    return str(err.value)


def hidden_failure(name, fn):
    """The hidden grade's message for `fn` as exercise `name` (which must fail)."""
    with pytest.raises(grading.HiddenTestFailed) as err:
        grading.grade(name, fn)
    return str(err.value)
