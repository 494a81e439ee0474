"""From a class's submissions to grades: `python -m instructor grade`.

    python -m instructor grade                   # submissions already in submitted/
    python -m instructor grade --from class.zip  # or a folder or zip of downloaded notebooks

1. **intake** (instructor/intake.py): import the downloads, then stage a clean copy of every
   submission; submitted/ is never modified.
2. **autograde** (instructor/autograde.py), in parallel: nbgrader runs each notebook in the
   sandboxed kernel, and the **trusted re-grade** (instructor/regrade.py) scores every exercise
   outside the student's process; then the submission's feedback is generated.
3. **reconcile** (instructor/reconcile.py): a result per student and assignment, with flags.
4. **report** (instructor/report.py): grades.csv, grading-report.csv, the summary table.

Every step is safe to repeat: a submission is graded again only when its fingerprint
(instructor/fingerprint.py: what was handed in and all the code that grades it) changed.
"""
from __future__ import annotations

import json
import os

from instructor import fingerprint
from instructor.autograde import autograde
from instructor.course_dir import Course
from instructor.flags import Flag, Kind
from instructor.intake import import_submissions, stage
from instructor.nbgrader_cli import api, generate_assignments
from instructor.reconcile import results
from instructor.report import Report, export_grades, write_report
from instructor.sandbox import detect
from instructor.workers import on_dask, on_this_machine


def grade_one(course, student, assignment, feedback=True):
    """Autograde one submission and generate its feedback (run by a worker, one per core: the
    trusted side's numbers, the instructor's functions answering the student's calls, use one
    BLAS thread, as the student's process does; more would wait on each other's cores)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        record = autograde(course, student, assignment)
        if feedback and course.notebook(course.autograded, assignment, student).is_file():
            api(course).generate_feedback(assignment, student, force=True)
    return record


def grade_class(root, *, source=None, workers=None, scheduler=None, log=print, feedback=True):
    """Grade every submission in root/submitted (after importing `source`, if given).

    workers: processes on this machine (default: one per core); scheduler: the address of a
    Dask scheduler (tcp://host:port) whose workers see the course folder at the same path."""
    course = Course(root)
    if source is not None:
        log(f"imported {len(import_submissions(course, source))} submissions from {source}")
    prepare_gradebook(course)
    stage_flags = {(s, a): stage(course, s, a) for s in course.students()
                   for a in course.assignments() if (course.submitted / s / a).is_dir()}
    state = _load_state(course)
    todo = {}
    for student, assignment in stage_flags:
        fp = fingerprint.submission(course, student, assignment)
        if state.get(f"{student}/{assignment}") != fp or not _graded(course, student, assignment):
            todo[(student, assignment)] = fp
    where = f"the Dask cluster at {scheduler}" if scheduler else \
        f"{workers or os.cpu_count() or 1} local worker(s)"
    log(f"grading {len(todo)} new or changed submission(s) of {len(stage_flags)} on {where}; "
        f"sandbox: {detect().note}")
    _forget_ungradable(course, todo)
    tasks = [(course, s, a, feedback) for s, a in _longest_first(course, todo)]
    graded = on_dask(grade_one, tasks, scheduler) if scheduler else \
        on_this_machine(grade_one, tasks, workers)
    for (_, student, assignment, _), result in graded:
        if isinstance(result, Exception):
            stage_flags[(student, assignment)].append(
                Flag(Kind.ERROR, f"grading failed, to be retried on the next run: {result}"))
            log(f"  FAILED {student}/{assignment}: {result}")
            continue
        state[f"{student}/{assignment}"] = todo[(student, assignment)]
        _save_state(course, state)
        log(f"  graded {student}/{assignment}")
    found = results(course, stage_flags)
    report = Report(found, export_grades(course, course.root / "grades.csv"),
                    write_report(found, course.root / "grading-report.csv"), course.feedback,
                    detect().note, sorted(todo))
    return report


def _longest_first(course, todo):
    """The submissions, those that took longest last time (or 06's, the longest) first, so that
    no worker is left with a long one at the end."""
    def cost(pair):
        record = course.record(*pair)
        if record.is_file():
            return json.loads(record.read_text()).get("seconds", {}).get("total", 0.0)
        return {"06": 30.0}.get(pair[1][:2], 3.0)
    return sorted(todo, key=cost, reverse=True)


def prepare_gradebook(course):
    """The gradebook knows every assignment and its cells (nbgrader generate_assignment), and
    no student is created by racing workers."""
    from nbgrader.api import Gradebook

    api(course)  # (puts `alembic`, which a new gradebook runs, on the PATH)
    with Gradebook(course.db_url, course.course_id) as gb:
        known = {a.name for a in gb.assignments}
        for student in course.students():
            gb.update_or_create_student(student)
    generate_assignments(course, [n for n in course.assignments() if n not in known])


def _forget_ungradable(course, todo):
    """A submission with no notebook to grade (missing, corrupt) has no gradebook entry."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url, course.course_id) as gb:
        for student, assignment in todo:
            if not course.notebook(course.staged, assignment, student).is_file():
                try:
                    gb.remove_submission(assignment, student)
                except MissingEntry:
                    pass


def _graded(course, student, assignment):
    """Is this submission's last grading still on disk (its record, and its notebook if any)?"""
    if not course.record(student, assignment).is_file():
        return not course.notebook(course.staged, assignment, student).is_file()
    return course.notebook(course.autograded, assignment, student).is_file()


def _load_state(course):
    path = course.state / "fingerprints.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _save_state(course, state):
    path = course.state / "fingerprints.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    os.replace(tmp, path)
