"""Generate release/ from source/ with nbgrader: the only way release/ is ever written.

    python -m instructor release            # every assignment in source/
    python -m instructor release 01_softmax  # just one
"""
from __future__ import annotations

from instructor.course_dir import Course, repository_course
from instructor.nbgrader_cli import run_nbgrader


def generate_release(course=None, names=None):
    """Run `nbgrader generate_assignment --force` for each assignment, after writing the public
    checks' worked examples (instructor/examples.py); returns the files written."""
    from instructor import examples

    course = course if isinstance(course, Course) else \
        Course(course) if course is not None else repository_course()
    written = [examples.write()]
    for name in names or course.assignments():
        run_nbgrader(["generate_assignment", name, "--force"], course.root)
        written.append(course.notebook(course.release, name))
    return written
