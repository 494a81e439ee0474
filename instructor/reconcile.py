"""Stage 3, reconcile: one result per student and assignment, from the gradebook and the records.

The scores are nbgrader's, saved from the trusted re-grade's verdicts; the flags are those of
staging, of the run (the grading record) and the gradebook's lateness.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from course.i18n import edition
from instructor.flags import Flag, Kind


@dataclass
class Result:
    student: str
    assignment: str                 # the assignment (its English name, for either edition)
    score: float = 0.0
    max_score: float = 0.0
    flags: list = field(default_factory=list)     # Flag
    submitted: bool = True
    language: str = "en"            # the edition the student worked in


def results(course, stage_flags):
    """Result per (student, assignment) for every student in submitted/ and every assignment,
    whichever edition they handed in (both: the later one counts, flagged).

    stage_flags: {(student, assignment folder): [Flag]} for the submissions that exist."""
    from nbgrader.api import Gradebook, MissingEntry

    out = []
    editions = {}
    for folder in course.assignments():
        editions.setdefault(edition(folder)[0], []).append(folder)
    with Gradebook(course.db_url, course.course_id) as gb:
        for student in course.students():
            for base, folders in sorted(editions.items()):
                handed_in = sorted((f for f in folders if (student, f) in stage_flags),
                                   key=lambda f: _handed_in_at(course, student, f))
                assignment = handed_in[-1] if handed_in else base
                res = Result(student, base, max_score=gb.find_assignment(base).max_score,
                             language=edition(assignment)[1])
                out.append(res)
                if not handed_in:
                    res.submitted = False
                    continue
                if len(handed_in) > 1:
                    res.flags.append(Flag(Kind.EDITIONS, f"handed in both editions: "
                                                         f"{assignment} counts (the later)"))
                res.flags += list(stage_flags[(student, assignment)])
                path = course.record(student, assignment)
                if path.is_file():
                    res.flags += [Flag.from_json(f) for f in
                                  json.loads(path.read_text()).get("flags", [])]
                try:
                    sub = gb.find_submission(assignment, student)
                except MissingEntry:  # never autograded (a missing or corrupt notebook)
                    continue
                res.score = sub.score
                if sub.total_seconds_late > 0:
                    res.flags.append(Flag(Kind.LATE, f"late by {_duration(sub.total_seconds_late)}"))
    return out


def _handed_in_at(course, student, folder):
    stamp = course.submitted / student / folder / "timestamp.txt"
    return stamp.read_text().strip() if stamp.is_file() else ""


def _duration(seconds):
    h, rem = divmod(int(seconds), 3600)
    return f"{h}h {rem // 60:02d}m" if h else f"{rem // 60}m {rem % 60:02d}s"
