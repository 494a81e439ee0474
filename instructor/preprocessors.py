"""The course's nbgrader preprocessors: each makes one change to a notebook being graded.

They are composed into nbgrader's stage lists in instructor/nbgrader_settings.py:

- ``RunSubmission`` runs the student's code in one sandboxed process (instructor/session.py):
  the trusted re-grade of every exercise (instructor/regrade.py), then the notebook's own run,
  whose outputs it puts in the cells (instructor/notebook_run.py). It replaces nbgrader's
  Execute: same notebook, one start-up instead of two, limits that hold against hostile code.
- ``HiddenVerdicts`` writes each test cell's verdict under it.
- ``SaveVerdictGrades`` scores each test cell from its verdict (nbgrader's SaveAutoGrades would
  score the cell's output, which the student's code controls).
- ``SaveGradingRecord`` writes what happened (flags, verdicts, times) to .grading/records/.
- ``ShortenTestTracebacks`` (feedback) keeps only the last line of a test cell's traceback.
"""
from __future__ import annotations

import html
import json
import os
import sys
import time

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades
from nbgrader.utils import is_grade
from traitlets import Integer, Unicode

from course import notebooks
from course.i18n import _, edition, speaking
from instructor.course_dir import Course
from instructor.flags import Flag, Kind
from instructor.notebook_run import NotebookRun, note, run_notebook
from instructor.regrade import regrade
from instructor.session import ChildGone, OutOfTime, Session

KEY = "backprop"  # where these preprocessors keep their findings in `resources`


def findings(resources):
    return resources.setdefault(KEY, {"flags": [], "exercises": {}, "verdicts": {},
                                      "seconds": {}})


class CourseAware(NbGraderPreprocessor):
    course_root = Unicode("", help="The course directory.").tag(config=True)

    def course(self):
        return Course(self.course_root or os.getcwd())


# -------------------------------------------------------------------------------- the run
class RunSubmission(CourseAware):
    """The re-grade of every exercise, then the notebook's run, in one sandboxed process."""

    cell_timeout = Integer(60, help="Seconds a cell may run; the run stops after that.").tag(
        config=True)
    notebook_timeout = Integer(120, help="Seconds the whole notebook may run.").tag(config=True)
    max_output_bytes = Integer(2 * 2**20, help="Bytes of output a cell may produce.").tag(
        config=True)

    def preprocess(self, nb, resources):
        found = findings(resources)
        found["language"] = edition(resources["nbgrader"]["assignment"])[1]
        with speaking(found["language"]):
            return self._run(nb, resources, found)

    def _run(self, nb, resources, found):
        course = self.course()
        source = notebooks.read(course.notebook(course.source, resources["nbgrader"]["assignment"]))
        setup = notebooks.setup_cells(source)
        solutions, missing = notebooks.solution_cells(source, json.loads(json.dumps(nb)))
        exercises = [name for _cell, (_id, names) in notebooks.graded_cells(source).items()
                     for name in names]
        lang = found["language"]
        if missing:
            found["flags"].append(Flag(Kind.TAMPERING, f"solution cells missing or renamed: "
                                                       f"{', '.join(missing)}"))
        start = time.monotonic()
        work = course.staged / resources["nbgrader"]["student"]
        work = work if work.is_dir() else None
        try:
            with Session(setup, work=work, language=lang) as session:
                report = regrade(setup, solutions, exercises, session, work=work, language=lang)
                run = run_notebook(session, nb.cells, cell_timeout=self.cell_timeout,
                                   notebook_timeout=self.notebook_timeout,
                                   max_bytes=self.max_output_bytes)
        except (ChildGone, OutOfTime) as err:  # the process could not even start
            report = regrade(setup, solutions, exercises, work=work, language=lang)
            run = NotebookRun(stopped=_("not run: the grader could not start this notebook"),
                              flags=[Flag(Kind.ERROR, f"the notebook could not run ({err})")])
        found["exercises"] = {name: vars(v) for name, v in report.verdicts.items()}
        found["flags"] += report.flags + run.flags
        found["seconds"].update(regrade=report.seconds, notebook=run.seconds,
                                run=time.monotonic() - start)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            outputs, count = run.outputs.get(i, ([], None))
            if not cell.source.strip():
                outputs = []
            elif i not in run.outputs and run.stopped:
                outputs = [note(run.stopped)]
            cell.outputs = [nbformat.from_dict(o) for o in outputs]
            cell.execution_count = count
        nb.metadata["language_info"] = {"name": "python", "version": sys.version.split()[0]}
        return nb, resources


