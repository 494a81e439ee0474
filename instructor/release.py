"""Generate release/ from source/ with nbgrader: the only way release/ is ever written.

    python -m instructor release            # every assignment in source/
    python -m instructor release 01_softmax  # just one
"""
from __future__ import annotations

from pathlib import Path

from instructor.nbgrader_cli import run_nbgrader

ROOT = Path(__file__).resolve().parent.parent


def assignments(root=ROOT):
    """The assignment folders in source/, in order (each holds a notebook of the same name)."""
    return sorted(p.name for p in (Path(root) / "source").iterdir()
                  if (p / f"{p.name}.ipynb").is_file())


def generate_release(root=ROOT, names=None):
    """Run `nbgrader generate_assignment --force` for each assignment; returns the notebooks."""
    root = Path(root)
    written = []
    for name in names or assignments(root):
        run_nbgrader(["generate_assignment", name, "--force"], root)
        written.append(root / "release" / name / f"{name}.ipynb")
    return written
