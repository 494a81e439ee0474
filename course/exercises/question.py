"""A question: a step of a derivation that the student answers with a value.

A hand computation on a tiny example, the shape of a product, where a factor comes from, a
choice between statements: the answer is a number, an array, a dict of them or a choice. The
student writes it as a function of no arguments that returns it, like every other exercise::

    def softmax_by_hand():
        return [1 / 6, 2 / 6, 3 / 6]

    ex.softmax_by_hand.check(softmax_by_hand)

(A function rather than a variable, so that the release's `raise NotImplementedError()` stub sits
in a function body: the cell runs, and the check reports "not implemented yet".)

Its public check compares the answer with the right one and, when it is wrong, names the known
mistake it matches, in the same words as the hidden grading; it never shows the right answer,
and the library never holds it: examples.json keeps only fingerprints of the answers
(course.compare.digest), numbers rounded to 4 significant digits. A question's `checks` look at
the answer's form (its keys, shapes, kinds of value): they run on an answer that is neither right
nor a known mistake, to say what is wrong with it rather than only "not right yet".
"""
from __future__ import annotations

from dataclasses import dataclass

from course.compare import digest, normalise
from course.i18n import N_, _

from . import Check, Example, Exercise, _likely, fail


@dataclass
class Question(Exercise):
    """An Exercise answered by a function of no arguments that returns a value."""

    def __post_init__(self):
        self.examples = [Example(N_("your answer"), ())]

    def check(self, answer, *, quiet=False):
        __tracebackhide__ = True  # noqa: F841
        if not callable(answer):
            fail(_("{name}: write your answer as a function that returns it: "
                   "`def {name}(): return ...`").format(name=self.name))
        return super().check(answer, quiet=quiet)

    def _checks(self):
        return [Check(N_("your answer"), self._compare)]

    def _compare(self, fn):
        (data,) = self._stored()
        got = normalise(fn())
        if isinstance(got, dict) and "keys" in data:  # other keys are ignored, as in the grading
            got = {k: v for k, v in got.items() if k in data["keys"]}
        if digest(got) == data["digest"]:
            return None
        likely = [d for d, h in data["mistakes"].items() if digest(got) == h]
        if not likely:
            for form in self.checks:  # what is wrong with its form, if anything
                form.run(fn)
        if likely:
            fail(_("not right yet.") + "\n" + _likely(likely))
        fail(_("not right yet: check your working (numbers are compared to four significant "
               "digits)"))
