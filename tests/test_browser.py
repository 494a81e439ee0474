"""A student's view: the real JupyterLab, driven in a real headless browser (Debian's chromium).

The 01 notebook is opened and run from JupyterLab's Run menu: with solutions, the public checks
pass and the temperature widget draws, and redraws when its slider moves; as released, the run
stops at the first test cell, which says what to do.
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TOKEN = "backprop-course-test"

if not Path(CHROMIUM).is_file():
    message = "Debian's chromium is needed for the browser test (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a folder with the source and the release of 01."""
    work = tmp_path_factory.mktemp("lab")
    shutil.copy(ROOT / "source" / "01_softmax" / "01_softmax.ipynb", work / "solved.ipynb")
    shutil.copy(ROOT / "release" / "01_softmax" / "01_softmax.ipynb", work / "released.ipynb")
    # Render every cell (JupyterLab 4 otherwise only renders the cells in view).
    settings = work / ".cfg" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JUPYTER_CONFIG_DIR": str(work / ".cfg"),
           "JUPYTER_RUNTIME_DIR": str(work / ".run"), "JUPYTER_DATA_DIR": str(work / ".data")}
    env.pop("JUPYTER_PATH", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
         "--ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
         f"--ServerApp.root_dir={work}", "--LabApp.news_url=",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("JupyterLab did not start")
            time.sleep(0.5)
    yield url, work
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def open_and_run_all(browser, url, name):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(f"{url}/lab/tree/{name}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                           state="attached", timeout=90_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    return page


def test_solved_notebook_checks_pass_and_widget_draws(lab, browser):
    url, work = lab
    page = open_and_run_all(browser, url, "solved.ipynb")
    page.wait_for_function(
        "document.body.innerText.includes('ce_partial: the public check passed')",
        timeout=120_000)
    text = page.inner_text(".jp-Notebook")
    assert "softmax_by_hand: the public check passed" in text
    assert "softmax: all 4 public checks passed" in text
    assert "softmax_jacobian: all 2 public checks passed" in text
    assert "Error" not in page.inner_text(".jp-Notebook .jp-OutputArea")
    sideways = page.evaluate(  # no markdown cell scrolls sideways (no stray scrollbar)
        "() => [...document.querySelectorAll('.jp-MarkdownCell *')].filter(e => "
        "e.scrollWidth > e.clientWidth + 1 && "
        "['auto', 'scroll'].includes(getComputedStyle(e).overflowX)).length")
    assert sideways == 0
    slider = page.locator(".widget-slider, .jupyter-widgets.widget-hslider").first
    slider.wait_for()
    image = page.locator(".jupyter-widgets-output-area img, .widget-output img").first
    image.wait_for()
    before = image.get_attribute("src")
    slider.locator(".noUi-handle, .ui-slider-handle").first.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "(b) => { const i = document.querySelector('.jupyter-widgets-output-area img, "
        ".widget-output img'); return i && i.src !== b; }", arg=before, timeout=30_000)
    page.screenshot(path=str(work / "solved.png"), full_page=False)
    page.close()


def test_released_notebook_stops_at_the_first_test_with_a_clear_message(lab, browser):
    """JupyterLab's Run All stops at the first error: in the release, that is the first test
    cell, which says what to do; every cell above it (setup, explanations) ran cleanly."""
    url, work = lab
    page = open_and_run_all(browser, url, "released.ipynb")
    page.wait_for_function("document.body.innerText.includes('is not implemented yet')",
                           timeout=120_000)
    errors = page.locator(".jp-OutputArea-output[data-mime-type="
                          "'application/vnd.jupyter.stderr']")
    assert errors.count() == 1
    message = errors.first.inner_text()
    assert "softmax_by_hand is not implemented yet" in message
    assert "raise NotImplementedError()" in message
    page.screenshot(path=str(work / "released.png"))
    page.close()
