"""From a class's submissions to grades: collect, autograde, re-grade, feedback, export.

    python -m instructor grade                   # submissions already in submitted/
    python -m instructor grade --from class.zip  # or a folder or zip of downloaded notebooks

Steps, each safe to repeat (a submission is re-graded only when it, its source notebook or the
grading code changed; otherwise the stored result stands):

1. **stage**: every submission is copied, never moved, to .grading/staged/, where nbgrader reads
   it. A renamed notebook is graded under its expected name; one that is not valid JSON is kept
   aside and scores 0; both are flagged. submitted/ is never modified.
2. **autograde**: nbgrader autograde, one process per (student, assignment), on every core. The
   kernel runs in the sandbox (instructor/sandbox_kernel.py).
3. **re-grade**: instructor/verify.py grades the same exercises again outside the student's
   process. Each cell keeps min(nbgrader, re-grade); a lowered cell gets nbgrader's manual
   score override, so every nbgrader report shows the final score.
4. **check**: instructor/integrity.py compares the submission with the release (tampering).
5. **feedback and export**: nbgrader generate_feedback (hidden tests removed) and nbgrader export
   (grades.csv), plus grading-report.csv with a row per submission and its flags.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from instructor import integrity
from instructor.nbgrader_cli import run_nbgrader
from instructor.release import assignments as source_assignments
from instructor.sandbox import detect

STATE_VERSION = "1"
GRADING_CODE = ["verify.py", "sandbox_runner.py", "integrity.py", "grading"]


@dataclass
class Result:
    student: str
    assignment: str
    score: float = 0.0
    max_score: float = 0.0
    flags: list = field(default_factory=list)
    submitted: bool = True


@dataclass
class Report:
    results: list
    csv_path: Path
    report_path: Path
    feedback_dir: Path
    sandbox_note: str
    regraded: int


# --------------------------------------------------------------------------------- collecting
def import_submissions(source, submitted_dir):
    """Copy downloaded notebooks into submitted/<student>/<assignment>/.

    source: a folder or .zip holding <student>/<assignment>/<assignment>.ipynb or
    <student>/<assignment>.ipynb (other files beside them, e.g. timestamp.txt, come along).
    Returns the (student, assignment) pairs found."""
    source = Path(source)
    known = set(source_assignments(Path(submitted_dir).parent))
    with tempfile.TemporaryDirectory() as tmp:
        if source.is_file() and zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as zf:
                for member in zf.namelist():
                    target = (Path(tmp) / member).resolve()
                    if not target.is_relative_to(Path(tmp).resolve()):
                        raise ValueError(f"{source}: unsafe path in zip: {member}")
                zf.extractall(tmp)
            source = Path(tmp)
            entries = [p for p in source.iterdir() if not p.name.startswith(("_", "."))]
            if len(entries) == 1 and entries[0].is_dir() and entries[0].name not in known \
                    and all(p.is_dir() for p in entries[0].iterdir()):
                source = entries[0]  # a zip of one top folder
        elif not source.is_dir():
            raise FileNotFoundError(f"{source}: no such folder or zip file")
        pairs = []
        for student_dir in sorted(p for p in source.iterdir() if p.is_dir()):
            student = student_dir.name
            for item in sorted(student_dir.iterdir()):
                name = item.stem if item.suffix == ".ipynb" else item.name
                if name not in known:
                    continue
                dest = Path(submitted_dir) / student / name
                dest.mkdir(parents=True, exist_ok=True)
                if item.is_dir():
                    shutil.copytree(item, dest, dirs_exist_ok=True)
                else:
                    shutil.copy2(item, dest / item.name)
                pairs.append((student, name))
        return pairs


def stage(root, student, assignment, staged_dir):
    """Copy one submission to the staging area as nbgrader should see it. Returns flags.

    The staged copy is sanitised so that one student's tampering can neither earn points nor
    stop nbgrader (a duplicated or unknown grade_id aborts a whole `nbgrader autograde` run):
    every handed-out cell gets its release metadata back, made-up grading metadata and
    execution tags are removed. What was changed is reported as flags.
    """
    src = root / "submitted" / student / assignment
    dest = staged_dir / student / assignment
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    flags = []
    expected = f"{assignment}.ipynb"
    notebooks = sorted(p for p in src.glob("*.ipynb")) if src.is_dir() else []
    chosen = src / expected if (src / expected).is_file() else None
    if chosen is None and len(notebooks) == 1:
        chosen = notebooks[0]
        flags.append(f"renamed notebook: graded {chosen.name} as {expected}")
    elif chosen is None:
        flags.append("missing notebook" if not notebooks else
                     f"missing notebook ({len(notebooks)} other notebooks, none named {expected})")
    if chosen is not None:
        try:
            nb = nbformat.read(chosen, as_version=4)
            nbformat.validate(nb)
        except Exception as err:  # noqa: BLE001 - any unreadable notebook
            flags.append(f"not a valid notebook ({type(err).__name__}): kept in submitted/, "
                         f"scored 0")
        else:
            release = json.loads((root / "release" / assignment / expected).read_text())
            original = json.loads(nbformat.writes(nb))
            flags += [f"tampering: {f}" for f in integrity.check(release, original)]
            flags += [f"suspicious code: {f}" for f in
                      integrity.suspicious_code(release, original)]
            nbformat.write(sanitise(nb, release), dest / expected)
    if (src / "timestamp.txt").is_file():
        shutil.copy2(src / "timestamp.txt", dest / "timestamp.txt")
    return flags


def sanitise(nb, release):
    """The notebook with the release's grading metadata (and cell type, for read-only cells)
    on every handed-out cell, and no grading metadata or execution tags anywhere else."""
    released = {c["metadata"]["nbgrader"]["grade_id"]: c for c in release["cells"]
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")}
    seen = set()
    for cell in nb.cells:
        meta = cell.setdefault("metadata", {})
        tags = [t for t in meta.get("tags", []) if t not in integrity.EXECUTION_TAGS]
        if "tags" in meta:
            meta["tags"] = tags
        gid = (meta.get("nbgrader") or {}).get("grade_id")
        if gid in released and gid not in seen:
            seen.add(gid)
            original = released[gid]
            meta["nbgrader"] = json.loads(json.dumps(original["metadata"]["nbgrader"]))
            if meta["nbgrader"].get("locked") and cell.cell_type != original["cell_type"]:
                cell.cell_type = original["cell_type"]
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
                else:
                    cell.pop("outputs", None)
                    cell.pop("execution_count", None)
        else:
            meta.pop("nbgrader", None)
    return nb


# ---------------------------------------------------------------------------------- grading
def fingerprint(root, student, assignment, staged_dir):
    h = hashlib.sha256(STATE_VERSION.encode())
    for path in sorted((staged_dir / student / assignment).glob("*")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update((root / "source" / assignment / f"{assignment}.ipynb").read_bytes())
    here = Path(__file__).resolve().parent
    for name in GRADING_CODE:
        for path in sorted((here / name).rglob("*.py")) if (here / name).is_dir() else [here / name]:
            h.update(path.read_bytes())
    return h.hexdigest()


_API = None  # one NbGraderAPI per worker process (importing nbgrader takes seconds)


def _start_worker(root, staged_dir):
    global _API
    import warnings

    warnings.filterwarnings("ignore")  # nbgrader's in-process API warns about its own sessions
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.submitted_directory = str(staged_dir)
    _API = NbGraderAPI(config=config)


def autograde(root, student, assignment, staged_dir):
    """nbgrader autograde for one submission (in-process API). Returns (ok, last error line)."""
    if _API is None:
        _start_worker(root, staged_dir)
    for _attempt in range(5):
        result = _API.autograde(assignment, student, force=True, create=True)
        error = result.get("error") or ""
        if result.get("success") or "database is locked" not in error + result.get("log", ""):
            break
    if result.get("success"):
        return True, ""
    return False, _why(result.get("log", "") + "\n" + error)


def _why(log):
    """The informative line of a failed autograde's log."""
    for needle, why in (("Kernel died", "the kernel died (killed, crashed or out of memory)"),
                        ("Timeout waiting", "a cell ran past the time limit"),
                        ("MemoryError", "out of memory"),
                        ("checksum", "grading metadata does not match the release")):
        if needle in log:
            return why
    lines = [ln.strip() for ln in log.splitlines() if "Error" in ln or "ERROR" in ln]
    return (lines or ["unknown error"])[0][:300]


