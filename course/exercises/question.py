"""A question: a step of a derivation that the student answers with a value.

A hand computation on a tiny example, the shape of a product, where a factor comes from, a
choice between statements: the answer is a number, an array or a choice. The student writes it
as a function of no arguments that returns it, like every other exercise::

    def softmax_by_hand():
        return [1 / 6, 2 / 6, 3 / 6]

    ex.softmax_by_hand.check(softmax_by_hand)

(A function rather than a variable, so that the release's `raise NotImplementedError()` stub sits
in a function body: the cell runs, and the check reports "not implemented yet".)

Its public check compares the answer with the right one and, when it is wrong, names the known
mistake it matches (from examples.json, in the same words as the hidden grading), but never shows
the right answer: a question whose check printed its answer would ask nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from course.compare import difference, from_json, normalise

from . import Check, Example, Exercise, _stored_examples, fail


@dataclass
class Question(Exercise):
    """An Exercise answered by a function of no arguments that returns a value."""

    def __post_init__(self):
        # examples.json holds the right answer and the known mistakes' answers under this name
        self.examples = [Example("your answer", ())]

    def check(self, answer, *, quiet=False):
        """The one public check: is the answer right (and if not, which mistake is it)?"""
        __tracebackhide__ = True  # noqa: F841
        if not callable(answer):
            fail(f"{self.name}: write your answer as a function that returns it: "
                 f"`def {self.name}(): return ...`")
        judged = Exercise(name=self.name, signature=self.signature, hints=self.hints,
                          checks=[Check("your answer", self._judge)])
        return judged.check(answer, quiet=quiet)

    def _judge(self, fn):
        stored = _stored_examples().get(self.name)
        if not stored:
            raise RuntimeError(f"examples.json is out of date for {self.name}: run "
                               f"`python -m instructor release`")
        got = normalise(fn())
        problem = difference(got, from_json(stored[0]["expected"]), path=f"{self.name}()",
                             reveal=False)
        if problem:
            likely = [d for d, out in stored[0]["mistakes"].items()
                      if difference(got, from_json(out)) is None]
            fail(problem + (f"\nLikely mistake: {'; or '.join(likely)}." if likely else ""))
        return None
