"""The pipeline's parts on their own: importing downloads, staging, sanitising, integrity flags,
the sandbox, the trusted re-grade and the limits of the notebook run.
(tests/test_grading_pipeline.py runs them together on a whole class.)"""
import array
import copy
import fcntl
import json
import os
import shutil
import subprocess
import sys
import termios
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from course import exercises as ex, notebooks
from instructor import integrity, sandbox
from instructor.course_dir import Course
from instructor.flags import Kind
from instructor.intake import import_submissions, sanitise, stage
from instructor.regrade import regrade

ROOT = Path(__file__).resolve().parents[1]
RELEASE = json.loads((ROOT / "release/01_softmax/01_softmax.ipynb").read_text())
SOURCE = json.loads((ROOT / "source/01_softmax/01_softmax.ipynb").read_text())
EXERCISES_01 = ["softmax", "softmax_jacobian", "ce_partial"]
needs_sandbox = pytest.mark.skipif(not sandbox.detect().available,
                                   reason=sandbox.detect().note)


def cell(nb, gid):
    return next(c for c in nb["cells"] if notebooks.grade_id(c) == gid)


def kinds(flags):
    return {f.kind for f in flags}


@pytest.fixture
def course(tmp_path):
    """A course folder with 01's source and release (enough for staging and importing)."""
    for part in ("source", "release"):
        shutil.copytree(ROOT / part / "01_softmax", tmp_path / part / "01_softmax")
    return Course(tmp_path)


# ------------------------------------------------------------------------------------ intake
def test_import_from_a_zip_in_both_layouts_and_refuse_zip_slip(course, tmp_path_factory):
    z = tmp_path_factory.mktemp("dl") / "class.zip"
    nb = json.dumps(RELEASE)
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("downloads/ann/01_softmax.ipynb", nb)
        zf.writestr("downloads/ben/01_softmax/01_softmax.ipynb", nb)
        zf.writestr("downloads/ben/01_softmax/timestamp.txt", "2026-11-19 10:00:00 UTC")
        zf.writestr("downloads/cat/notes.txt", "not an assignment")
    pairs = import_submissions(course, z)
    assert sorted(pairs) == [("ann", "01_softmax"), ("ben", "01_softmax")]
    assert (course.submitted / "ann/01_softmax/01_softmax.ipynb").is_file()
    assert (course.submitted / "ben/01_softmax/timestamp.txt").read_text().startswith("2026")
    assert not (course.submitted / "cat").exists()

    evil = tmp_path_factory.mktemp("dl2") / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../escape.ipynb", nb)
    with pytest.raises(ValueError, match="unsafe path"):
        import_submissions(course, evil)
    with pytest.raises(FileNotFoundError):
        import_submissions(course, course.root / "nothing-here")


def test_staging_renamed_missing_and_corrupt(course):
    folder = course.submitted / "dan" / "01_softmax"
    folder.mkdir(parents=True)
    (folder / "Copy of 01_softmax.ipynb").write_text(json.dumps(RELEASE))
    assert kinds(stage(course, "dan", "01_softmax")) == {Kind.RENAMED}
    assert course.notebook(course.staged, "01_softmax", "dan").is_file()
    assert (folder / "Copy of 01_softmax.ipynb").is_file()  # the original stays

    (folder / "Copy of 01_softmax.ipynb").unlink()
    assert kinds(stage(course, "dan", "01_softmax")) == {Kind.MISSING}
    assert not course.notebook(course.staged, "01_softmax", "dan").exists()

    (folder / "01_softmax.ipynb").write_text(json.dumps(RELEASE)[:500])
    assert kinds(stage(course, "dan", "01_softmax")) == {Kind.CORRUPT}
    assert (folder / "01_softmax.ipynb").read_text() == json.dumps(RELEASE)[:500]


