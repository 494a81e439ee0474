"""The classroom in a real browser (Debian's chromium, headless): the instructor's and the
students' journeys through the real JupyterHub, JupyterLab, nbgrader's exchange and the course's
grading pipeline, each of the six assignments done by a student once.

1. The instructor generates an assignment in the formgrader (a short log, no banner) and
   releases all six.
2. Each student, for each of their assignments: fetches it from the Assignment List, opens and
   runs it (the first public check says the exercise is not implemented yet), fills in every
   solution cell (the source's solution) and runs it again (every public check passes), moves
   a widget's slider (and sees a new picture), validates and submits.
3. The instructor collects, grades with the course's pipeline in a terminal, sees the scores in
   the formgrader, releases the feedback and exports the grades (nbgrader's CSV and Canvas's).
4. Each student fetches their feedback and reads their score, with no hidden test in it.

The journeys rely only on the notebooks' conventions (tests/lab_pages.py), never on their prose.
Screenshots of every step go to artifacts/screenshots/<journey>/ (the path is printed).
"""
import json
import re

import pytest
from classroom_harness import ARTIFACTS, classroom_running, reporter_of, start_servers
from lab_pages import (CHROMIUM, CHROMIUM_FLAGS, STEP, AssignmentList, Expected, Shots,
                       evidence, exactly, menu, need_chromium, sign_in)

from instructor.classroom import INSTRUCTOR
from instructor.course_dir import REPOSITORY
from instructor.demo import student_notebook
from course.notebooks import is_solution, read, source_text

sync_api = need_chromium()
expect = sync_api.expect

#: Who does which assignment: each of the six once, by two students.
WORK = {"ada": ("01_softmax", "03_relu_mask", "05_backprop"),
        "bo": ("02_cross_entropy", "04_l2_penalty", "06_train_digits")}
JOURNEYS = [(student, a) for student, work in WORK.items() for a in work]
ASSIGNMENTS = sorted(a for _, a in JOURNEYS)
SCREENSHOTS = ARTIFACTS / "screenshots"
GRADING = 1500_000  # ms: the pipeline grading the class on a busy machine (06 retrains)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory, request):
    root = tmp_path_factory.mktemp("browser") / "classroom"
    reporter = reporter_of(request)
    with classroom_running(root, tuple(WORK), reporter, "test_browser") as (classroom, _):
        # The instructor's terminal keeps its text in the page (xterm's screen-reader mode), so
        # that the test reads what the terminal shows.
        settings = classroom.home(INSTRUCTOR) / ".jupyter" / "lab" / "user-settings" / \
            "@jupyterlab" / "terminal-extension"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "plugin.jupyterlab-settings").write_text('{"screenReaderMode": true}')
        # Each student did the other assignments earlier in the term: 05 and 06 build on the
        # student's own 01-04 (course.mine reads them beside the notebook).
        for student, work in WORK.items():
            for earlier in ASSIGNMENTS:
                if earlier not in work:
                    folder = classroom.home(student) / earlier
                    folder.mkdir(parents=True, exist_ok=True)
                    (folder / f"{earlier}.ipynb").write_text(
                        json.dumps(student_notebook(REPOSITORY, earlier, {}), indent=1))
        # The students' servers start while the instructor releases (as if they had signed in
        # early); each student still signs in through the hub's login page.
        start_servers(classroom, *WORK, wait=False)
        yield classroom
    if reporter is not None:
        reporter.write_line(f"screenshots of the journeys: {SCREENSHOTS}/")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def pages(classroom, browser):
    """Each person's signed-in page, opened on first use and kept for the module."""
    opened = {}

    def page_of(user):
        if user not in opened:
            opened[user] = sign_in(browser, classroom.url, user,
                                   classroom.settings["passwords"][user])
        return opened[user]

    yield page_of
    for page in opened.values():
        page.context.close()


# ------------------------------------------------------------------------------- the formgrader
class Formgrader:
    """nbgrader's formgrader, opened from JupyterLab's Nbgrader menu (it shows in a frame)."""

    def __init__(self, page):
        self.page = page
        menu(page, "Nbgrader", "Formgrader")
        self.frame = page.frame_locator(".jp-MainAreaWidget:not(.lm-mod-hidden) iframe")

    def open(self, section):
        self.frame.locator(".nav a", has_text=section).click()

    def row(self, assignment):
        row = self.frame.locator("#main-table tr").filter(
            has=self.frame.locator("td:first-child", has_text=exactly(assignment)))
        row.wait_for(timeout=STEP)
        return row

    def banners(self):
        return [t.strip() for t in self.frame.locator(".alert:visible").all_inner_texts()]

    def act(self, assignment, column, timeout=STEP):
        """Click the action in `column` of the assignment's row; returns the dialog's text."""
        self.row(assignment).locator(f"td.{column} a").click()
        dialog = self.frame.locator(".modal.in .modal-content")
        dialog.wait_for(timeout=timeout)
        text = dialog.inner_text()
        return text, dialog

    def close(self, dialog):
        dialog.locator("button.btn-primary").click()
        self.frame.locator(".modal").wait_for(state="detached", timeout=STEP)


