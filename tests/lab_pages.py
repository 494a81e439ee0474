"""What a person does in the classroom's pages, for the browser tests (Playwright, chromium).

Every wait is on something the page shows (a button, a cell's output, the kernel's status), with
generous limits: the tests must pass on a busy two-core machine. Nothing here depends on the
notebooks' prose, only on their conventions (course/notebooks.py): a solution cell carries
the grade_id of its exercise, a test cell calls ``ex.<name>.check(<name>)``, and the public check
of an exercise not written yet says "not implemented yet".
"""
from __future__ import annotations

import re
import shutil
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import expect

from course import notebooks
from instructor.demo import student_notebook

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
STEP = 60_000        # ms: a click's answer, a dialog, a list refreshing
SERVER = 240_000     # ms: a single-user server starting on a busy machine
RUN = 420_000        # ms: a whole notebook running (06 trains a network)
STDERR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


class Shots:
    """Numbered screenshots of one journey in artifacts/screenshots/<journey>/."""

    def __init__(self, folder):
        self.folder = Path(folder)
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        self.count = 0

    def take(self, page, name, full_page=False):
        self.count += 1
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


@contextmanager
def evidence(page, shots, step, log):
    """On failure: a screenshot of the page and the hub's log path in the error."""
    try:
        yield
    except Exception as err:
        try:
            shot = shots.take(page, f"FAILED-{step}")
        except Exception:  # noqa: BLE001 - the page may be gone
            shot = "(no screenshot)"
        raise AssertionError(f"{step} failed: {err}\nscreenshot: {shot}\nhub and server log: "
                             f"{log}") from err


# ------------------------------------------------------------------------------------ signing in
def sign_in(browser, hub_url, user, password):
    """A fresh browser context signed in as `user`, on their JupyterLab (started if needed)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(STEP)
    page.goto(f"{hub_url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    page.click("#login_submit")
    wait_for_lab(page)
    return page


def wait_for_lab(page):
    page.wait_for_selector("#jp-main-dock-panel", timeout=SERVER)
    page.wait_for_selector("#jp-MainMenu", timeout=SERVER)


def need_chromium():
    """Playwright's sync API, once Debian's chromium is there: at a test module's top. Without
    chromium the module is skipped, or fails in CI (where .ci/run installs it)."""
    import os

    import pytest

    if not Path(CHROMIUM).is_file():
        message = "Debian's chromium is needed for the browser tests (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message, allow_module_level=True)
    from playwright import sync_api

    return sync_api


def exactly(name):
    """Text that is `name` and nothing more: 01_softmax, not 01_softmax_zh."""
    return re.compile(rf"^\s*{re.escape(name)}\s*$")


def menu(page, *path):
    """Click through JupyterLab's menu bar: menu(page, "Run", "Run All Cells")."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(path[0])}$")).click()
    for item in path[1:]:
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}")).first.click()


# --------------------------------------------------------------------------- the Assignment List
class AssignmentList:
    def __init__(self, page):
        self.page = page

    def open(self):
        menu(self.page, "Nbgrader", "Assignment List")
        self.page.wait_for_selector("#released_assignments_list", timeout=STEP)
        self.wait_loaded()
        return self

    def wait_loaded(self):
        for part in ("released", "fetched", "submitted"):
            self.page.wait_for_selector(f"#{part}_assignments_list_loading", state="hidden",
                                        timeout=STEP)

    def refresh(self):
        self.page.locator("#refresh_assignments_list, button[title*='Refresh']").first.click()
        self.wait_loaded()

    def errors(self):
        """The error messages the list shows (none, in a working classroom): in its three
        lists, and in place of the course's name ("Error fetching courses!")."""
        shown = [t.strip() for t in self.page.locator(".list_error:visible").all_inner_texts()
                 if t.strip()]
        panel = self.page.locator("#nbgrader-assignment-list").inner_text()
        return shown + [line for line in panel.splitlines() if "Error" in line]

    def row(self, part, assignment):
        return self.page.locator(f"#{part}_assignments_list > .list_item").filter(
            has=self.page.locator(".item_name", has_text=exactly(assignment))).first

    def fetch(self, assignment):
        self.row("released", assignment).get_by_role("button", name="Fetch").click()
        self.row("fetched", assignment).wait_for(timeout=STEP)

    def open_notebook(self, assignment):
        row = self.row("fetched", assignment)
        row.locator("a.assignment-notebooks-link").click()
        self.page.locator(f"#nbgrader-backprop-{assignment} .nested_list_item a",
                          has_text=assignment).first.click()
        return Notebook(self.page)

    def submit(self, assignment):
        self.row("fetched", assignment).get_by_role("button", name="Submit").click()
        submitted = self.row("submitted", assignment)
        submitted.wait_for(timeout=STEP)
        return submitted.inner_text()

    def fetch_feedback(self, assignment):
        row = self.row("submitted", assignment)
        row.get_by_role("button", name="Fetch Feedback").click()
        link = row.locator("a", has_text="view feedback")
        link.wait_for(timeout=STEP)
        return link


