"""Hidden grading of questions (course/exercises/question.py): an answer, not a function.

A question's reference is a function of no arguments that returns the right answer; its one
hidden case calls the student's function with no arguments; its known mistakes are the wrong
answers that realistic mistakes give, each with what went wrong.
"""
from __future__ import annotations

from . import Case, Graded


def answer(value):
    """A function of no arguments that returns value as it is (a number, a list, text, a dict of
    arrays or bools...): a reference or a mistake. The comparison normalises it."""
    def answered():
        return value
    return answered


def the_answer(rng):
    return [Case("your answer", ())]


def question(name, right, wrong):
    """Graded question `name`: right is the answer, wrong maps what went wrong -> its answer."""
    return Graded(name, answer(right), the_answer,
                  {description: answer(value) for description, value in wrong.items()})
