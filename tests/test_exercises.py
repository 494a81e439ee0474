"""Every exercise, declared once: the reference passes its public checks and its hidden grade,
each known mistake fails the hidden grade and is named, and the two sides declare the same set."""
import numpy as np
import pytest

from course import exercises as ex
from instructor import grading

PUBLIC = ex.all_exercises()
HIDDEN = grading.registry()


def test_every_public_exercise_is_graded_and_vice_versa():
    assert set(PUBLIC) == set(HIDDEN)


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_reference_passes_public_checks_and_hidden_grade(name, capsys):
    reference = HIDDEN[name].reference
    assert PUBLIC[name].check(reference)
    assert "public checks passed" in capsys.readouterr().out
    assert grading.grade(name, reference)


@pytest.mark.parametrize("name,mistake", sorted(
    (name, m) for name, g in HIDDEN.items() for m in g.mistakes))
def test_each_known_mistake_fails_and_is_named(name, mistake):
    variant = HIDDEN[name].mistakes[mistake]
    with pytest.raises(grading.HiddenTestFailed) as err:
        grading.grade(name, variant)
    assert mistake in str(err.value), str(err.value)


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_not_implemented_is_reported_plainly(name):
    def stub(*args):
        raise NotImplementedError()
    with pytest.raises(ex.CheckFailed, match="not implemented yet"):
        PUBLIC[name].check(stub)
    with pytest.raises(grading.HiddenTestFailed, match="not implemented"):
        grading.grade(name, stub)


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_each_exercise_has_tiered_hints(name, capsys):
    e = PUBLIC[name]
    assert 2 <= len(e.hints) <= 4
    e.hint(1)
    assert "Hint 1/" in capsys.readouterr().out
    with pytest.raises(ValueError):
        e.hint(len(e.hints) + 1)


def test_hidden_cases_are_fixed():
    for name, g in HIDDEN.items():
        first, second = g.make_cases(), g.make_cases()
        for a, b in zip(first, second):
            assert a.label == b.label
            for x, y in zip(a.args, b.args):
                if isinstance(x, np.ndarray):
                    assert np.array_equal(x, y), name
