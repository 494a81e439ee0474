"""What a submission changed that it should not have: tampering and suspicious code.

Compares a submitted notebook with the release that was handed out, cell by cell (by grade_id),
and scans the student's own code for the usual ways of attacking a grader. Nothing here changes
a score: staging restores what was changed, and the trusted re-grade decides what the code
earns. These findings are flags for the instructor.
"""
from __future__ import annotations

import re

from instructor.flags import Flag, Kind
from course.notebooks import EXECUTION_TAGS, grade_id, nbgrader_meta, source_text

NBGRADER_KEYS = ("grade", "solution", "locked", "points", "task", "grade_id")
SUSPICIOUS = [
    (r"set_custom_exc|sys\.excepthook|showtraceback", "overrides error reporting"),
    (r"\binstructor\b|reference\.py|gradebook", "refers to instructor files"),
    (r"(np|numpy)\.\w+\s*=[^=]|builtins|__builtins__|setattr\(\s*(np|numpy)\b",
     "monkeypatches numpy or builtins"),
    (r"os\._exit|os\.kill|signal\.signal|sys\.exit", "kills or shields its process"),
    (r"get_ipython\(\)\.(events|input_transformers|ast_transformers|run_line_magic)",
     "hooks into the kernel"),
    (r"sys\.modules|importlib\.reload|inspect\.|_getframe|/proc/|os\.environ",
     "reaches into other modules, frames or the process"),
]


def check(release_nb, submitted_nb):
    """Tampering flags (an empty list when the submission is clean)."""
    findings = []

    def flag(message, cell=None):
        findings.append(Flag(Kind.TAMPERING, message, cell))

    released = {grade_id(c): c for c in release_nb["cells"] if grade_id(c)}
    seen = {}
    for cell in submitted_nb.get("cells", []):
        if not isinstance(cell, dict):
            flag("a cell that is not a JSON object")
            continue
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id")
        tags = cell.get("metadata", {}).get("tags", []) or []
        tags = set(tags) if isinstance(tags, list) else set()
        if tags & EXECUTION_TAGS:
            flag(f"execution tags {sorted(tags & EXECUTION_TAGS)}", gid)
        if not gid:
            continue
        if gid in seen:
            flag("a duplicated cell id", gid)
            continue
        seen[gid] = cell
        original = released.get(gid)
        if original is None:
            if meta.get("grade") or meta.get("solution") or meta.get("locked"):
                flag("a cell with made-up grading metadata", gid)
            continue
        o_meta = nbgrader_meta(original)
        changed = [k for k in NBGRADER_KEYS if meta.get(k) != o_meta.get(k)]
        if changed:
            flag(f"changed nbgrader metadata: {', '.join(changed)}", gid)
        if cell.get("cell_type") != original.get("cell_type"):
            flag(f"cell retyped from {original.get('cell_type')} to {cell.get('cell_type')}",
                 gid)
        if o_meta.get("locked") and source_text(cell).strip() != source_text(original).strip():
            what = "test cell" if o_meta.get("grade") and not o_meta.get("solution") else "cell"
            flag(f"edited read-only {what}", gid)
    for gid, cell in released.items():
        if gid not in seen and nbgrader_meta(cell).get("grade"):
            flag("deleted graded cell", gid)
    kernel = submitted_nb.get("metadata", {}).get("kernelspec", {}).get("name")
    expected = release_nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel and expected and kernel != expected:
        flag(f"kernel changed to {kernel!r}")
    return findings


def suspicious_code(release_nb, submitted_nb):
    """Flags for patterns in the student's own cells (not in the handed-out ones)."""
    handed_out = {source_text(c).strip() for c in release_nb["cells"]}
    found = {}
    for cell in submitted_nb.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = source_text(cell)
        if src.strip() in handed_out:
            continue
        for pattern, what in SUSPICIOUS:
            if re.search(pattern, src) and what not in found:
                found[what] = Flag(Kind.SUSPICIOUS, f"suspicious code: {what}", grade_id(cell))
    return list(found.values())
