"""The classroom on one host (instructor/classroom.py, classroom/): started and stopped with its
documented commands, everything on 127.0.0.1, students and the instructor with the extensions of
their role, and a class of simulated students (instructor/demo.py's) handing in through nbgrader's
exchange with their own credentials, graded exactly like the same notebooks handed in as a folder.
"""
import csv
import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
from pathlib import Path

import psutil
import pytest
from classroom_harness import Person, classroom_command, classroom_running, processes_of, \
    reporter_of, start_servers

from instructor.classroom import INSTRUCTOR
from course import notebooks
from instructor.course_dir import REPOSITORY, Course
from instructor.demo import CLASS, EXPECTED_FLAGS, ON_TIME, student_notebook
from instructor.nbgrader_cli import nbgrader_env

ASSIGNMENT = "01_softmax"
#: its test cells' points, as the source notebook declares them
POINTS = {gid: points for gid, (points, _) in notebooks.graded_cells(
    notebooks.read(REPOSITORY / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")).items()}
FULL = sum(POINTS.values())
#: a correct student, one with a common mistake, one who attacks the grading
STUDENTS = ("ada_correct", "io_wrong_axis", "qu_monkeypatches")


@pytest.fixture(scope="module")
def running(tmp_path_factory, request):
    root = tmp_path_factory.mktemp("classroom") / "classroom"
    with classroom_running(root, STUDENTS, reporter_of(request), "test_classroom") as started:
        yield started


@pytest.fixture(scope="module")
def classroom(running):
    return running[0]


def test_start_prints_the_address_and_every_account_with_its_password(running):
    classroom, printed = running
    assert f"http://127.0.0.1:{classroom.settings['port']}" in printed
    for user in (INSTRUCTOR, *STUDENTS):
        assert re.search(rf"{user}\s+password {re.escape(classroom.settings['passwords'][user])}",
                         printed)
    assert f"-m instructor classroom --dir {classroom.root} stop" in printed


def test_status_lists_every_account(classroom):
    status = classroom_command("status", "--dir", str(classroom.root))
    assert status.returncode == 0, status.stderr
    for user in (INSTRUCTOR, *STUDENTS):
        assert re.search(rf"^\s+{user}\s+(running|stopped|starting)$", status.stdout, re.M)


@pytest.fixture(scope="module")
def people(classroom):
    """Every account's server started, and a token of their own for each."""
    start_servers(classroom, INSTRUCTOR, *STUDENTS)
    return {user: Person(classroom, user) for user in (INSTRUCTOR, *STUDENTS)}


def test_every_server_listens_on_loopback_only(classroom, people):
    listening = [(proc.name(), conn.laddr) for proc in processes_of(classroom)
                 for conn in proc.net_connections(kind="inet")
                 if conn.status == psutil.CONN_LISTEN]
    # the proxy, the hub, the instructor's and the students' servers (kernels use no TCP yet)
    assert len(listening) >= 3 + len(people) - 1
    assert all(addr.ip == "127.0.0.1" for _, addr in listening), listening


def page_config(person):
    html = person.call("GET", "lab")
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      html, re.S)
    return json.loads(found.group(1))


def test_students_get_the_assignment_list_and_validate_but_no_formgrader(people):
    student = people[STUDENTS[0]]
    disabled = page_config(student)["disabledExtensions"]
    for extension in ("formgrader", "create-assignment"):
        assert f"@jupyter/nbgrader:{extension}" in disabled
    for extension in ("assignment-list", "validate-assignment"):
        assert f"@jupyter/nbgrader:{extension}" not in disabled
    with pytest.raises(urllib.error.HTTPError) as refused:
        student.call("GET", "formgrader/api/assignments")
    assert refused.value.code == 404  # not loaded at all on a student's server
    answer = student.call("GET", "assignments?course_id=backprop")
    assert answer["success"], answer


def test_the_instructor_gets_the_formgrader_with_the_course(people):
    instructor = people[INSTRUCTOR]
    disabled = page_config(instructor)["disabledExtensions"]
    assert "@jupyter/nbgrader:formgrader" not in disabled
    assert "@jupyter/nbgrader:create-assignment" not in disabled
    names = [a["name"] for a in instructor.call("GET", "formgrader/api/assignments")]
    assert sorted(names) == Course(REPOSITORY).assignments()  # both editions of the six


def test_a_student_cannot_use_another_students_server(people):
    intruder, victim = people[STUDENTS[2]], people[STUDENTS[0]]
    intruder.name = victim.name  # their own token, someone else's server
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            intruder.call("GET", "api/contents")
        assert refused.value.code in (403, 404)
    finally:
        intruder.name = STUDENTS[2]


# ---------------------------------------------------------------- a simulated class, end to end
def handed_in(course):
    """{student: notebook dict} as demo.py's students write them."""
    return {s: student_notebook(course.root, ASSIGNMENT, CLASS[s][ASSIGNMENT]) for s in STUDENTS}


def as_folder(student):
    """The name under which the same notebook is handed in as a folder, as the demo does."""
    return f"{student}_as_folder"


@pytest.fixture(scope="module")
def graded(classroom, people):
    """Release, fetch, save, submit and collect, each by the person who does it, with their own
    token: the instructor through the formgrader's API, students through their own server's
    Assignment List API (what the Assignment List page calls) and Contents API. The same
    notebooks are also handed in as folders (as `python -m instructor demo` does), then all of
    them graded by the instructor's grade step, in one run."""
    course = classroom.course
    instructor = people[INSTRUCTOR]
    released = instructor.call("POST", f"formgrader/api/assignment/{ASSIGNMENT}/release")
    assert released["success"], released
    handed = handed_in(course)
    for student, notebook in handed.items():
        person = people[student]
        form = {"course_id": "backprop", "assignment_id": ASSIGNMENT}
        fetched = person.call("POST", "assignments/fetch", form=form)
        assert fetched["success"], fetched
        person.call("PUT", f"api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
                    body={"type": "notebook", "format": "json", "content": notebook})
        submitted = person.call("POST", "assignments/submit", form=form)
        assert submitted["success"], submitted
    collected = instructor.call("POST", f"formgrader/api/assignment/{ASSIGNMENT}/collect")
    assert collected["success"], collected
    for student, notebook in handed.items():
        folder = course.submitted / as_folder(student) / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / "timestamp.txt").write_text(ON_TIME)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(notebook, indent=1))
    return course, grade_command(course)


