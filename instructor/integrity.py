"""What a submission changed that it should not have: tampering and suspicious code.

Compares a submitted notebook with the release that was handed out, cell by cell (by grade_id),
and scans the student's own code for the usual ways of fooling an in-kernel grader. Nothing here
changes a score by itself: nbgrader restores test cells, and the trusted re-grade
(instructor/verify.py) decides what the code earns. These findings are the flags an instructor
reads in the summary.
"""
from __future__ import annotations

import re

from instructor.cells import nbgrader_meta as _meta
from instructor.cells import source_text as _source

NBGRADER_KEYS = ("grade", "solution", "locked", "points", "task", "grade_id")
# Cell tags that change whether or how a cell runs (nbclient and nbconvert honour them).
EXECUTION_TAGS = {"raises-exception", "skip-execution", "remove-cell", "remove_cell",
                  "hide-input", "skip"}
SUSPICIOUS = [
    (r"set_custom_exc|sys\.excepthook|showtraceback", "overrides error reporting"),
    (r"\binstructor\b|reference\.py|gradebook", "refers to instructor files"),
    (r"(np|numpy)\.\w+\s*=[^=]|builtins|__builtins__|setattr\(\s*(np|numpy)\b",
     "monkeypatches numpy or builtins"),
    (r"os\._exit|os\.kill|signal\.signal|sys\.exit", "kills or shields its process"),
    (r"get_ipython\(\)\.(events|input_transformers|ast_transformers|run_line_magic)",
     "hooks into the kernel"),
    (r"sys\.modules|importlib\.reload|inspect\.(currentframe|stack)|_getframe",
     "reaches into other modules or frames"),
]


def check(release_nb, submitted_nb):
    """A list of human-readable findings (empty when the submission is clean)."""
    findings = []
    released = {}
    for cell in release_nb["cells"]:
        gid = _meta(cell).get("grade_id")
        if gid:
            released[gid] = cell
    seen = {}
    for cell in submitted_nb.get("cells", []):
        if not isinstance(cell, dict):
            findings.append("a cell that is not a JSON object")
            continue
        meta = _meta(cell)
        gid = meta.get("grade_id")
        tags = set(cell.get("metadata", {}).get("tags", []) or [])
        if tags & EXECUTION_TAGS:
            findings.append(f"execution tags {sorted(tags & EXECUTION_TAGS)} on cell "
                            f"{gid or '(student cell)'}")
        if not gid:
            continue
        if gid in seen:
            findings.append(f"duplicate cell id {gid}")
            continue
        seen[gid] = cell
        original = released.get(gid)
        if original is None:
            if meta.get("grade") or meta.get("solution") or meta.get("locked"):
                findings.append(f"a cell with made-up grading metadata ({gid})")
            continue
        o_meta = _meta(original)
        changed = [k for k in NBGRADER_KEYS if meta.get(k) != o_meta.get(k)]
        if changed:
            findings.append(f"changed nbgrader metadata of {gid}: {', '.join(changed)}")
        if cell.get("cell_type") != original.get("cell_type"):
            findings.append(f"cell {gid} retyped from {original.get('cell_type')} to "
                            f"{cell.get('cell_type')}")
        if o_meta.get("locked") and _source(cell).strip() != _source(original).strip():
            what = "test cell" if o_meta.get("grade") and not o_meta.get("solution") else "cell"
            findings.append(f"edited read-only {what} {gid}")
    for gid, cell in released.items():
        if gid not in seen and _meta(cell).get("grade"):
            findings.append(f"deleted graded cell {gid}")
    kernel = submitted_nb.get("metadata", {}).get("kernelspec", {}).get("name")
    expected = release_nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel and expected and kernel != expected:
        findings.append(f"kernel changed to {kernel!r}")
    return findings


def suspicious_code(release_nb, submitted_nb):
    """Patterns in the student's own cells (not in the handed-out ones) worth a human look."""
    handed_out = {_source(c).strip() for c in release_nb["cells"]}
    found = []
    for cell in submitted_nb.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = _source(cell)
        if src.strip() in handed_out:
            continue
        for pattern, what in SUSPICIOUS:
            if re.search(pattern, src) and what not in found:
                found.append(what)
    return found
