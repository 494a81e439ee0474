"""A classroom for a test module: started, used through its REST APIs, stopped with nothing left.

The classroom is the real one (instructor/classroom.py: JupyterHub, its proxy, the students' and
the instructor's JupyterLab, nbgrader's exchange), in a temporary folder, on free ports of
127.0.0.1. Its log (the hub's and every server's) is copied to artifacts/logs/ when the module
ends, and its path printed, pass or fail.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

from instructor.classroom import Classroom, is_running, stop
from instructor.course_dir import REPOSITORY

ARTIFACTS = REPOSITORY / "artifacts"
SERVER_START = 300  # seconds a single-user server may take to start on a busy machine


def processes_of(classroom):
    """Every live process that belongs to the classroom: the hub, the proxy, the servers and
    their kernels (found by the classroom's folder in their environment or working folder)."""
    import psutil

    root = str(classroom.root)
    found = []
    for proc in psutil.process_iter():
        try:
            env = proc.environ()
            cwd = proc.cwd()
        except psutil.Error:
            continue
        if env.get("BACKPROP_CLASSROOM") == root or \
                env.get("BACKPROP_EXCHANGE", "").startswith(root) or cwd.startswith(root):
            found.append(proc)
    return found


def classroom_command(*args, timeout=600):
    """`python -m instructor classroom ARGS`, as a person types it; the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "instructor", "classroom", *args],
                          cwd=REPOSITORY, capture_output=True, text=True, timeout=timeout)


@contextmanager
def classroom_running(root, students, reporter=None, name="classroom"):
    """A classroom in `root` with these student accounts, started with the documented command
    on a free port; stopped with the documented command at the end, failing if any of its
    processes outlived it. Yields (classroom, what `start` printed)."""
    started = classroom_command("start", "--dir", str(root), "--port", "0",
                                "--students", ",".join(students))
    classroom = Classroom(root)
    try:
        assert started.returncode == 0, f"classroom start failed:\n{started.stdout}" \
                                        f"{started.stderr}\nlog: {classroom.log}"
        yield classroom, started.stdout
    finally:
        stopped = classroom_command("stop", "--dir", str(root))
        if is_running(classroom):  # the command failed: do not leave the hub behind
            stop(classroom)
        leftovers = processes_of(classroom)
        for proc in leftovers:
            proc.kill()
        logs = ARTIFACTS / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        kept = logs / f"{name}-hub.log"
        if classroom.log.is_file():
            shutil.copy(classroom.log, kept)
        if reporter is not None:
            reporter.write_line(f"classroom log (hub and servers): {kept}")
        assert stopped.returncode == 0 and "Stopped" in stopped.stdout, stopped.stdout + \
            stopped.stderr
        assert not leftovers, f"processes outlived the classroom: {leftovers}"


def reporter_of(request):
    return request.config.pluginmanager.get_plugin("terminalreporter")


# ----------------------------------------------------------------------------- as a person
def start_servers(classroom, *users, timeout=SERVER_START, wait=True):
    """Start these users' JupyterLab through the hub, all at once; wait until all are ready."""
    for user in users:
        try:
            classroom.api("POST", f"users/{user}/server")
        except urllib.error.HTTPError as err:
            if err.code != 400:  # 400: already running
                raise
    deadline = time.monotonic() + timeout
    waiting = set(users) if wait else set()
    while waiting and time.monotonic() < deadline:
        waiting = {u for u in waiting if not classroom.api("GET", f"users/{u}").get(
            "servers", {}).get("", {}).get("ready")}
        time.sleep(1)
    assert not waiting, f"servers not started in {timeout} s: {waiting}; log: {classroom.log}"


class Person:
    """A user of the classroom with their own hub token, talking to their own server."""

    def __init__(self, classroom, name):
        self.classroom, self.name = classroom, name
        self.token = classroom.api("POST", f"users/{name}/tokens",
                                   {"note": "tests", "expires_in": 3600})["token"]

    def call(self, method, path, form=None, body=None, timeout=300):
        """`method` on /user/<name>/<path> with this person's token; the decoded answer."""
        data = None
        headers = {"Authorization": f"token {self.token}"}
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(f"{self.classroom.url}/user/{self.name}/"
                                         f"{path.lstrip('/')}", data=data, method=method,
                                         headers=headers)
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            text = answer.read().decode()
        try:
            return json.loads(text)
        except ValueError:
            return text