def test_integrity_flags_and_sanitising():
    sub = copy.deepcopy(RELEASE)
    cell(sub, "test_softmax")["source"] = "assert True"
    cell(sub, "test_softmax_jacobian")["metadata"]["tags"] = ["skip-execution"]
    cell(sub, "test_softmax_jacobian")["metadata"]["nbgrader"]["points"] = 50
    sub["cells"].append(copy.deepcopy(cell(sub, "test_ce_partial")))  # a duplicated grade_id
    bonus = copy.deepcopy(cell(sub, "test_ce_partial"))
    bonus["metadata"]["nbgrader"]["grade_id"] = "bonus"
    sub["cells"].append(bonus)
    cell(sub, "softmax")["source"] = "import numpy\nnumpy.allclose = lambda *a, **k: True\n"

    found = {(f.cell, f.message) for f in integrity.check(RELEASE, sub)}
    assert ("test_softmax", "edited read-only test cell") in found
    assert ("test_softmax_jacobian", "execution tags ['skip-execution']") in found
    assert ("test_softmax_jacobian", "changed nbgrader metadata: points") in found
    assert ("test_ce_partial", "a duplicated cell id") in found
    assert ("bonus", "a cell with made-up grading metadata") in found
    assert [str(f) for f in integrity.suspicious_code(RELEASE, sub)] == \
        ["softmax: suspicious code: monkeypatches numpy or builtins"]
    assert integrity.check(RELEASE, RELEASE) == []
    assert integrity.suspicious_code(RELEASE, RELEASE) == []

    clean = sanitise(nbformat.from_dict(sub), RELEASE)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in clean.cells]
    assert ids.count("test_ce_partial") == 1 and "bonus" not in ids
    jac = next(c for c in clean.cells
               if c.metadata.get("nbgrader", {}).get("grade_id") == "test_softmax_jacobian")
    assert jac.metadata["nbgrader"]["points"] == 2 and jac.metadata.get("tags") == []


# ----------------------------------------------------------------------------------- sandbox
PROBE = r"""
import glob, json, os, socket, sys
seen = {p: os.path.exists(p) for p in sys.argv[1:]}
env = {p: open(p, 'rb').read().decode(errors='replace') for p in glob.glob('/proc/*/environ')}
try:
    socket.create_connection(('127.0.0.1', int(os.environ.get('PORT', '9'))), timeout=2)
    net = 'connected'
except OSError as err:
    net = type(err).__name__
print(json.dumps({'seen': seen, 'environ': env, 'uid': os.getuid(), 'net': net,
                  'keys': sorted(os.environ)}))
"""


@needs_sandbox
def test_sandbox_shows_only_the_allow_list_with_a_clean_environment_and_no_network(tmp_path,
                                                                                  monkeypatch):
    import socket

    secret = tmp_path / "course" / "gradebook.db"
    secret.parent.mkdir()
    secret.write_text("grades")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    monkeypatch.setenv("SECRET_TOKEN", "hunter2")  # the grader's own environment
    box = sandbox.detect()
    env = sandbox.environment(PORT=listener.getsockname()[1])
    paths = [str(secret), str(ROOT / "instructor"), str(ROOT / "gradebook.db"),
             str(ROOT / "source"), os.path.expanduser("~/.ssh"), "/etc/shadow",
             os.path.expanduser("~/.cache/pip"), str(ROOT / "course")]
    out = subprocess.run(box.command([sys.executable, "-c", PROBE, *paths], env=env),
                         capture_output=True, text=True, timeout=120)
    listener.close()
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert seen["uid"] == 65534
    assert seen["seen"] == {**{p: False for p in paths}, str(ROOT / "course"): True}
    assert seen["net"] != "connected"
    assert "SECRET_TOKEN" not in seen["keys"]
    assert all("hunter2" not in text for text in seen["environ"].values())
    assert all("/root" not in text and "hunter2" not in text
               for text in seen["environ"].values()), seen["environ"]


def test_without_bubblewrap_the_code_still_gets_a_clean_environment(monkeypatch):
    monkeypatch.setenv("BACKPROP_NO_SANDBOX", "1")
    sandbox.detect.cache_clear()
    try:
        off = sandbox.detect()
        assert not off.available and "disabled" in off.note
        cmd = off.command([sys.executable, "-c", "import os, resource; print(sorted(os.environ),"
                                                 " resource.getrlimit(resource.RLIMIT_AS))"])
        assert "env" in cmd and "-i" in cmd
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
        assert "BACKPROP_NO_SANDBOX" not in out and "OMP_NUM_THREADS" in out
        assert f"({sandbox.MEMORY_LIMIT}, {sandbox.MEMORY_LIMIT})" in out  # the caps still hold
    finally:
        sandbox.detect.cache_clear()