class HiddenVerdicts(NbGraderPreprocessor):
    """Each test cell's verdict: passed if all the exercises it grades passed; written under it."""

    def preprocess(self, nb, resources):
        found = findings(resources)
        with speaking(found.get("language", "en")):
            return self._annotate_all(nb, resources, found)

    def _annotate_all(self, nb, resources, found):
        for cell in nb.cells:
            if not notebooks.is_test(cell):
                continue
            gid = notebooks.grade_id(cell)
            verdicts = [found["exercises"].get(name) for name in notebooks.exercises_of(cell)]
            known = [v for v in verdicts if v is not None]
            verdict = {"passed": bool(verdicts) and len(known) == len(verdicts)
                       and all(v["passed"] for v in known),
                       "points": float(cell.metadata["nbgrader"].get("points", 0)),
                       "messages": [v["message"] for v in known if v["message"]],
                       "public_fails": any(v["public"] for v in known)}
            found["verdicts"][gid] = verdict
            self._compare(cell, verdict, found["flags"], gid)
            self._annotate(cell, verdict)
        return nb, resources

    @staticmethod
    def _compare(cell, verdict, flags, gid):
        """Flag a test cell whose result in the notebook differs from the re-grade's."""
        ran = cell.get("execution_count") is not None
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        failed_here = bool(errors)
        # Failing in the notebook because an earlier function of the student's fails its own
        # check (or is not there: an earlier notebook not handed in) is what a mistake there
        # does: it costs that exercise, not this one.
        explained = all(o.get("ename") in ("CalleeFailed", "NotImplementedYet") for o in errors)
        if ran and verdict["passed"] and failed_here and not explained:
            flags.append(Flag(Kind.DIFFERS, "fails in the notebook but passes the re-grade, "
                                            "which uses the instructor's versions of the "
                                            "functions it calls: scored by the re-grade", gid))
        elif ran and not failed_here and verdict["public_fails"]:
            flags.append(Flag(Kind.DIFFERS, "its public check passes in the notebook but fails "
                                            "when re-run outside it", gid))

    @staticmethod
    def _annotate(cell, verdict):
        cell.outputs = [o for o in cell.get("outputs", [])
                        if KEY not in o.get("metadata", {})]  # no forged verdicts
        if verdict["passed"]:
            text = _("✓ Hidden tests passed.")
        else:
            text = _("✗ Hidden tests failed:") + "\n" + "\n".join(verdict["messages"] or
                                                               [_("not graded")])
        colour = "#1a7f37" if verdict["passed"] else "#b42318"
        cell.outputs.append(nbformat.v4.new_output(
            "display_data", metadata={KEY: {"verdict": verdict["passed"]}},
            data={"text/plain": text,
                  "text/html": f'<pre style="color:{colour};white-space:pre-wrap">'
                               f"{html.escape(text)}</pre>"}))


class SaveVerdictGrades(SaveAutoGrades):
    """Each test cell's score is its verdict (points if it passed, else 0)."""

    def preprocess(self, nb, resources):
        self._verdicts = findings(resources)["verdicts"]
        self._flags = findings(resources)["flags"]
        return super().preprocess(nb, resources)

    def _add_score(self, cell, resources):
        gid = cell.metadata["nbgrader"]["grade_id"]
        grade = self.gradebook.find_grade(gid, self.notebook_id, self.assignment_id,
                                          self.student_id)
        verdict = self._verdicts.get(gid)
        if verdict is None:
            self._flags.append(Flag(Kind.ERROR, "no verdict for this test cell: scored 0", gid))
            grade.auto_score = 0.0
        else:
            grade.auto_score = verdict["points"] if verdict["passed"] else 0.0
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        self.gradebook.db.commit()


class SaveGradingRecord(CourseAware):
    """What happened while grading this submission, for the grader's report (JSON)."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        found = findings(resources)
        path = self.course().record(info["student"], info["assignment"])
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"flags": [f.to_json() for f in found["flags"]],
                                   "verdicts": found["verdicts"],
                                   "seconds": found["seconds"]}, indent=1))
        os.replace(tmp, path)
        return nb, resources


# ---------------------------------------------------------------------------------- feedback
class ShortenTestTracebacks(NbGraderPreprocessor):
    """In graded test cells, keep only 'ErrorName: message' of an error's traceback."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_grade(cell):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
        return cell, resources
