"""Stage 2, autograde: nbgrader's autograde of one staged submission, in this process.

nbgrader runs the course's stage list (instructor/nbgrader_settings.py): the notebook in the
sandboxed kernel, then the trusted re-grade, whose verdicts are the scores it saves. What
happened comes back as the grading record that the last preprocessor wrote.
"""
from __future__ import annotations

import json
import time

from instructor.flags import Flag, Kind
from instructor.nbgrader_cli import api


def autograde(course, student, assignment):
    """Grade one staged submission. Returns its record: {"flags", "verdicts", "seconds"}."""
    start = time.monotonic()
    record_path = course.record(student, assignment)
    if record_path.exists():
        record_path.unlink()
    if not course.notebook(course.staged, assignment, student).is_file():
        return {"flags": [], "verdicts": {}, "seconds": {}}  # nothing to grade (flagged)
    grader = api(course)
    for _attempt in range(5):
        result = grader.autograde(assignment, student, force=True, create=True)
        error = (result.get("error") or "") + (result.get("log") or "")
        if result.get("success") or "database is locked" not in error:
            break
    record = json.loads(record_path.read_text()) if record_path.is_file() else \
        {"flags": [], "verdicts": {}, "seconds": {}}
    if not result.get("success"):
        record["flags"].append(Flag(Kind.ERROR, f"nbgrader autograde failed: "
                                                f"{_why(error)}").to_json())
    record["seconds"]["total"] = time.monotonic() - start
    record_path.parent.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(record, indent=1))
    return record


def _why(log):
    """The informative line of a failed autograde's log."""
    lines = [ln.strip() for ln in log.splitlines() if "Error" in ln or "ERROR" in ln]
    return (lines or ["unknown error"])[-1][:300]