RUN_TIME_ERRORS = {"MemoryError": "ran out of memory (capped, the grader went on)",
                   "CellTimeoutError": "hit the time limit (interrupted, the grader went on)"}


def run_time_problems(root, student, assignment):
    """Flags for cells that ran out of memory or time in the autograded notebook."""
    path = root / "autograded" / student / assignment / f"{assignment}.ipynb"
    if not path.is_file():
        return []
    problems = []
    for cell in json.loads(path.read_text()).get("cells", []):
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "a cell")
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                continue
            # the error itself, or reported by a check that called the student's function
            said = f"{out.get('ename')} {out.get('evalue', '')}"
            for error, why in RUN_TIME_ERRORS.items():
                if error in said and f"{gid}: {why}" not in problems:
                    problems.append(f"{gid}: {why}")
    return problems


def regrade(root, student, assignment, staged_dir):
    """The trusted re-grade of one submission (see instructor/verify.py)."""
    from instructor.verify import verify

    notebook = staged_dir / student / assignment / f"{assignment}.ipynb"
    if not notebook.is_file():
        return None
    source_nb = json.loads((root / "source" / assignment / f"{assignment}.ipynb").read_text())
    submitted_nb = json.loads(notebook.read_text())
    return verify(source_nb, submitted_nb, course_root=root)


