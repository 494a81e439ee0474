"""The course's nbgrader settings, applied by nbgrader_config.py (and by the demo class's copy).

Where nbgrader's defaults are unsafe for grading hostile code, this says why it changes them;
tests/test_grading_pipeline.py proves each change.
"""
from __future__ import annotations

import os
from pathlib import Path

INSTRUCTOR_HOME = Path(__file__).resolve().parents[1]  # the folder holding `instructor/`
CELL_TIMEOUT = 60  # seconds a cell may run before its kernel is interrupted (see _cell_timeout)


def _cell_timeout(default):
    """Per-cell time limit: `default`, or more for a test cell whose exercise needs more (06's
    retraining declares its own time_limit in instructor/grading/)."""
    from instructor.grading import registry
    from instructor.verify import GRADE_CALL

    limits = {name: g.time_limit for name, g in registry().items()}

    def timeout(cell):
        names = GRADE_CALL.findall(cell.get("source", ""))
        return max([default] + [limits[n] for n in names if n in limits])

    return timeout


def configure(c, root, *, cell_timeout=CELL_TIMEOUT):
    root = Path(root).resolve()
    c.CourseDirectory.course_id = "backprop"
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"

    # What a release stub looks like.
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

    # Only notebooks are handed out: never copy code, databases or instructor files into a
    # release, an autograded folder or feedback.
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                                ".*", "*.db", "instructor", "reference*", "*.py"]

    # The hidden tests import the instructor package: the course root and the package's home
    # go on the kernel's path (kernels inherit this process's environment).
    paths = [str(root), str(INSTRUCTOR_HOME)]
    paths += [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
              if p and p not in paths]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)

    # Student code runs in the grading kernel: a sandbox that hides the gradebook, source/,
    # other submissions and feedback, with memory and CPU caps (instructor/sandbox_kernel.py).
    from instructor.sandbox_kernel import KERNEL_NAME, install

    install(root)
    c.Execute.kernel_name = KERNEL_NAME
    # nbgrader's default is 30 s per cell; 06's retraining test needs longer. On a timeout the
    # kernel is interrupted and the cell scores 0 (see raise_on_iopub_timeout below).
    c.Execute.timeout = cell_timeout
    c.Execute.timeout_func = _cell_timeout(cell_timeout)
    c.Execute.interrupt_on_timeout = True
    # nbgrader's default (True) fails a whole submission when a kernel ignores the interrupt;
    # with False the notebook is still graded (the looping cells score 0).
    c.Execute.raise_on_iopub_timeout = False
    # nbclient skips cells tagged "skip-execution": a test cell with that tag, and no output,
    # scored full marks. No real tag matches this name, so every cell runs.
    c.Execute.skip_cells_with_tag = "backprop-course-never-skip"
    # A deleted test cell is put back and run (nbgrader's default leaves it out, ungraded).
    c.OverwriteCells.add_missing_cells = True
    # nbgrader scores any test cell with output on stderr as failed: a correct answer that
    # prints a warning would lose its points. Stderr output is dropped before scoring.
    c.IgnorePattern.enabled = True
    c.IgnorePattern.pattern = r"(?s).*"
    # At most this much output per cell reaches the autograded notebook and the feedback.
    c.LimitOutput.max_lines = 1000
    c.LimitOutput.max_traceback = 100

    # Feedback never shows the hidden tests or code behind a traceback (nbgrader's default
    # feedback shows both): see instructor/feedback.py.
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import ClearHiddenTests, GetGrades

    from instructor.feedback import ShortenTestTracebacks

    c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ShortenTestTracebacks,
                                        CSSHTMLHeaderPreprocessor]
    return c
