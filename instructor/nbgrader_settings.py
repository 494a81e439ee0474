"""The course's nbgrader settings, applied by nbgrader_config.py (and by the demo class's copy).

Where nbgrader's defaults are unsafe for grading hostile code, this says why it changes them;
tests/test_grading_pipeline.py proves each change. The stage lists at the end are what nbgrader
runs on each submission, one small preprocessor per change (instructor/preprocessors.py).
"""
from __future__ import annotations

from pathlib import Path

from instructor.course_dir import COURSE_ID, Course

CELL_TIMEOUT = 60       # seconds a cell may run before the notebook's run is stopped
NOTEBOOK_TIMEOUT = 120  # seconds the whole notebook may run (06, the longest, takes about 30)


def configure(c, root, *, cell_timeout=CELL_TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT):
    course = Course(Path(root))
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.root = str(course.root)
    c.CourseDirectory.db_url = course.db_url

    # What a release stub looks like.
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

    # Only notebooks are handed out: never copy code, databases or instructor files into a
    # release, an autograded folder or feedback.
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                                ".*", "*.db", "instructor", "reference*", "*.py", "*.po"]

    # The student's code runs in one sandboxed process per submission (instructor/session.py):
    # first the trusted re-grade, whose verdicts are the scores, then the notebook's own run,
    # which makes the feedback copy. It sees no instructor file, has no network, stops at the
    # first cell past its time limit, has a budget for the whole notebook, and its output is
    # capped in bytes (nbgrader's LimitOutput counts lines only).
    c.CourseAware.course_root = str(course.root)
    c.RunSubmission.cell_timeout = cell_timeout
    c.RunSubmission.notebook_timeout = notebook_timeout
    # A deleted test cell is put back (nbgrader's default leaves it out, ungraded).
    c.OverwriteCells.add_missing_cells = True
    # Stderr is dropped from the notebook (nbgrader scores a cell with stderr as failed; a
    # correct answer that prints a warning must not lose points, nor clutter its feedback).
    c.IgnorePattern.enabled = True
    c.IgnorePattern.pattern = r"(?s).*"
    c.LimitOutput.max_lines = 1000
    c.LimitOutput.max_traceback = 100
    # nbconvert validates the notebook after every preprocessor, compiling the JSON schema each
    # time (about a second per submission); once, at the end, is enough.
    c.Exporter.optimistic_validation = True

    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests,
                                        GetGrades, IgnorePattern, LimitOutput)

    from instructor.preprocessors import (HiddenVerdicts, RunSubmission, SaveGradingRecord,
                                          SaveVerdictGrades, ShortenTestTracebacks)

    c.Autograde.autograde_preprocessors = [
        RunSubmission, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, HiddenVerdicts,
        SaveVerdictGrades, AssignLatePenalties, CheckCellMetadata, SaveGradingRecord]
    # Feedback never shows hidden tests or the code behind a traceback.
    c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ShortenTestTracebacks,
                                        CSSHTMLHeaderPreprocessor]
    return c
