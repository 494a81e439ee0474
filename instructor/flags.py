"""What the grader flags for an instructor to look at: a kind, the cell it concerns, a message.

Flags never change a score by themselves (the trusted re-grade decides scores); they say what
happened. Code compares kinds, people read messages.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum


class Kind(str, Enum):
    # staging: what was handed in
    RENAMED = "renamed"              # a notebook under another name, graded as the expected one
    MISSING = "missing"              # no notebook in the submission
    CORRUPT = "corrupt"              # not a readable notebook: scored 0, kept as handed in
    TAMPERING = "tampering"          # read-only cells, grading metadata or tags changed
    SUSPICIOUS = "suspicious"        # code that looks like an attack on the grading
    LATE = "late"
    EDITIONS = "editions"            # handed in both the English and the Chinese edition
    # running the notebook (the feedback copy)
    KERNEL_DIED = "kernel-died"      # the student's kernel ended (killed, crashed, memory)
    TIME_LIMIT = "time-limit"        # a cell or the notebook ran past its limit and was stopped
    OUT_OF_MEMORY = "out-of-memory"
    OUTPUT_CAPPED = "output-capped"  # more output than the cap: the rest was dropped
    # the trusted re-grade
    REGRADE_ENDED = "regrade-ended"  # the student's code ended the grading process
    REGRADE_TIME = "regrade-time"    # an exercise ran past its time limit
    DIFFERS = "differs"              # the notebook's check and the re-grade disagree
    ERROR = "error"                  # the grader itself failed on this submission


@dataclass(frozen=True)
class Flag:
    kind: Kind
    message: str
    cell: str | None = None          # the grade_id it concerns, if any

    def __str__(self):
        return f"{self.cell}: {self.message}" if self.cell else self.message

    def to_json(self):
        return {**asdict(self), "kind": self.kind.value}

    @classmethod
    def from_json(cls, data):
        return cls(Kind(data["kind"]), data["message"], data.get("cell"))
