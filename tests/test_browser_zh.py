"""The Chinese edition as a self-study learner gets it, in a real browser (Debian's chromium).

`python -m course start --lang zh` copies the Chinese notebooks into a work folder and opens
JupyterLab with its menus in Chinese (the language pack). The learner opens 01, runs it as
released: the text is Chinese, and the first test cell says, in Chinese, what to do. Then a
solution is typed in and its check passes, in Chinese too. Screenshots go to
artifacts/screenshots/zh-self-study/.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from classroom_harness import ARTIFACTS
from lab_pages import CHROMIUM, CHROMIUM_FLAGS, SERVER, Notebook, Shots, need_chromium

from course import notebooks
from instructor.demo import student_notebook

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "backprop-zh-test"
CHINESE = re.compile(r"[\u4e00-\u9fff]")

sync_api = need_chromium()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`python -m course start --lang zh` on a fresh work folder, on 127.0.0.1."""
    home = tmp_path_factory.mktemp("zh")
    work = home / "work_zh"
    # every cell rendered (JupyterLab 4 otherwise renders only the cells in view)
    tracker = work / ".lab-settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JUPYTER_CONFIG_DIR": str(home / ".cfg"),
           "JUPYTER_RUNTIME_DIR": str(home / ".run"), "JUPYTER_DATA_DIR": str(home / ".data")}
    env.pop("BACKPROP_LANG", None)
    env.pop("JUPYTER_PATH", None)
    log = open(home / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "course", "start", "--lang", "zh", "--dir", str(work),
         "--no-browser", "--port", str(port), f"--IdentityProvider.token={TOKEN}",
         "--LabApp.news_url=", "--LabApp.expose_app_in_browser=True",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER / 1000
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=5)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                os.killpg(server.pid, signal.SIGKILL)
                pytest.fail(f"JupyterLab did not start: {(home / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
    yield url, work
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="module")
def page(lab):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        yield context.new_page()
        browser.close()


def run_all(page):
    page.evaluate("async () => { await window.jupyterapp.commands.execute("
                  "'notebook:clear-all-cell-outputs'); await window.jupyterapp.commands.execute("
                  "'notebook:run-all-cells'); }")


def test_a_self_study_learner_works_in_chinese(lab, page):
    url, work = lab
    shots = Shots(ARTIFACTS / "screenshots" / "zh-self-study")
    assert sorted(p.name for p in work.iterdir() if not p.name.startswith(".")) == [
        a + "_zh" for a in ("01_softmax", "02_cross_entropy", "03_relu_mask", "04_l2_penalty",
                            "05_backprop", "06_train_digits")]
    name = "01_softmax_zh"
    release = notebooks.read(work / name / f"{name}.ipynb")
    tests = [i for i, c in enumerate(release["cells"]) if notebooks.is_test(c)]
    page.set_default_timeout(60_000)
    page.goto(f"{url}/lab/tree/{name}/{name}.ipynb?token={TOKEN}")
    notebook = Notebook(page)
    notebook.wait_cells(len(release["cells"]))

    # JupyterLab's own menus in Chinese (the language pack), the notebook's text in Chinese
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert "文件" in menus and "File" not in menus, menus
    first_text = notebook.cell(0).inner_text()
    assert CHINESE.search(first_text) and "01 · " in first_text
    shots.take(page, "opened")

    # As released: the first test cell stops the run and says in Chinese what to do.
    run_all(page)
    first = tests[0]
    notebook.wait_output(first, re.compile(r"\S"))
    notebook.wait_run_finished()
    said = notebook.output_text(first)
    exercise = notebooks.exercises_of(release["cells"][first])[0]
    assert exercise in said and CHINESE.search(said), said
    assert "not implemented yet" not in said
    notebook.cell(first).scroll_into_view_if_needed()
    shots.take(page, "not-implemented-yet")

    # The first exercise answered (as its source solves it): its check passes, in Chinese.
    solved = student_notebook(ROOT, name, {})
    solution = next(i for i, c in enumerate(release["cells"])
                    if notebooks.is_solution(c) and i < first)
    notebook.type_into(solution, notebooks.source_text(solved["cells"][solution]))
    notebook.save()
    run_all(page)
    notebook.wait_run_finished()
    passed = notebook.output_text(first)
    assert exercise in passed and CHINESE.search(passed), passed
    assert not notebook.cell(first).locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()
    notebook.cell(first).scroll_into_view_if_needed()
    shots.take(page, "check-passes")