# ------------------------------------------------------------------------------- the re-grade
SETUP = notebooks.setup_cells(SOURCE)


def program_with(**solutions):
    sub = copy.deepcopy(SOURCE)
    for gid, code in solutions.items():
        cell(sub, gid)["source"] = code
    return notebooks.solution_cells(SOURCE, sub)[0]


# ------------------------------------------------------------------------------------- wire
@pytest.fixture
def wire_ends():
    """Both ends of a verdict channel in this process: (trusted, runner), each with send(header,
    arrays), recv() and pending_on_pipe(), over real pipes and a real shared memory."""
    from instructor import runner as wire

    fd, trusted = wire.Shared.create()
    if fd is None:
        pytest.skip("no memfd on this system: the wire uses its pipes only")
    theirs = wire.Shared(fd, outgoing=1)
    down, up = os.pipe(), os.pipe()
    for f in (*down, *up):  # room for a whole frame: both ends are this one process
        fcntl.fcntl(f, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    ends = {"trusted": (trusted, down[1], up[0]), "runner": (theirs, up[1], down[0])}

    class End:
        def __init__(self, name):
            self.shared, self.out, self.inp = ends[name]

        def send(self, header, arrays=()):
            wire.send(self.out, header, arrays, shared=self.shared)

        def recv(self):
            return wire.recv(self.inp, shared=self.shared)

        def pending_on_pipe(self):  # bytes waiting on this end's incoming pipe
            n = array.array("i", [0])
            fcntl.ioctl(self.inp, termios.FIONREAD, n)
            return n[0]

    yield End("trusted"), End("runner")
    for f in (*down, *up, fd):
        os.close(f)


def test_the_wire_carries_a_large_frame_in_shared_memory_and_only_its_mark_on_the_pipe(
        wire_ends):
    import numpy as np

    trusted, runner = wire_ends
    params = {"W1": np.random.default_rng(0).normal(size=(256, 64)), "b1": np.arange(64.0),
              "J": np.float64(0.5), "T": np.ones((3, 4), np.float32).T, "e": np.zeros((0, 2))}
    trusted.send({"op": "call", "n": 2}, list(params.values()))
    assert runner.pending_on_pipe() == 9  # the mark: b"M" and the frame's length
    header, arrays = runner.recv()
    assert header == {"op": "call", "n": 2}
    for got, sent in zip(arrays, params.values()):
        assert np.array_equal(got, sent) and got.dtype == sent.dtype and got.flags.writeable
        assert got.ctypes.data % 16 == 0 or got.size == 0
    # before the runner answers, the next frame cannot go where the last one may still be read
    trusted.send({"op": "again"}, [params["W1"] * 2])
    assert runner.pending_on_pipe() > params["W1"].nbytes
    assert np.array_equal(runner.recv()[1][0], params["W1"] * 2)
    runner.send({"op": "small"}, [np.ones(3)])  # small: by pipe; an answer frees the region
    assert trusted.pending_on_pipe() > 9 and trusted.recv()[0] == {"op": "small"}
    trusted.send({"op": "third"}, [params["W1"]])
    assert runner.pending_on_pipe() == 9 and np.array_equal(runner.recv()[1][0], params["W1"])


def test_what_the_runner_writes_later_does_not_change_a_frame_already_received(wire_ends):
    import numpy as np

    trusted, runner = wire_ends
    runner.send({"op": "result"}, [np.full((300, 300), 7.0)])
    _, (got,) = trusted.recv()
    runner.shared.outgoing[:] = b"\xff" * len(runner.shared.outgoing)  # a hostile runner
    assert np.all(got == 7.0)


def forged_frame(header, *arrays):
    """A frame written by hand: (size, dtype code, shape) for each array, and 64 bytes."""
    import struct

    text = json.dumps(header).encode()
    out = struct.pack(">II", len(text), len(arrays)) + text
    for size, code, shape in arrays:
        out += struct.pack(">Q8sB", size, code, len(shape)) + struct.pack(f">{len(shape)}q",
                                                                          *shape)
        out += bytes(-len(out) % 16) + bytes(64)
    return b"P" + len(out).to_bytes(8, "big") + out


@pytest.mark.parametrize("forged", [
    b"M" + (2**40).to_bytes(8, "big"),                     # larger than any frame
    b"M" + (64 * 2**20).to_bytes(8, "big"),                # larger than the shared memory
    b"X" + (10).to_bytes(8, "big") + b"0123456789",        # a mark that is neither
    b"P" + (12).to_bytes(8, "big") + (5).to_bytes(4, "big") + (0).to_bytes(4, "big") + b"[1]1",
    forged_frame([1, 2]),                                  # a header that is not an object
    forged_frame({}, (10**6, b"<f8", (125_000,))),         # longer than its frame
    forged_frame({}, (64, b"<f8", (9,))),                  # a shape that is not its size
    forged_frame({}, (64, b"<f8", (-8, -1))),
    forged_frame({}, (8, b"|O", (1,))),                    # objects: a pickle's way in
    forged_frame({}, (8, b"<z9", (1,))),                   # no dtype at all
    forged_frame({}, (0, b"<f8", (1,) * 40)),              # more dimensions than numpy has
])
def test_a_forged_frame_is_refused_as_a_protocol_error(wire_ends, forged):
    from instructor import runner as wire

    trusted, runner = wire_ends
    os.write(runner.out, forged)
    with pytest.raises(wire.ProtocolError):
        trusted.recv()


def test_regrade_passes_the_source_and_fails_what_leans_on_the_instructor():
    report = regrade(SETUP, notebooks.solution_cells(SOURCE, SOURCE)[0], EXERCISES_01)
    assert all(v.passed for v in report.verdicts.values()), report
    assert report.flags == []
    forged = program_with(softmax="def softmax(Z):\n    from instructor.reference import "
                                  "softmax as s\n    return s(Z)\n")
    report = regrade(SETUP, forged, EXERCISES_01)
    assert not report.verdicts["softmax"].passed
    assert report.verdicts["ce_partial"].passed
    if sandbox.detect().available:
        assert "instructor" in report.verdicts["softmax"].message


def test_regrade_messages_name_the_mistake_but_no_expected_value():
    report = regrade(SETUP, program_with(softmax=(
        "def softmax(Z):\n    E = np.exp(Z)\n    return E / E.sum(axis=1, keepdims=True)\n")),
        ["softmax"])
    message = report.verdicts["softmax"].message
    assert "Likely mistake: an unstable softmax" in message
    assert "expected" not in message


def test_a_crash_or_a_hang_costs_only_its_own_exercise():
    start = time.monotonic()
    report = regrade(SETUP, program_with(
        softmax="import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                "def softmax(Z):\n    while True:\n        pass\n",
        ce_partial="import os\nos.kill(os.getpid(), 9)\n"), EXERCISES_01)
    took = time.monotonic() - start
    assert not report.verdicts["softmax"].passed
    assert "time limit" in report.verdicts["softmax"].message
    assert not report.verdicts["ce_partial"].passed       # its cell ended the process
    assert {(f.kind, f.cell) for f in report.flags} >= {
        (Kind.REGRADE_TIME, "softmax"), (Kind.REGRADE_ENDED, "ce_partial")}
    assert took < 120, took  # the 15 s limit per exercise holds (generous: a loaded machine)


def test_an_exercise_that_uses_another_gets_the_instructors_version(monkeypatch):
    """With `uses`, the stand-in answers from the trusted side: a wrong softmax does not cost
    softmax_jacobian its points, and the child never holds the reference's code."""
    from instructor import grading

    graded = grading.registry()["softmax_jacobian"]
    monkeypatch.setattr(ex.softmax_jacobian, "uses", ("softmax",))
    wrong_softmax = program_with(softmax="def softmax(Z):\n    return np.zeros_like(Z)\n")
    report = regrade(SETUP, wrong_softmax, ["softmax", "softmax_jacobian"])
    assert not report.verdicts["softmax"].passed
    assert report.verdicts["softmax_jacobian"].passed, report.verdicts["softmax_jacobian"]
    # the stand-in answers only while softmax_jacobian is graded: softmax itself cannot use it
    sneaky = program_with(softmax=(
        "_saved = {}\n"
        "def softmax(Z):\n"
        "    if 'oracle' in _saved:\n"
        "        return _saved['oracle'](Z)\n"
        "    return np.zeros_like(Z)\n"),
        softmax_jacobian=(
        "def softmax_jacobian(z):\n"
        "    _saved['oracle'] = softmax\n"
        "    s = softmax(z[None, :])[0]\n"
        "    return np.diag(s) - np.outer(s, s)\n"))
    report = regrade(SETUP, sneaky, ["softmax_jacobian", "softmax"])
    assert report.verdicts["softmax_jacobian"].passed
    assert not report.verdicts["softmax"].passed


# --------------------------------------------------------------------- the run's own limits
def run_notebook(sources, cell_timeout=60, notebook_timeout=120, max_bytes=2 * 2**20):
    from instructor.notebook_run import run_notebook as run
    from instructor.session import Session

    cells = [{"cell_type": "code", "source": s} for s in sources]
    start = time.monotonic()
    with Session(["import numpy as np"]) as session:
        result = run(session, cells, cell_timeout=cell_timeout,
                     notebook_timeout=notebook_timeout, max_bytes=max_bytes)
    for i, c in enumerate(cells):
        c["outputs"] = result.outputs.get(i, ([], None))[0]
    return cells, result.flags, time.monotonic() - start


def text_of(cell):
    return "".join(o.get("text", "") + o.get("evalue", "") for o in cell["outputs"])


def test_the_notebook_run_captures_what_a_kernel_shows():
    cells, flags, _ = run_notebook([
        "print('hello')\n1 + 1",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3]);",
        "from IPython.display import HTML, display\ndisplay(HTML('<b>bold</b>'))",
        "1 / 0",
        "import ipywidgets\nipywidgets.IntSlider(3)"])
    assert flags == []
    kinds = [[o["output_type"] for o in c["outputs"]] for c in cells]
    assert kinds[0] == ["stream", "execute_result"] and cells[0]["outputs"][1]["data"] == \
        {"text/plain": "2"}
    assert "image/png" in cells[1]["outputs"][-1]["data"]
    assert cells[2]["outputs"][0]["data"]["text/html"] == "<b>bold</b>"
    assert cells[3]["outputs"][0]["ename"] == "ZeroDivisionError"
    assert "interactive widget" in cells[4]["outputs"][0]["data"]["text/plain"]


