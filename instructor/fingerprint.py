"""What a grade depends on, hashed: a submission is re-graded exactly when this changes.

Nothing is listed by hand. The fingerprint of a submission covers:

- the files handed in (as handed in, byte for byte);
- its assignment's source notebook and the course's nbgrader_config.py;
- the student's own earlier notebooks that this one builds on (`from course.mine import ...`):
  its run, which makes the feedback, calls their functions;
- every Python file of the grader and of the student library (instructor/, course/), except
  that another assignment's own modules (``aNN_*.py`` in instructor/grading/ and
  course/exercises/) do not count, and of instructor/reference.py only the functions this
  assignment's grading can reach (found by reading the code: the names it uses, and the names
  those use, and so on), so that a change to one reference function re-grades the assignments
  that use it and no other;
- the versions of Python and of the packages that run the grading.
"""
from __future__ import annotations

import ast
import hashlib
import re
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from instructor.course_dir import REPOSITORY

VERSION = "2"
PACKAGES = ("numpy", "nbgrader", "nbclient", "nbconvert", "ipykernel", "jupyter_client",
            "scikit-learn", "matplotlib")
OWN_MODULE = re.compile(r"a(\d\d)_\w+\.py$")
REFERENCE = REPOSITORY / "instructor" / "reference.py"  # read function by function


def submission(course, student, assignment):
    """The fingerprint of one submission (a hex string)."""
    h = hashlib.sha256()
    folder = course.submitted / student / assignment
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    source = course.notebook(course.source, assignment)
    h.update(source.read_bytes() if source.is_file() else b"")
    config = course.root / "nbgrader_config.py"
    h.update(config.read_bytes() if config.is_file() else b"")
    h.update(grading_code(assignment).encode())
    for earlier in builds_on(course, assignment):  # what its notebook imports from course.mine
        for path in sorted((course.submitted / student / earlier).rglob("*")):
            if path.is_file():
                h.update(str(path.relative_to(course.submitted)).encode() + path.read_bytes())
    return h.hexdigest()


def builds_on(course, assignment):
    """The assignments whose functions the notebook takes from the student's own copies
    (`from course.mine import ...` in its setup cells)."""
    from course import exercises, notebooks

    source = course.notebook(course.source, assignment)
    if not source.is_file():
        return []
    names = set()
    for cell in notebooks.read(source)["cells"]:
        if notebooks.is_setup(cell):
            for match in re.finditer(r"from\s+course\.mine\s+import\s+\(?([\w\s,]+)\)?",
                                     notebooks.source_text(cell)):
                names.update(n.strip() for n in match.group(1).split(",") if n.strip())
    return sorted({exercises.assignment_of(n) for n in names} - {assignment})


@lru_cache(maxsize=None)
def grading_code(assignment):
    """The hash of everything in the repository's code that grading `assignment` runs."""
    number = assignment[:2]
    h = hashlib.sha256(VERSION.encode())
    own = []
    for path in sorted((REPOSITORY / "instructor").rglob("*.py")) + \
            sorted((REPOSITORY / "course").rglob("*.py")):
        match = OWN_MODULE.search(path.name)
        if match and match.group(1) != number:
            continue  # another assignment's module
        if match:
            own.append(path)
        if path == REPOSITORY / "instructor" / "reference.py":
            continue  # below, function by function
        h.update(str(path.relative_to(REPOSITORY)).encode() + b"\0" + path.read_bytes())
    h.update(reference_part(tuple(own)).encode())
    h.update(sys.version.encode())
    for name in PACKAGES:
        try:
            h.update(f"{name}=={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name} missing".encode())
    return h.hexdigest()


def reference_part(modules):
    """The source of reference.py that `modules` can reach: its top-level code that is not a
    definition (imports, constants used everywhere) and every definition reachable from the
    names the modules use."""
    tree = ast.parse(REFERENCE.read_text())
    text = REFERENCE.read_text()
    defined = {}
    header = []
    for node in tree.body:
        names = _defines(node)
        if names:
            for name in names:
                defined[name] = node
        else:
            header.append(ast.get_source_segment(text, node))
    wanted = set()
    for path in modules:
        wanted |= _names_used(ast.parse(Path(path).read_text()))
    reached, todo = set(), [n for n in wanted if n in defined]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        todo += [n for n in _names_used(defined[name]) if n in defined and n not in reached]
    parts = header + [ast.get_source_segment(text, defined[n]) for n in sorted(reached)]
    return "\n".join(parts)


def _defines(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return [t.id for t in targets if isinstance(t, ast.Name)]
    return []


def _names_used(node):
    """Every bare name and every attribute name in the code (R.softmax counts as softmax)."""
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            names.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.add(sub.attr)
        elif isinstance(sub, ast.alias):
            names.add(sub.name.split(".")[-1])
    return names