def grade_command(course):
    """The instructor's grade step, as documented: python -m instructor grade --root."""
    out = subprocess.run([sys.executable, "-m", "instructor", "grade", "--root",
                          str(course.root)], cwd=REPOSITORY, env=nbgrader_env(course.root),
                         capture_output=True, text=True, timeout=1200)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def cell_scores(course):
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, course.course_id) as gb:
        return {sub.student.id: {g.name: g.score for nb in sub.notebooks for g in nb.grades}
                for sub in gb.find_assignment(ASSIGNMENT).submissions}


def flag_kinds(course):
    with open(course.root / "grading-report.csv", newline="") as f:
        return {row["student"]: set(row["flag_kinds"].split())
                for row in csv.DictReader(f) if row["assignment"] == ASSIGNMENT}


def test_the_exchange_files_each_submission_under_the_students_hub_name(graded):
    course, _ = graded
    inbound = course.root.parents[2] / "exchange" / "backprop" / "inbound"
    owners = sorted(p.name.split("+")[0] for p in inbound.iterdir())
    assert owners == sorted(STUDENTS)
    assert set(STUDENTS) <= {p.name for p in course.submitted.iterdir()}


def test_the_class_through_the_hub_scores_exactly_as_the_same_notebooks_as_a_folder(graded):
    course, printed = graded
    scores, flags = cell_scores(course), flag_kinds(course)
    for student in STUDENTS:
        assert scores[student] == scores[as_folder(student)]
        assert flags[student] == flags[as_folder(student)] == \
            {k.value for k in EXPECTED_FLAGS.get(student, ())}
        assert student in printed  # the grade step's summary table
    assert sum(scores["ada_correct"].values()) == FULL
    assert sum(scores["io_wrong_axis"].values()) == FULL - POINTS["test_softmax"]  # its softmax
    assert sum(scores["qu_monkeypatches"].values()) == 0


def test_each_student_fetches_their_own_feedback_with_their_score(graded, people, classroom):
    course, _ = graded
    released = people[INSTRUCTOR].call(
        "POST", f"formgrader/api/assignment/{ASSIGNMENT}/release_feedback")
    assert released["success"], released
    scores = cell_scores(course)
    form = {"course_id": "backprop", "assignment_id": ASSIGNMENT}
    for student in STUDENTS:
        person = people[student]
        fetched = person.call("POST", "assignments/fetch_feedback", form=form)
        assert fetched["success"], fetched
        listed = person.call("GET", "assignments?course_id=backprop")["value"]
        mine = [a for a in listed if a["status"] == "submitted"]
        assert [a["student_id"] for a in mine] == [student]  # only their own submission
        latest = mine[0]["submissions"][-1]
        assert latest["has_local_feedback"], latest
        folder = Path(classroom.home(student), latest["local_feedback_path"])  # may be relative
        path = urllib.parse.quote(f"{folder.relative_to(classroom.home(student))}/"
                                  f"{ASSIGNMENT}.html")
        feedback = person.call("GET", f"api/contents/{path}?content=1&format=text")["content"]
        total = sum(scores[student].values())
        assert f"{ASSIGNMENT} (Score: {total:.1f} / {FULL:.1f})" in feedback
        # no hidden test: neither nbgrader's hidden-test block nor the course's grading call
        assert "BEGIN HIDDEN TESTS" not in feedback
        assert "from instructor.grading import grade" not in feedback
