"""Trusted re-grading, out of the student's process.

nbgrader runs a submission's hidden tests in the same kernel as the student's code, so code that
monkeypatches numpy, swallows exceptions or calls the reference can fool them. This module grades
the same exercises again in a way the student's code cannot influence:

1. the program is rebuilt from trusted parts: the source notebook's setup cells and the
   student's solution cells (found by their grade_id), never the submitted test cells;
2. it runs in a fresh interpreter inside the sandbox (instructor/sandbox.py), where the course
   folder with the reference, the hidden tests and the gradebook does not exist;
3. the student's functions are called on the hidden inputs there, and only plain numbers come
   back (instructor/sandbox_runner.py);
4. the numbers are judged here, in the trusted process, by the same checks as the hidden tests
   (instructor.grading.judge).

The result is a verdict per graded cell. The pipeline keeps min(nbgrader's score, verified
score) for every cell and flags any cell where the two differ.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from instructor import grading
from instructor.cells import nbgrader_meta as _meta
from instructor.cells import source_text as _text
from instructor.sandbox import detect, limit_resources

RUNNER = Path(__file__).with_name("sandbox_runner.py")
GRADE_CALL = re.compile(r"""grade\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""")
MAX_RESULT_BYTES = 100 * 2**20


@dataclass
class CellVerdict:
    grade_id: str
    points: float
    passed: bool
    messages: list = field(default_factory=list)


@dataclass
class Verification:
    cells: dict = field(default_factory=dict)      # grade_id -> CellVerdict
    problems: list = field(default_factory=list)   # things worth flagging (timeouts, crashes)
    sandboxed: bool = False

    @property
    def score(self):
        return sum(v.points for v in self.cells.values() if v.passed)


def graded_cells(source_nb):
    """grade_id -> (points, [exercise names]) for every autograded test cell of the source."""
    out = {}
    for cell in source_nb["cells"]:
        meta = _meta(cell)
        if meta.get("grade") and cell["cell_type"] == "code":
            out[meta["grade_id"]] = (float(meta.get("points", 0)),
                                     GRADE_CALL.findall(_text(cell)))
    return out


def program(source_nb, submitted_nb):
    """The code to re-run: source setup cells (trusted) and the student's solution cells, in the
    source's order. Returns (cells, missing solution grade_ids)."""
    submitted = {}
    for cell in submitted_nb.get("cells", []):
        meta = _meta(cell)
        if cell.get("cell_type") == "code" and meta.get("grade_id"):
            submitted.setdefault(meta["grade_id"], cell)
    cells, missing = [], []
    for cell in source_nb["cells"]:
        meta = _meta(cell)
        if cell["cell_type"] != "code":
            continue
        gid = meta.get("grade_id", "")
        if meta.get("solution"):
            theirs = submitted.get(gid)
            if theirs is None:
                missing.append(gid)
                continue
            cells.append(_text(theirs))
        elif meta.get("locked") and gid.startswith("setup"):
            cells.append(_text(cell))
    return cells, missing


def _decode(struct, arrays):
    kind = struct.get("t")
    if kind == "dict":
        return {str(k): _decode(v, arrays) for k, v in struct["items"].items()}
    if kind == "tuple":
        return tuple(_decode(v, arrays) for v in struct["items"])
    if kind == "array":
        arr = arrays[struct["key"]]
        if arr.dtype != np.float64:
            raise ValueError("non-float result")
        return arr
    raise ValueError(f"unknown result kind {kind!r}")


def _read_result(out_dir, k):
    path = out_dir / f"{k}.json"
    if not path.is_file():
        return None
    payload = json.loads(path.read_text())
    if "error" in payload:
        if payload["error"] == "NotImplementedError":
            return NotImplementedError(), ()
        kind = re.sub(r"\W", "", str(payload["error"]))[:60] or "Error"
        return type(kind, (Exception,), {})(str(payload.get("message", ""))), ()
    npz = out_dir / f"{k}.npz"
    arrays = {}
    if npz.is_file():
        if npz.stat().st_size > MAX_RESULT_BYTES:
            return RuntimeError("the result is far too large"), ()
        with np.load(npz, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    result = _decode(payload["result"], arrays)
    watched = {int(i): _decode(s, arrays) for i, s in payload.get("watched", {}).items()}
    return result, watched


def verify(source_nb, submitted_nb, *, course_root, time_limit=None):
    """Re-grade one submission (both notebooks as dicts). Returns a Verification.

    Each graded cell runs in its own sandboxed process, so that a crash or an infinite loop in
    one exercise costs only that exercise. time_limit: seconds per graded cell (default: the
    exercise's own `time_limit`).
    """
    sandbox = detect()
    registry = grading.registry()
    cells, missing = program(source_nb, submitted_nb)
    verification = Verification(sandboxed=sandbox.available)
    if missing:
        verification.problems.append(f"solution cell(s) missing or re-labelled: {missing}")
    for gid, (points, names) in graded_cells(source_nb).items():
        cases = [(name, case) for name in names for case in registry[name].make_cases()]
        limit = time_limit or max([registry[n].time_limit for n in names] or [60])
        verdict, problem = _verify_cell(gid, points, cells, cases, registry, sandbox,
                                        course_root, limit)
        verification.cells[gid] = verdict
        if problem:
            verification.problems.append(f"{gid}: {problem}")
    return verification


def _verify_cell(gid, points, cells, cases, registry, sandbox, course_root, limit):
    verdict = CellVerdict(gid, points, passed=bool(cases))
    problem = None
    calls = [{"exercise": name, "args": list(case.args), "watch": list(case.must_not_modify),
              "call": case.call} for name, case in cases]
    with tempfile.TemporaryDirectory(prefix="verify-") as tmp:
        work = Path(tmp)
        work.chmod(0o777)
        shutil.copy(RUNNER, work / "runner.py")
        with open(work / "job.pkl", "wb") as f:
            _dump(f, {"cells": cells, "calls": calls})
        cmd = sandbox.command([sys.executable, str(work / "runner.py"), str(work)],
                              hide=[course_root], writable=[work], share_net=False)
        try:
            subprocess.run(cmd, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=limit, preexec_fn=limit_resources)
        except subprocess.TimeoutExpired:
            problem = f"timed out after {limit} s (an infinite loop?)"
        out = work / "out"
        report = out / "cells.json"
        if report.is_file():
            errors = json.loads(report.read_text()).get("errors", [])
            if errors:
                problem = problem or ("the code cells raised: " + "; ".join(errors[:3]))
        for k, (name, case) in enumerate(cases):
            try:
                read = _read_result(out, k) if out.is_dir() else None
            except (ValueError, KeyError, OSError, json.JSONDecodeError) as err:
                read = (RuntimeError(f"unreadable result ({err})"), ())
            if read is None:
                verdict.passed = False
                verdict.messages.append(f"{name}: no result ({problem or 'the process died'})")
                problem = problem or "the student's code ended the process"
                break
            got, watched = read
            modified = tuple(i for i, after in (watched or {}).items()
                             if not grading.same_value(after, grading.normalise(case.args[i])))
            message = grading.judge(registry[name], case, got, modified)
            if message:
                verdict.passed = False
                verdict.messages.append(f"{name}, case '{case.label}': {message[0]}")
    return verdict, problem


def _dump(f, obj):
    """Pickle the job. Functions among the hidden inputs (the f of numerical_gradient, a case's
    `call`) travel by value: the sandbox cannot import the instructor package."""
    import cloudpickle

    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if name.startswith("instructor.grading."):
            cloudpickle.register_pickle_by_value(module)
    cloudpickle.dump(obj, f)
