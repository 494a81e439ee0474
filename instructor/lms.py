"""The course's grades as a file an LMS gradebook imports: Canvas's gradebook CSV.

    python -m instructor export [--root R] [--roster canvas-export.csv]

Canvas (Grades > Import) reads a CSV whose first columns say who the student is,

    Student, ID, SIS User ID, SIS Login ID, Section, <one column per assignment> ...

and whose second row, "Points Possible", gives each assignment's points. It matches a row to a
student by ID (Canvas's user id), SIS User ID or SIS Login ID, shows every change for review
before saving, and creates an assignment for each column it does not know (a column of an
assignment it knows is headed "Name (id)", as in its own export). An empty cell changes nothing.

Without a roster the student's nbgrader id (their hub name; a hub that signs people in through
the LMS names them by their LMS login) is the SIS Login ID. With a roster (Canvas's own
gradebook export, Grades > Export) the identity columns are copied from it, and an assignment
Canvas already has keeps its "Name (id)" header, so that its grades go to it.
"""
from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "Points Possible"
_KNOWN_ASSIGNMENT = re.compile(r"^(?P<name>.*) \((?P<id>\d+)\)$")


@dataclass(frozen=True)
class Roster:
    """Who is who in Canvas, from its gradebook export."""

    students: dict      # SIS Login ID -> {identity column: value}
    headers: dict       # assignment name -> its column header in Canvas ("Name (id)")

    @classmethod
    def read(cls, path):
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
        headers = {}
        for column in (rows[0].keys() if rows else ()):
            known = _KNOWN_ASSIGNMENT.match(column or "")
            if known:
                headers[known["name"]] = column
        students = {row["SIS Login ID"].strip(): {k: (row.get(k) or "").strip() for k in IDENTITY}
                    for row in rows if (row.get("SIS Login ID") or "").strip()
                    and POINTS_POSSIBLE not in (row.get("Student") or "")}
        return cls(students, headers)


def canvas_rows(assignments, students, scores, roster=None):
    """The rows of the import file.

    assignments: [(name, points)] in order; students: nbgrader ids; scores: {(student,
    assignment): score} for the submissions that were graded (others are left empty).
    Returns (rows, students missing from the roster)."""
    headers = [(roster.headers.get(name, name) if roster else name) for name, _ in assignments]
    rows = [list(IDENTITY) + headers,
            [POINTS_POSSIBLE] + [""] * (len(IDENTITY) - 1) + [_number(p) for _, p in assignments]]
    missing = []
    for student in students:
        identity = {"Student": student, "SIS Login ID": student}
        if roster is not None:
            if student in roster.students:
                identity = roster.students[student]
            else:
                missing.append(student)
        rows.append([identity.get(k, "") for k in IDENTITY] +
                    [_number(scores[(student, name)]) if (student, name) in scores else ""
                     for name, _ in assignments])
    return rows, missing


def gradebook_scores(course):
    """([(assignment, points)], [student ids], {(student, assignment): score}) from nbgrader's
    gradebook, assignments in the course's order. The editions of an assignment (01_softmax,
    01_softmax_zh) are one column: a student's score is that of the edition they handed in (the
    later one if both, as instructor/reconcile.py decides)."""
    from nbgrader.api import Gradebook

    from course.i18n import edition

    with Gradebook(course.db_url, course.course_id) as gb:
        found = {a.name: a for a in gb.assignments}
        bases = list(dict.fromkeys(edition(a)[0] for a in
                                   [a for a in course.assignments() if a in found] +
                                   sorted(a for a in found if a not in course.assignments())))
        assignments, latest = [], {}
        for base in bases:
            editions = [found[a] for a in found if edition(a)[0] == base]
            assignments.append((base, max(a.max_score for a in editions)))
            for a in editions:
                for sub in a.submissions:
                    key = (sub.student.id, base)
                    stamp = sub.timestamp.isoformat() if sub.timestamp else ""
                    if key not in latest or stamp > latest[key][0]:
                        latest[key] = (stamp, sub.score)
        students = sorted(s.id for s in gb.students)
    return assignments, students, {key: score for key, (_stamp, score) in latest.items()}


def write_canvas_csv(course, path, roster=None):
    """Write the Canvas import file of the course's gradebook. Returns (path, students not in the
    roster)."""
    roster = Roster.read(roster) if roster is not None and not isinstance(roster, Roster) \
        else roster
    rows, missing = canvas_rows(*gradebook_scores(course), roster=roster)
    path = Path(path)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    os.replace(tmp, path)
    return path, missing


def _number(value):
    return f"{float(value):g}"
