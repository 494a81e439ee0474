"""Grading a class: the course's `grade` against plain nbgrader, side by side on one machine.

The class: STUDENTS students x the six assignments, each submission either right, blank, or
right but for one realistic slip in one solution cell (a missing 1/m, the wrong axis, >= for >,
a transpose, ...), drawn with a fixed seed from the release the students get.

- **plain nbgrader**: one sequential `nbgrader autograde` per assignment, nbgrader's own stages
  and kernel, on a copy of the course whose test cells are in-kernel hidden tests (the usual
  nbgrader way: `assert grade("softmax", softmax)` under `### BEGIN HIDDEN TESTS`). grade()
  gives the verdict the course's re-grade gives (the public check, then the hidden cases, the
  functions an exercise calls being the instructor's: a mistake costs its own exercise only),
  so the scores can be compared cell for cell.
- **grade**: `python -m instructor grade`: intake; then, on every core, nbgrader with the
  course's stage list (the notebook in the sandbox, the trusted re-grade) and the feedback of
  every submission; then the export.

Every cell's score must be the same in both.
"""
from __future__ import annotations

import json
import random
import re
import shutil
import time
from pathlib import Path

from instructor.course_dir import REPOSITORY, Course, new_course
from instructor.demo import DUE, ON_TIME, student_notebook
from instructor.nbgrader_cli import generate_assignments, run_nbgrader
from course.i18n import edition
from course.notebooks import is_solution, is_test, source_text

STUDENTS = 20
#: Realistic one-line slips: (pattern, replacement) tried on a solution cell's code.
SLIPS = [(r"/ m\b", ""), (r"axis=1", "axis=0"), (r"> 0\b", ">= 0"), (r"\.T @", " @"),
         (r"lam / m", "lam / (2 * m)"), (r"keepdims=True", "keepdims=False"),
         (r"\.sum\(axis=0\)", ".mean(axis=0)"), (r" - 1\.0", ""), (r"2 \* h", "h")]
PLAIN_CONFIG = '''"""Plain nbgrader for the benchmark: nbgrader's own stages, hidden tests in the kernel."""
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "backprop"
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = "sqlite:///{root}/gradebook.db"
c.Execute.timeout = 120
'''


def class_plans(course, seed=0, students=STUDENTS):
    """student -> assignment -> plan for instructor.demo.student_notebook."""
    rng = random.Random(seed)
    plans = {}
    for k in range(students):
        student = f"s{k:02d}"
        plans[student] = {}
        for assignment in course.assignments():
            if edition(assignment)[1] != "en":
                continue  # the class works in the English edition
            roll = rng.random()
            if roll < 0.08:
                plans[student][assignment] = "blank"
            elif roll < 0.5:
                plans[student][assignment] = {}
            else:
                plans[student][assignment] = slip(course, assignment, rng)
    return plans


def slip(course, assignment, rng):
    """One solution cell of the assignment with one slip in it (if one applies)."""
    source = json.loads(course.notebook(course.source, assignment).read_text())
    cells = [c for c in source["cells"] if is_solution(c)]
    rng.shuffle(cells)
    for cell in cells:
        code = source_text(cell).replace("### BEGIN SOLUTION\n", "").replace(
            "### END SOLUTION\n", "")
        for pattern, replacement in rng.sample(SLIPS, len(SLIPS)):
            if re.search(pattern, code):
                return {cell["metadata"]["nbgrader"]["grade_id"]:
                        re.sub(pattern, replacement, code, count=1)}
    return {}


def build(root, plans, plain=False):
    """A course folder with the class's submissions. plain: nbgrader's own configuration, and
    hidden tests in the kernel."""
    root = Path(root)
    if plain:
        shutil.copytree(REPOSITORY / "source", root / "source")
        (root / "nbgrader_config.py").write_text(PLAIN_CONFIG.format(root=str(root)))
        for path in (root / "source").rglob("*.ipynb"):
            nb = json.loads(path.read_text())
            for cell in nb["cells"]:
                if is_test(cell):
                    names = re.findall(r"ex\.(\w+)\.check\(", source_text(cell))
                    cell["source"] = "### BEGIN HIDDEN TESTS\n" + \
                        "from instructor.grading import grade\n" + "".join(
                            f"assert grade({n!r}, {n})\n" for n in names) + \
                        "### END HIDDEN TESTS"
            path.write_text(json.dumps(nb, indent=1))
    course = Course(root) if plain else new_course(root)
    for name in course.assignments():  # the class works in the English edition only
        if name not in assignments_of(plans):
            shutil.rmtree(course.source / name)
            shutil.rmtree(course.release / name, ignore_errors=True)
    generate_assignments(course, assignments_of(plans), duedate=DUE)
    for student, work in plans.items():
        for assignment, plan in work.items():
            folder = course.submitted / student / assignment
            folder.mkdir(parents=True)
            (folder / "timestamp.txt").write_text(ON_TIME)
            nb = student_notebook(REPOSITORY, assignment, plan)
            (folder / f"{assignment}.ipynb").write_text(json.dumps(nb, indent=1))
    return course


def scores(course):
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, course.course_id) as gb:
        return {(s.student.id, a.name, g.name): g.score for a in gb.assignments
                for s in a.submissions for nb in s.notebooks for g in nb.grades}


def assignments_of(plans):
    return sorted({a for work in plans.values() for a in work})


def sequential_autograde(course, plans):
    start = time.perf_counter()
    for name in assignments_of(plans):
        run_nbgrader(["autograde", name, "--force"], course.root, check=False)
    return time.perf_counter() - start


def compare(workdir, workers=None, log=print, students=STUDENTS):
    """The two runs side by side. Returns rows: (what, seconds, scores)."""
    from instructor.pipeline import grade_class

    workdir = Path(workdir)
    plans = class_plans(Course(REPOSITORY), students=students)
    n = sum(len(w) for w in plans.values())
    log(f"class: {len(plans)} students, {n} submissions")
    rows = []
    plain = build(workdir / "plain", plans, plain=True)
    rows.append(("plain nbgrader autograde, sequential", sequential_autograde(plain, plans),
                 scores(plain)))
    log(f"  {rows[-1][0]}: {rows[-1][1]:.0f} s")
    full = build(workdir / "grade", plans)
    start = time.perf_counter()
    grade_class(full.root, workers=workers, log=lambda *a: None)
    rows.append(("grade: intake, autograde, re-grade, feedback, export; all cores",
                 time.perf_counter() - start, scores(full)))
    log(f"  {rows[-1][0]}: {rows[-1][1]:.0f} s")
    return n, rows
