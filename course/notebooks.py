"""The course's notebook conventions, in one place (the student library's and the grader's).

Notebooks are read as plain JSON dicts here (a submission may be anything, so no nbformat):

- an **exercise's solution cell** has the nbgrader grade_id of the exercise (``softmax``);
- its **test cell** is read-only and graded, and calls the exercise's public check:
  ``ex.softmax.check(softmax)``; that call is what names the exercise(s) the cell grades;
- **setup cells** are read-only code cells whose grade_id starts with ``setup`` (imports);
- every other cell is the student's own or text.
"""
from __future__ import annotations

import json
import re

CHECK_CALL = re.compile(r"\bex\.([A-Za-z_][A-Za-z0-9_]*)\.check\(")
#: Cell tags that change whether or how a cell runs (nbclient and nbconvert honour them).
EXECUTION_TAGS = frozenset({"raises-exception", "skip-execution", "remove-cell", "remove_cell",
                            "hide-input", "skip"})


def nbgrader_meta(cell):
    """A cell's nbgrader metadata ({} when it has none)."""
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    return (meta.get("nbgrader") if isinstance(meta, dict) else None) or {}


def grade_id(cell):
    return nbgrader_meta(cell).get("grade_id")


def source_text(cell):
    """A cell's source as one string (nbformat stores it as a string or a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def is_code(cell):
    return isinstance(cell, dict) and cell.get("cell_type") == "code"


def is_solution(cell):
    return is_code(cell) and bool(nbgrader_meta(cell).get("solution"))


def is_test(cell):
    meta = nbgrader_meta(cell)
    return is_code(cell) and bool(meta.get("grade")) and not meta.get("solution")


def is_setup(cell):
    meta = nbgrader_meta(cell)
    return is_code(cell) and bool(meta.get("locked")) and \
        str(meta.get("grade_id", "")).startswith("setup")


def exercises_of(cell):
    """The exercises a test cell grades: those whose public check it calls."""
    return list(dict.fromkeys(CHECK_CALL.findall(source_text(cell))))


def graded_cells(nb):
    """grade_id -> (points, [exercise names]) for every autograded test cell."""
    return {grade_id(c): (float(nbgrader_meta(c).get("points", 0)), exercises_of(c))
            for c in nb["cells"] if is_test(c)}


def setup_cells(source_nb):
    """The sources of the assignment's setup cells (trusted: taken from the source notebook)."""
    return [source_text(c) for c in source_nb["cells"] if is_setup(c)]


def solution_cells(source_nb, submitted_nb):
    """The student's solution cells (found by grade_id), in the source's order: what the trusted
    re-grade runs of a submission, and nothing else of it.
    Returns ([(grade_id, source)], grade_ids of solution cells missing from the submission)."""
    submitted = {}
    for cell in submitted_nb.get("cells", []):
        if is_code(cell) and grade_id(cell):
            submitted.setdefault(grade_id(cell), cell)
    cells, missing = [], []
    for cell in source_nb["cells"]:
        if is_solution(cell):
            theirs = submitted.get(grade_id(cell))
            if theirs is None:
                missing.append(grade_id(cell))
            else:
                cells.append((grade_id(cell), source_text(theirs)))
    return cells, missing


def read(path):
    return json.loads(open(path, encoding="utf-8").read())
