"""The Canvas gradebook import file (instructor/lms.py), from a real nbgrader gradebook."""
import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from instructor.course_dir import REPOSITORY, Course
from instructor.lms import IDENTITY, POINTS_POSSIBLE, Roster, canvas_rows, write_canvas_csv

ASSIGNMENTS = [("01_softmax", 7.0), ("02_cross_entropy", 8.0)]


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder whose gradebook has two assignments (01 in two editions), three students
    and four graded submissions (bo only 01; cy only 01's Chinese edition)."""
    from nbgrader.api import Gradebook

    course = Course(tmp_path_factory.mktemp("lms") / "course")
    for name, _ in ASSIGNMENTS:
        (course.source / name).mkdir(parents=True)
        (course.source / name / f"{name}.ipynb").write_text("{}")
    scores = {("ada", "01_softmax"): 7.0, ("ada", "02_cross_entropy"): 5.5,
              ("bo", "01_softmax"): 0.0, ("cy", "01_softmax_zh"): 6.0}
    with pytest.MonkeyPatch.context() as mp:
        # nbgrader creates a gradebook with `alembic`, from this environment's bin/
        mp.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent),
                                           os.environ.get("PATH", "")]))
        gb = Gradebook(course.db_url, course.course_id)
    with gb:
        for name, points in ASSIGNMENTS + [("01_softmax_zh", 7.0)]:
            gb.add_assignment(name)
            gb.add_notebook(name, name)
            gb.add_grade_cell("test_1", name, name, max_score=points, cell_type="code")
        for student in ("ada", "bo", "cy"):
            gb.add_student(student)
        for (student, name), score in scores.items():
            gb.add_submission(name, student)
            grade = gb.find_grade("test_1", name, name, student)
            grade.auto_score = score
            gb.db.commit()
    return course


def test_header_points_and_one_row_per_student_with_blank_for_nothing_handed_in(course, tmp_path):
    """One column per assignment, whatever the edition each student worked in."""
    path, missing = write_canvas_csv(course, tmp_path / "canvas.csv")
    rows = read(path)
    assert rows[0] == list(IDENTITY) + ["01_softmax", "02_cross_entropy"]
    assert rows[1] == [POINTS_POSSIBLE, "", "", "", "", "7", "8"]
    assert rows[2:] == [["ada", "", "", "ada", "", "7", "5.5"],
                        ["bo", "", "", "bo", "", "0", ""],
                        ["cy", "", "", "cy", "", "6", ""]]
    assert missing == []


def test_a_roster_gives_canvas_identities_and_existing_assignment_columns(course, tmp_path):
    """Canvas's own export: its header names known assignments "Name (id)", its second row is
    Points Possible, and a name may hold a comma (quoted)."""
    export = tmp_path / "export.csv"
    with open(export, "w", newline="", encoding="utf-8-sig") as f:  # Excel's BOM, as saved
        w = csv.writer(f)
        w.writerow(list(IDENTITY) + ["01_softmax (1234)", "Quiz (99)", "Current Score"])
        w.writerow(["    Points Possible", "", "", "", "", "7", "10", "(read only)"])
        w.writerow(["Lovelace, Ada", "501", "S-1", "ada", "Section A", "", "9", "90"])
        w.writerow(["Bo, Bo", "502", "S-2", "bo", "Section A", "", "", ""])
    path, missing = write_canvas_csv(course, tmp_path / "canvas.csv", roster=export)
    rows = read(path)
    assert rows[0][len(IDENTITY):] == ["01_softmax (1234)", "02_cross_entropy"]
    assert rows[2] == ["Lovelace, Ada", "501", "S-1", "ada", "Section A", "7", "5.5"]
    assert rows[3][:5] == ["Bo, Bo", "502", "S-2", "bo", "Section A"]
    assert missing == ["cy"]  # kept with its login, and reported
    assert rows[4][:5] == ["cy", "", "", "cy", ""]
    assert 'Lovelace, Ada' in (tmp_path / "canvas.csv").read_text()


def test_roster_ignores_the_points_possible_row_and_students_without_login():
    rows, missing = canvas_rows(ASSIGNMENTS, ["ada"], {("ada", "01_softmax"): 3},
                                roster=Roster({"ada": {"Student": "A", "SIS Login ID": "ada"}},
                                              {}))
    assert rows[2] == ["A", "", "", "ada", "", "3", ""] and missing == []


def test_export_command_writes_both_files(course):
    out = subprocess.run([sys.executable, "-m", "instructor", "export", "--root",
                          str(course.root)], cwd=REPOSITORY, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert (course.root / "grades.csv").is_file() and (course.root / "canvas-grades.csv").is_file()
    assert str(course.root / "canvas-grades.csv") in out.stdout
    nbgrader_rows = read(course.root / "grades.csv")
    assert "student_id" in nbgrader_rows[0] and len(nbgrader_rows) > 1
