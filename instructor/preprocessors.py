"""The course's nbgrader preprocessors: each makes one change to a notebook being graded.

They are composed into nbgrader's stage lists in instructor/nbgrader_settings.py:

- ``SandboxedExecute`` runs the notebook in the sandboxed kernel, with limits that hold when the
  student's code ignores signals: a cell that runs past its limit, or a kernel that dies, stops
  the run (the later cells are marked as not run), the notebook has a total time budget, and the
  output a cell can produce is capped in bytes. The run makes the notebook the student gets
  back; it decides no score.
- ``HiddenVerdicts`` makes the trusted re-grade (instructor/regrade.py) of the submission and
  writes its verdict under each test cell.
- ``SaveVerdictGrades`` scores each test cell from its verdict (nbgrader's SaveAutoGrades would
  score the cell's output, which the student's code controls).
- ``SaveGradingRecord`` writes what happened (flags, verdicts, times) to .grading/records/.
- ``ShortenTestTracebacks`` (feedback) keeps only the last line of a test cell's traceback.
"""
from __future__ import annotations

import html
import json
import os
import time

from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, SaveAutoGrades
from nbgrader.utils import is_grade
from traitlets import Bool, Integer, Unicode

from instructor import notebooks, regrade
from instructor.course_dir import Course
from instructor.flags import Flag, Kind
from instructor.kernel import SandboxedKernelManager

KEY = "backprop"  # where these preprocessors keep their findings in `resources`


def findings(resources):
    return resources.setdefault(KEY, {"flags": [], "verdicts": {}, "seconds": {}})


def _note(text):
    return new_output("stream", name="stdout", text=text)