class Terminal:
    """A JupyterLab terminal; its text is read from xterm's screen-reader rows."""

    def __init__(self, page):
        self.page = page
        terminals = page.locator(".jp-Terminal")
        count = terminals.count()
        menu(page, "File", "New", "Terminal")
        expect(terminals).to_have_count(count + 1, timeout=STEP)
        widget = terminals.nth(count).locator(
            "xpath=ancestor::div[contains(@class, 'jp-MainAreaWidget')][1]").get_attribute("id")
        self.tab = page.locator(f'.lm-TabBar-tab[data-id="{widget}"]')
        self.node = page.locator(f"#{widget} .jp-Terminal")
        self.rows = self.node.locator(".xterm-accessibility-tree")
        self.rows.wait_for(state="attached", timeout=STEP)
        self.commands = 0

    def run(self, command, timeout=STEP):
        """Type `command` and Enter; wait until it has finished; return (exit status, the
        terminal's text)."""
        self.commands += 1
        marker = f"command {self.commands} finished with exit status"
        self.tab.click()
        self.node.click()
        self.page.keyboard.type(f'clear; {command}; echo "{marker} $?"\n')
        self.page.wait_for_function(
            "([rows, marker]) => new RegExp(marker + ' [0-9]+').test(rows.innerText)",
            arg=[self.rows.element_handle(), marker], timeout=timeout, polling=1000)
        text = self.rows.inner_text().replace("\xa0", " ")
        return int(re.search(rf"{marker} ([0-9]+)", text).group(1)), text


def test_the_instructor_generates_and_releases_every_assignment(classroom, pages):
    shots = Shots(SCREENSHOTS / "1-instructor-release")
    page = pages(INSTRUCTOR)
    with evidence(page, shots, "release", classroom.log):
        grader = Formgrader(page)  # where the instructor lands, too
        for name in ASSIGNMENTS:
            assert "draft" in grader.row(name).inner_text()
        assert grader.banners() == []
        shots.take(page, "formgrader")
        text, dialog = grader.act(ASSIGNMENTS[0], "assign")
        shots.take(page, "generated")
        assert "Successfully created the student version" in text
        assert "[DEBUG]" not in text and len(text.splitlines()) < 20
        grader.close(dialog)
        for name in ASSIGNMENTS:
            text, dialog = grader.act(name, "release")
            assert f"Successfully released '{name}'" in text, text
            grader.close(dialog)
            grader.row(name).locator(".label", has_text="released").wait_for(timeout=STEP)
        assert grader.banners() == []
        shots.take(page, "released")


@pytest.mark.parametrize("student,assignment", JOURNEYS, ids=[f"{s}-{a}" for s, a in JOURNEYS])
def test_a_students_journey_through_an_assignment(classroom, pages, student, assignment):
    expected = Expected(classroom.course, assignment)
    shots = Shots(SCREENSHOTS / f"2-{student}-{assignment}")
    page = pages(student)
    with evidence(page, shots, f"{student}/{assignment}", classroom.log):
        assignments = AssignmentList(page).open()
        assert assignments.errors() == []
        shots.take(page, "assignment-list")
        assignments.fetch(assignment)
        notebook = assignments.open_notebook(assignment)
        notebook.wait_cells(expected.cells)  # the whole notebook, as released
        shots.take(page, "opened")

        # As released: the run stops at the first test cell, which says what to do.
        notebook.run_all()
        first_test = min(expected.tests)
        notebook.wait_output(first_test, "not implemented yet")
        notebook.wait_run_finished()
        errors = notebook.stderr_outputs()
        assert len(errors) == 1 and "not implemented yet" in errors[0], errors
        assert "not implemented yet" in notebook.output_text(first_test)
        notebook.cell(first_test).scroll_into_view_if_needed()
        shots.take(page, "not-implemented-yet")

        # Every solution cell filled in (as typed), saved, run: every public check passes.
        for index, source in expected.fill.items():
            notebook.type_into(index, source)
        notebook.save()
        saved = read(classroom.home(student) / assignment / f"{assignment}.ipynb")
        assert {i: source_text(c) for i, c in enumerate(saved["cells"]) if is_solution(c)} == \
            expected.fill
        notebook.run_all()
        last_test = max(expected.tests)
        for index, names in expected.tests.items():
            for name in names:
                passed = re.compile(rf"{name}: (all \d+ public checks|the public check) passed")
                notebook.wait_output(index, passed)
                assert passed.search(notebook.output_text(index))
        notebook.wait_run_finished()
        assert not [e for e in notebook.stderr_outputs() if "Error" in e or "Traceback" in e]
        notebook.cell(last_test).scroll_into_view_if_needed()
        shots.take(page, "checks-pass")

        # A widget: its slider moved, its picture redrawn with the student's functions.
        if notebook.sliders().count():
            before, after = notebook.move_slider()
            assert before != after
            shots.take(page, "slider-moved")

        # Validate (nbgrader runs the saved notebook), then submit.
        notebook.save()
        text, dialog = notebook.validate()
        shots.take(page, "validated")
        assert "passes all the tests" in text, text
        dialog.get_by_role("button", name="Ok").click()
        menu(page, "Kernel", "Shut Down Kernel")
        page.locator(".lm-TabBar-tab", has_text="Assignments").first.click()
        submitted = assignments.submit(assignment)
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", submitted), submitted
        shots.take(page, "submitted")