# ------------------------------------------------------------------------------------ a notebook
class Notebook:
    """The notebook open in JupyterLab's current tab."""

    def __init__(self, page):
        self.page = page
        self.panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        self.panel.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=SERVER)
        self.wait_idle()

    def wait_cells(self, count, timeout=STEP):
        """Until the notebook shows `count` cells (JupyterLab attaches them progressively)."""
        expect(self.cells).to_have_count(count, timeout=timeout)

    def wait_idle(self, timeout=SERVER):
        self.panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
            state="attached", timeout=timeout)

    @property
    def cells(self):
        return self.panel.locator(".jp-Notebook .jp-Cell")

    def cell(self, index):
        return self.cells.nth(index)

    def run_all(self):
        """Clear every output, then Run All Cells (which stops at the first error)."""
        menu(self.page, "Edit", "Clear Outputs of All Cells")
        menu(self.page, "Run", "Run All Cells")

    def wait_run_finished(self, timeout=RUN):
        """Until some cell has run since the outputs were cleared, none is queued or running,
        and the kernel is idle."""
        self.page.wait_for_function(
            """() => {
                const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
                const prompts = [...panel.querySelectorAll('.jp-InputArea-prompt')]
                    .map(p => p.innerText);
                const idle = panel.querySelector(
                    ".jp-Notebook-ExecutionIndicator[data-status='idle']");
                return idle !== null && !prompts.some(p => p.includes('*'))
                    && prompts.some(p => /[0-9]/.test(p));
            }""", timeout=timeout, polling=500)

    def output_text(self, index):
        return self.cell(index).locator(".jp-OutputArea").inner_text()

    def wait_output(self, index, text, timeout=RUN):
        self.cell(index).locator(".jp-OutputArea", has_text=text).wait_for(timeout=timeout)

    def stderr_outputs(self):
        return self.panel.locator(STDERR).all_inner_texts()

    def type_into(self, index, source):
        """Replace the source of code cell `index` with `source`, as typed text."""
        editor = self.cell(index).locator(".cm-content")
        editor.scroll_into_view_if_needed()
        editor.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.insert_text(source)
        self.page.keyboard.press("Escape")  # back to command mode

    def save(self):
        self.page.keyboard.press("Control+s")
        self.page.wait_for_function(
            """() => !document.querySelector(
                    '.jp-NotebookPanel:not(.lm-mod-hidden)').title.includes('*')
                 && !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')""",
            timeout=STEP)

    def validate(self):
        """Press Validate; returns the text of the dialog that answers, and the dialog."""
        self.panel.locator(".jp-Toolbar").get_by_text("Validate", exact=True).click()
        dialog = self.page.locator(".jp-Dialog", has_text=re.compile("Validation (Results|failed)"))
        dialog.wait_for(timeout=RUN)
        text = dialog.locator(".jp-Dialog-body").inner_text()
        return text, dialog

    def sliders(self):
        return self.panel.locator(".widget-slider")

    def move_slider(self, timeout=RUN):
        """Move the notebook's first slider one step with the keyboard, press its widget's
        button if it has one (06's Train), and wait until the widget draws a new picture.
        Returns the slider's readout before and after."""
        slider = self.sliders().first
        slider.scroll_into_view_if_needed()
        widget = slider.locator("xpath=ancestor::div[contains(@class, 'jp-OutputArea-output')][1]")
        readout = slider.locator(".widget-readout")
        before = readout.inner_text()
        pictures = [img.get_attribute("src") for img in widget.locator("img").all()]
        slider.locator(".noUi-handle").first.focus()
        self.page.keyboard.press("ArrowRight")
        self.page.wait_for_function("([r, b]) => r.innerText !== b",
                                    arg=[readout.element_handle(), before], timeout=STEP)
        buttons = widget.locator("button.jupyter-button:not(:disabled)")
        if buttons.count():
            buttons.first.click()
        self.page.wait_for_function(
            """([w, before]) => {
                const now = [...w.querySelectorAll('img')].map(i => i.src);
                return now.length > 0 && now.join() !== before.join();
            }""", arg=[widget.element_handle(), pictures], timeout=timeout, polling=500)
        return before, readout.inner_text()


# ---------------------------------------------------------------------------- what we expect
class Expected:
    """What the notebook of `assignment` should do, from its structure alone: the solution cells
    to fill in (index -> the source's solution, as instructor/demo.py's correct student writes
    it), the test cells (index -> the exercises whose public checks they call), and its points."""

    def __init__(self, course, assignment):
        release = notebooks.read(course.notebook(course.release, assignment))
        source = notebooks.read(course.notebook(course.source, assignment))
        solved = student_notebook(course.root, assignment, {})
        self.fill = {i: notebooks.source_text(c) for i, c in enumerate(solved["cells"])
                     if notebooks.is_solution(c)}
        self.tests = {i: notebooks.exercises_of(c) for i, c in enumerate(release["cells"])
                      if notebooks.is_test(c)}
        self.points = sum(p for p, _ in notebooks.graded_cells(source).values())
        self.cells = len(release["cells"])