# ---------------------------------------------------------------------------------- execute
class SandboxedExecute(Execute):
    """nbgrader's Execute in the sandboxed kernel, stopped for good at the first runaway cell."""

    # A runaway cell is interrupted, then the run stops (nbgrader's default would fail the
    # whole submission when the kernel ignores the interrupt).
    interrupt_on_timeout = Bool(True).tag(config=True)
    raise_on_iopub_timeout = Bool(False).tag(config=True)
    # nbclient skips cells tagged "skip-execution": a test cell with that tag would not run.
    # No real tag matches this name, so every cell runs.
    skip_cells_with_tag = Unicode("backprop-course-never-skip").tag(config=True)

    notebook_timeout = Integer(
        300, help="Seconds the whole notebook may run; the rest is not run after that.",
    ).tag(config=True)
    max_output_bytes = Integer(
        2 * 2**20, help="Bytes of output a cell may produce; the rest is dropped.",
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._stopped = None                  # why the run stopped, once it has
        self._timed_out = False
        self._start = time.monotonic()
        self._resources = resources
        self._output_bytes = {}
        try:
            return super().preprocess(nb, resources, km)
        finally:
            findings(resources)["seconds"]["notebook"] = time.monotonic() - self._start

    def _flag(self, kind, message, cell=None):
        findings(self._resources)["flags"].append(Flag(kind, message, cell))

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        gid = notebooks.grade_id(cell)
        if self._stopped:
            cell.outputs = [_note(f"[not run: {self._stopped}]\n")]
            cell.execution_count = None
            return cell, resources
        if time.monotonic() - self._start >= self.notebook_timeout:
            why = f"the notebook ran past its time budget ({self.notebook_timeout} s)"
            self._stop(why, Kind.TIME_LIMIT, why, gid)
            return self.preprocess_cell(cell, resources, index)
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cell.outputs.append(_note("[the kernel died while running this cell: killed, "
                                      "crashed or out of memory]\n"))
            self._stop("the kernel died in an earlier cell", Kind.KERNEL_DIED,
                       "the kernel died while running this cell", gid)
            return cell, resources
        if self._timed_out:
            self._stop("an earlier cell ran past its time limit and the kernel was stopped",
                       Kind.TIME_LIMIT, "this cell ran past its time limit: the kernel was "
                                        "stopped and the rest of the notebook not run", gid)
        for out in cell.outputs:
            if out.get("output_type") == "error" and "MemoryError" in \
                    f"{out.get('ename')} {out.get('evalue')}":
                self._flag(Kind.OUT_OF_MEMORY, "ran out of memory (capped; the grader went on)",
                           gid)
                break
        return cell, resources

    def _stop(self, why, kind, message, gid):
        """Run no more cells (`why` is shown in them); the kernel is killed."""
        self._stopped = why
        self._flag(kind, message, gid)
        if self.km is not None and self.km.has_kernel:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 - it may be gone already
                pass

    def _get_timeout(self, cell):
        limit = super()._get_timeout(cell) or self.notebook_timeout
        left = self.notebook_timeout - (time.monotonic() - self._start)
        return max(1, int(min(limit, left)))

    async def _async_handle_timeout(self, timeout, cell=None):
        self._timed_out = True
        return await super()._async_handle_timeout(timeout, cell)

    def output(self, outs, msg, display_id, cell_index):
        """Outputs beyond max_output_bytes for a cell are dropped, once with a note."""
        size = len(json.dumps(msg.get("content", {}), default=str))
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        if used <= self.max_output_bytes:
            outs.append(_note(f"\n[output capped: more than {self.max_output_bytes} bytes; "
                              f"the rest was dropped]\n"))
            gid = notebooks.grade_id(self.nb.cells[cell_index])
            self._flag(Kind.OUTPUT_CAPPED, f"more than {self.max_output_bytes} bytes of output "
                                           f"(dropped)", gid)
        return None


# ----------------------------------------------------------------------------------- verdict
class HiddenVerdicts(NbGraderPreprocessor):
    """The trusted re-grade of the submission, its verdict written under each test cell."""

    course_root = Unicode("", help="The course directory (for the source notebook).").tag(
        config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        course = Course(self.course_root or os.getcwd())
        source = notebooks.read(course.notebook(course.source, info["assignment"]))
        submitted = json.loads(json.dumps(nb))
        cells, missing = notebooks.program(source, submitted)
        found = findings(resources)
        if missing:
            found["flags"].append(Flag(Kind.TAMPERING, f"solution cells missing or renamed: "
                                                       f"{', '.join(missing)}"))
        tests = notebooks.graded_cells(source)
        names = [name for _, (_, names) in tests.items() for name in names]
        report = regrade.regrade(cells, list(dict.fromkeys(names)))
        found["flags"] += report.flags
        found["seconds"]["regrade"] = report.seconds
        for gid, (points, names) in tests.items():
            verdicts = [report.verdicts[n] for n in names]
            passed = bool(verdicts) and all(v.passed for v in verdicts)
            found["verdicts"][gid] = {"passed": passed, "points": points,
                                      "messages": [v.message for v in verdicts if v.message],
                                      "public_fails": any(v.public for v in verdicts)}
        for cell in nb.cells:
            gid = notebooks.grade_id(cell)
            if notebooks.is_test(cell) and gid in found["verdicts"]:
                self._annotate(cell, found["verdicts"][gid], found["flags"], gid)
        return nb, resources

    @staticmethod
    def _annotate(cell, verdict, flags, gid):
        ran = cell.get("execution_count") is not None
        failed_here = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        if verdict["passed"] and failed_here:
            flags.append(Flag(Kind.DIFFERS, "fails in the notebook but passes the re-grade, "
                                            "which uses the instructor's versions of the "
                                            "functions it calls: scored by the re-grade", gid))
        elif ran and not failed_here and verdict["public_fails"]:
            flags.append(Flag(Kind.DIFFERS, "its public check passes in the notebook but fails "
                                            "when re-run outside it", gid))
        cell.outputs = [o for o in cell.get("outputs", [])
                        if KEY not in o.get("metadata", {})]  # no forged verdicts
        if verdict["passed"]:
            text = "✓ Hidden tests passed."
        else:
            text = "✗ Hidden tests failed:\n" + "\n".join(verdict["messages"])
        colour = "#1a7f37" if verdict["passed"] else "#b42318"
        cell.outputs.append(new_output(
            "display_data", metadata={KEY: {"verdict": verdict["passed"]}},
            data={"text/plain": text,
                  "text/html": f'<pre style="color:{colour};white-space:pre-wrap">'
                               f"{html.escape(text)}</pre>"}))


class SaveVerdictGrades(SaveAutoGrades):
    """Each test cell's score is its re-grade verdict (points if it passed, else 0)."""

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


class SaveGradingRecord(NbGraderPreprocessor):
    """What happened while grading this submission, for the grader's report (JSON)."""

    course_root = Unicode("").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        course = Course(self.course_root or os.getcwd())
        found = findings(resources)
        path = course.record(info["student"], info["assignment"])
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
                    out["traceback"] = [f"\x1b[0;31m{out.get('ename', 'Error')}\x1b[0m: "
                                        f"{out.get('evalue', '')}"]
        return cell, resources