def test_the_instructor_collects_grades_and_returns_feedback(classroom, pages):
    shots = Shots(SCREENSHOTS / "3-instructor-grade")
    page = pages(INSTRUCTOR)
    with evidence(page, shots, "grade", classroom.log):
        page.locator(".lm-TabBar-tab", has_text="Formgrader").first.click()
        grader = Formgrader(page)
        for name in ASSIGNMENTS:
            text, dialog = grader.act(name, "collect")
            assert f"Successfully collected submissions of '{name}'" in text, text
            grader.close(dialog)
            assert grader.row(name).locator("td.num-submissions").inner_text().strip() == "1"
        shots.take(page, "collected")

        terminal = Terminal(page)
        course = f"~/{classroom.course.root.name}"  # the course folder, in the instructor's home
        status, text = terminal.run(f"python -m instructor grade --root {course}",
                                    timeout=GRADING)
        shots.take(page, "graded-in-terminal")
        assert status == 0, text

        points = {a: Expected(classroom.course, a).points for a in ASSIGNMENTS}
        page.locator(".lm-TabBar-tab", has_text="Formgrader").first.click()
        grader.open("Manage Students")
        for student, work in WORK.items():
            row = grader.frame.locator("#main-table tr", has_text=student)
            # out of every assignment of the gradebook (both editions of each, if released)
            total, top = sum(points[a] for a in work), sum(
                Expected(classroom.course, a).points for a in classroom.course.assignments())
            row.locator("td.score", has_text=f"{total:g} / {top:g}").wait_for(timeout=STEP)
        shots.take(page, "scores-in-formgrader")

        grader.open("Manage Assignments")
        for name in ASSIGNMENTS:
            text, dialog = grader.act(name, "release-feedback")
            assert f"Successfully released feedback of '{name}'" in text, text
            grader.close(dialog)
        shots.take(page, "feedback-released")

        status, text = terminal.run(f"python -m instructor export --root {course} && "
                                    f"cat {course}/canvas-grades.csv")
        shots.take(page, "exported")
        assert status == 0, text
        lines = [ln.strip() for ln in text.splitlines()]
        header = next(ln for ln in lines if ln.startswith("Student,ID,SIS User ID,SIS Login ID"))
        columns = header.split(",")[5:]
        assert sorted(columns) == ASSIGNMENTS
        for student, work in WORK.items():
            row = next(ln for ln in lines if ln.startswith(f"{student},,,{student},"))
            scores = dict(zip(columns, row.split(",")[5:]))
            assert scores == {a: (f"{points[a]:g}" if a in work else "") for a in ASSIGNMENTS}
        assert (classroom.course.root / "grades.csv").is_file()


@pytest.mark.parametrize("student", list(WORK))
def test_a_student_reads_their_feedback(classroom, pages, student):
    shots = Shots(SCREENSHOTS / f"4-{student}-feedback")
    page = pages(student)
    with evidence(page, shots, f"{student} feedback", classroom.log):
        assignments = AssignmentList(page).open()
        assignments.refresh()
        for assignment in WORK[student]:
            expected = Expected(classroom.course, assignment)
            link = assignments.fetch_feedback(assignment)
            link.click()  # the file browser shows the feedback's folder
            html = page.locator(".jp-DirListing-item", has_text=f"{assignment}.html")
            html.dblclick()
            frame = page.frame_locator(".jp-MainAreaWidget:not(.lm-mod-hidden) iframe")
            score = f"{assignment} (Score: {expected.points:.1f} / {expected.points:.1f})"
            frame.locator("body", has_text=score).wait_for(timeout=STEP)
            text = frame.locator("body").inner_text()
            assert "BEGIN HIDDEN TESTS" not in text
            assert "from instructor.grading import grade" not in text
            shots.take(page, f"feedback-{assignment}")
            page.locator(".lm-TabBar-tab", has_text="Assignments").first.click()