def grade_one(root, student, assignment, staged_dir, regrade_too=True):
    """Autograde and re-grade one submission. Returns a JSON-able record."""
    record = {"autograde_ok": True, "verification": None, "problems": []}
    if not (staged_dir / student / assignment / f"{assignment}.ipynb").is_file():
        record["autograde_ok"] = False
        return record  # nothing to grade: scored 0, flagged at staging
    ok, error = autograde(root, student, assignment, staged_dir)
    if not ok:
        record["autograde_ok"] = False
        record["problems"].append(f"nbgrader autograde failed: {error}")
    record["problems"] += run_time_problems(root, student, assignment)
    verification = regrade(root, student, assignment, staged_dir) if regrade_too else None
    if verification is not None:
        record["verification"] = {gid: {"passed": v.passed, "points": v.points,
                                        "messages": v.messages[:3]}
                                  for gid, v in verification.cells.items()}
        record["problems"] += verification.problems
    return record


def reconcile(gb, student, assignment, record):
    """Apply min(nbgrader, re-grade) per cell through nbgrader's manual override.

    Returns the flags."""
    flags = []
    try:
        submission = gb.find_submission(assignment, student)
    except Exception:  # noqa: BLE001 - no submission in the gradebook
        return flags
    verified = record.get("verification") or {}
    for nb in submission.notebooks:
        for grade in nb.grades:
            auto = grade.auto_score or 0.0
            check = verified.get(grade.name)
            final = auto
            if check is not None and not check["passed"] and auto > 0:
                final = 0.0
                why = "; ".join(check["messages"][:1]) or "failed"
                flags.append(f"{grade.name}: nbgrader gave {auto:g}, the re-grade outside the "
                             f"kernel gives 0 ({why})")
            elif check is not None and check["passed"] and auto < (grade.max_score or 0) \
                    and record.get("autograde_ok", True):
                flags.append(f"{grade.name}: failed in the notebook but passes the re-grade "
                             f"(a public check, or a crash in another cell); kept "
                             f"{auto:g}/{grade.max_score:g}")
            grade.manual_score = final if final != auto else None
    gb.db.commit()
    return flags