def test_a_cell_that_ignores_interrupts_stops_the_run_at_its_time_limit():
    cells, flags, took = run_notebook([
        "x = 1",
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
        "print('after')"], cell_timeout=5)
    assert kinds(flags) == {Kind.TIME_LIMIT}
    assert "stopped here" in text_of(cells[1])
    assert "not run" in text_of(cells[2]) and "after" not in text_of(cells[2])
    assert took < 90, took


def test_a_dead_process_stops_the_run_and_is_flagged():
    cells, flags, _ = run_notebook(["import os\nos.kill(os.getpid(), 9)", "print('after')"])
    assert kinds(flags) == {Kind.KERNEL_DIED}
    assert "not run" in text_of(cells[1])


def test_output_is_capped_in_bytes():
    cells, flags, _ = run_notebook(["print('x' * 10_000_000)",
                                    "for i in range(10**5): print(i)", "print('small')"],
                                   max_bytes=100_000)
    assert kinds(flags) == {Kind.OUTPUT_CAPPED}
    for c in cells[:2]:
        assert len(json.dumps(c["outputs"])) < 200_000
        assert "output capped" in text_of(c)
    assert text_of(cells[2]) == "small\n"


@needs_sandbox
def test_the_student_process_sees_no_course_files_no_network_and_no_secrets(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "hunter2")
    cells, flags, _ = run_notebook([
        "import os, socket, glob\n"
        f"print(os.path.exists({str(ROOT / 'instructor')!r}), "
        f"os.path.exists({str(ROOT / 'course')!r}))\n"
        "print('hunter2' in open('/proc/self/environ').read() + open('/proc/1/environ').read())\n"
        "try:\n    socket.create_connection(('1.1.1.1', 80), timeout=2); print('net')\n"
        "except OSError:\n    print('no net')"])
    assert text_of(cells[0]).splitlines() == ["False True", "False", "no net"]
    assert flags == []
