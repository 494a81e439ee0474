"""Stage 3, reconcile: one result per student and assignment, from the gradebook and the records.

The scores are nbgrader's, saved from the trusted re-grade's verdicts; the flags are those of
staging, of the run (the grading record) and the gradebook's lateness.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from instructor.flags import Flag, Kind


@dataclass
class Result:
    student: str
    assignment: str
    score: float = 0.0
    max_score: float = 0.0
    flags: list = field(default_factory=list)     # Flag
    submitted: bool = True


def results(course, stage_flags):
    """Result per (student, assignment) for every student in submitted/ and every assignment.

    stage_flags: {(student, assignment): [Flag]} for the submissions that exist."""
    from nbgrader.api import Gradebook, MissingEntry

    out = []
    with Gradebook(course.db_url, course.course_id) as gb:
        for student in course.students():
            for assignment in course.assignments():
                res = Result(student, assignment,
                             max_score=gb.find_assignment(assignment).max_score)
                out.append(res)
                if (student, assignment) not in stage_flags:
                    res.submitted = False
                    continue
                res.flags = list(stage_flags[(student, assignment)])
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


def _duration(seconds):
    h, rem = divmod(int(seconds), 3600)
    return f"{h}h {rem // 60:02d}m" if h else f"{rem // 60}m {rem % 60:02d}s"