# -------------------------------------------------------------------------------- the command
def grade_class(root, *, source=None, workers=None, log=print, regrade_too=True,
                outputs=True):
    """Grade every submission in root/submitted (after importing `source`, if given).

    regrade_too=False and outputs=False leave out the re-grade and the feedback/export steps
    (benchmarks/parallel_autograde.py times nbgrader's part alone)."""
    from nbgrader.api import Gradebook

    root = Path(root).resolve()
    if source is not None:
        pairs = import_submissions(source, root / "submitted")
        log(f"imported {len(pairs)} submissions from {source}")
    names = source_assignments(root)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "backprop") as gb:
        known = {a.name for a in gb.assignments}
    for name in names:  # the gradebook must know every assignment and its cells
        if name not in known:
            run_nbgrader(["generate_assignment", name, "--force"], root)
    staged = root / ".grading" / "staged"
    state_path = root / ".grading" / "state.json"
    state = json.loads(state_path.read_text()) if state_path.is_file() else {}
    submitted = root / "submitted"
    students = sorted(p.name for p in submitted.iterdir() if p.is_dir()) \
        if submitted.is_dir() else []

    todo, stage_flags = [], {}
    for student in students:
        for name in names:
            if not (submitted / student / name).is_dir():
                continue
            stage_flags[(student, name)] = stage(root, student, name, staged)
            key = f"{student}/{name}"
            fp = fingerprint(root, student, name, staged)
            if state.get(key, {}).get("fingerprint") != fp:
                todo.append((student, name, fp))
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "backprop") as gb:
        for student in {s for s, _, _ in todo}:  # created here, not by racing workers
            gb.update_or_create_student(student)
    workers = workers or os.cpu_count() or 1
    log(f"grading {len(todo)} new or changed submission(s) of "
        f"{sum(1 for _ in stage_flags)} with {workers} worker(s); sandbox: {detect().note}")

    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                             initargs=(root, staged)) as pool:
        futures = {pool.submit(grade_one, root, student, name, staged, regrade_too):
                   (student, name, fp) for student, name, fp in todo}
        for future in as_completed(futures):
            student, name, fp = futures[future]
            record = future.result()
            record["fingerprint"] = fp
            state[f"{student}/{name}"] = record
            log(f"  graded {student}/{name}")

    results = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "backprop") as gb:
        for student in students:
            for name in names:
                key = f"{student}/{name}"
                res = Result(student, name)
                res.max_score = gb.find_assignment(name).max_score
                if (student, name) not in stage_flags:
                    res.submitted = False
                    results.append(res)
                    continue
                record = state.get(key, {})
                flags = list(stage_flags[(student, name)]) + list(record.get("problems", []))
                flags += reconcile(gb, student, name, record) if record else []
                try:
                    sub = gb.find_submission(name, student)
                    res.score = sub.score
                    if sub.total_seconds_late > 0:
                        flags.append(f"late by {_duration(sub.total_seconds_late)}")
                except Exception:  # noqa: BLE001 - never autograded (e.g. missing notebook)
                    pass
                res.flags = flags
                results.append(res)
    state_path.parent.mkdir(parents=True, exist_ok=True)
    state_path.write_text(json.dumps(state, indent=1, sort_keys=True))

    if not outputs:
        return Report(results, None, None, None, detect().note, len(todo))
    changed = sorted({name for _, name, _ in todo})
    for name in changed:
        run_nbgrader(["generate_feedback", name, "--force"], root, check=False)
    csv_path = root / "grades.csv"
    run_nbgrader(["export", f"--to={csv_path}"], root)
    report_path = root / "grading-report.csv"
    write_report(results, report_path)
    return Report(results, csv_path, report_path, root / "feedback", detect().note, len(todo))


def _duration(seconds):
    h, rem = divmod(int(seconds), 3600)
    return f"{h}h {rem // 60:02d}m" if h else f"{rem // 60}m {rem % 60:02d}s"


def write_report(results, path):
    rows = [{"student": r.student, "assignment": r.assignment,
             "score": f"{r.score:g}" if r.submitted else "",
             "max_score": f"{r.max_score:g}",
             "submitted": "yes" if r.submitted else "no",
             "flags": " | ".join(r.flags)} for r in results]
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["student"])
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)


def summary_table(report: Report) -> str:
    """Student x assignment scores, then every flag, then where the outputs are."""
    results = report.results
    students = sorted({r.student for r in results})
    names = sorted({r.assignment for r in results})
    by = {(r.student, r.assignment): r for r in results}
    width = max([7] + [len(s) for s in students])
    head = f"{'student':<{width}} " + " ".join(f"{n[:2]:>7}" for n in names) + "   total  flags"
    lines = [head, "-" * len(head)]
    for s in students:
        cells, total, top, flagged = [], 0.0, 0.0, 0
        for n in names:
            r = by.get((s, n))
            top += r.max_score if r else 0
            if r is None or not r.submitted:
                cells.append(f"{'-':>7}")
                continue
            total += r.score
            mark = "*" if r.flags else " "
            flagged += len(r.flags)
            cells.append(f"{r.score:>3g}/{r.max_score:<2g}{mark}")
        lines.append(f"{s:<{width}} " + " ".join(cells) + f"  {total:>3g}/{top:<3g}  "
                     + (str(flagged) if flagged else ""))
    lines.append("")
    lines.append("(* = flagged; - = not submitted)  columns: " + ", ".join(names))
    lines.append("")
    lines.append("Flags:")
    for r in results:
        for f in r.flags:
            lines.append(f"  {r.student}/{r.assignment}: {f}")
    lines.append("")
    lines.append(f"Sandbox: {report.sandbox_note}")
    lines.append(f"Re-graded this run: {report.regraded} submission(s)")
    lines.append(f"Grades (nbgrader export): {report.csv_path}")
    lines.append(f"Report with flags:        {report.report_path}")
    lines.append(f"Feedback:                 {report.feedback_dir}/<student>/<assignment>/")
    return "\n".join(lines)
