"""Grading on a Dask cluster: a real scheduler and two real workers, as separate processes on
127.0.0.1, grade the whole simulated class (instructor/demo.py: the correct students in both
editions, the mistakes, the attacks, the kernel killer and the endless loop); one worker is
killed in the middle of the run.

The scores, the CSVs and the flags must be those of the local run (the demo_class fixture), no
submission may be lost, and none graded twice.
"""
import csv
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest

from instructor.course_dir import REPOSITORY
from instructor.demo import CLASS, build_class
from instructor.pipeline import grade_class

PYTHON = sys.executable


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, what, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise TimeoutError(f"waited {seconds} s for {what}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two single-threaded workers (no nanny: killing one kills it for good).
    Yields (address, workers, start_worker(name), logs)."""
    logs = tmp_path_factory.mktemp("dask-logs")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=str(REPOSITORY))
    processes = []

    def start(name, module, *args):
        log = open(logs / f"{name}.log", "w")
        processes.append(subprocess.Popen([PYTHON, "-m", module, *args], cwd=REPOSITORY,
                                          env=env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))
        return processes[-1]

    try:
        start("scheduler", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
              str(port), "--no-dashboard")
        wait_for(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, "the scheduler")

        def start_worker(name):
            return start(name, "distributed.cli.dask_worker", address, "--host", "127.0.0.1",
                         "--nthreads", "1", "--no-nanny", "--no-dashboard", "--name", name)

        workers = [start_worker(f"worker-{i}") for i in range(2)]
        from distributed import Client

        with Client(address, timeout=60) as client:
            wait_for(lambda: len(client.scheduler_info()["workers"]) == 2, "two workers")
        yield address, workers, start_worker, logs
    finally:  # workers first, then the scheduler (a worker outliving it waits to reconnect)
        for p in processes[1:] + processes[:1]:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()


@pytest.fixture(scope="module")
def on_dask(cluster, tmp_path_factory):
    """The demo class graded through the cluster. The first worker is killed after the third
    submission is done, with its task in the middle of a run; a new worker joins in its place
    (as Kubernetes would start one)."""
    address, workers, start_worker, logs = cluster
    root = build_class(tmp_path_factory.mktemp("dask") / "class")
    lines, done = [], threading.Event()

    def log(line):
        lines.append(line)
        if sum("graded " in ln for ln in lines) == 3 and not done.is_set():
            done.set()
            workers[0].send_signal(signal.SIGKILL)
            workers.append(start_worker("worker-2"))

    report = grade_class(root, scheduler=address, log=log)
    assert done.is_set() and workers[0].poll() is not None, "the worker was not killed"
    return root, report, lines, logs


def table(path):
    """The rows of a CSV, sorted."""
    with open(path) as f:
        return sorted(tuple(row.values()) for row in csv.DictReader(f))


def test_a_class_graded_on_dask_matches_the_local_run(on_dask, demo_class):
    root, report, lines, logs = on_dask
    local_root, local_report, _ = demo_class
    assert table(root / "grades.csv") == table(local_root / "grades.csv")
    assert table(root / "grading-report.csv") == table(local_root / "grading-report.csv")
    mine = {(r.student, r.assignment): (r.score, sorted(f.kind for f in r.flags))
            for r in report.results}
    theirs = {(r.student, r.assignment): (r.score, sorted(f.kind for f in r.flags))
              for r in local_report.results}
    assert mine == theirs
    assert {s for s, _ in mine} == set(CLASS)


def test_a_killed_worker_loses_no_submission_and_grades_none_twice(on_dask):
    root, report, lines, logs = on_dask
    graded = Counter(ln.split("graded ")[1] for ln in lines if ln.startswith("  graded "))
    submitted = {f"{s}/{a}" for s, a in report.regraded}
    assert set(graded) == submitted and set(graded.values()) == {1}, graded
    assert not [ln for ln in lines if "FAILED" in ln]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "backprop") as gb:
        rows = Counter((s.student.id, a.name) for a in gb.assignments for s in a.submissions)
    assert set(rows.values()) == {1}
    print(f"server logs: {logs}")
