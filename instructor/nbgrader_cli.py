"""Running the nbgrader command line for a course directory, from any Python environment."""
from __future__ import annotations

import os
import subprocess
import sys
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
