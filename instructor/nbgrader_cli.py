"""nbgrader for a course directory: its command line, from any Python environment, and its API
in this process (one start-up for many calls: each command line start costs seconds)."""
from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

from instructor.course_dir import REPOSITORY


def nbgrader_env(root):
    """The environment nbgrader needs: this interpreter's bin/ on PATH (nbgrader runs `alembic`
    from there) and the repository on PYTHONPATH (nbgrader_config.py imports `instructor`)."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), env.get("PYTHONPATH")]))
    return env


def run_nbgrader(args, root, check=True, timeout=None):
    """`nbgrader ARGS` in the course directory root. Returns the CompletedProcess."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root,
                            env=nbgrader_env(root), capture_output=True, text=True,
                            timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed (exit {result.returncode}):\n"
                           f"{result.stderr[-4000:]}")
    return result


_API = {}  # one NbGraderAPI per (process, course): importing and configuring nbgrader is slow


def api(course):
    """nbgrader's API for the course, in this process. It grades the staged copies of the
    submissions (instructor/intake.py), never submitted/ itself."""
    key = str(course.root)
    if key not in _API:
        warnings.filterwarnings("ignore")  # nbgrader's in-process API warns about its sessions
        from nbgrader.apps import NbGraderAPI
        from traitlets.config.loader import PyFileConfigLoader

        # A new gradebook runs `alembic` from PATH: this interpreter's, even when its bin/ is
        # not on the PATH (a terminal that calls .venv/bin/python directly).
        os.environ["PATH"] = nbgrader_env(course.root)["PATH"]
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course.root)).load_config()
        config.CourseDirectory.submitted_directory = str(course.staged)
        _API[key] = NbGraderAPI(config=config)
    return _API[key]


def generate_assignments(course, names, duedate=None):
    """`nbgrader generate_assignment --force` for each of `names` (after `nbgrader db assignment
    add --duedate`, if a due date is given), in this process."""
    from nbgrader.api import Gradebook
    from nbgrader.utils import parse_utc

    grader = api(course)
    if duedate is not None:
        with Gradebook(course.db_url, course.course_id) as gb:
            for name in names:
                gb.update_or_create_assignment(name, duedate=parse_utc(duedate))
    for name in names:
        result = grader.generate_assignment(name, force=True)
        if not result.get("success"):
            why = (result.get("error") or "") + (result.get("log") or "")
            raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n{why[-4000:]}")
