"""One submission's sandboxed process (instructor/runner.py), seen from the trusted side.

A session starts the runner in the sandbox with the assignment's setup cells (the imports). It
offers two channels: `verdicts` (the runner's A side, for the trusted re-grade) and `notebook`
(its B side, for the run that makes the feedback notebook). Every receive has a deadline, and a
runner that misses one, breaks the protocol or dies is killed with its whole sandbox.
"""
from __future__ import annotations

import fcntl
import os
import select
import subprocess
import sys
import time
from pathlib import Path

from instructor import runner as wire
from instructor.sandbox import detect, environment

RUNNER = Path(wire.__file__).resolve()
INSIDE = "/opt/grader/runner.py"  # where the sandbox shows it (no path of the course's)
# Where it shows the student's own assignment folders: a path of its own, since a folder mounted
# at a parent of the repository (e.g. /work, with the repository at /work/main) would hide the
# course library mounted below it, and the runner could not even start.
WORK = "/student-work"
PIPE_SIZE = getattr(fcntl, "F_SETPIPE_SZ", 1031)  # bytes a pipe holds before its writer waits
START_LIMIT = 60.0   # seconds to start Python and run the setup cells (generous: a busy machine)


class ChildGone(Exception):
    """The runner ended, or sent something that is not the protocol."""


class OutOfTime(Exception):
    pass


class Channel:
    """A pair of pipes to one side of the runner (and, on the verdict side, the shared memory
    for its large frames: runner.Shared), with deadlines."""

    def __init__(self, to_runner, from_runner, shared=None):
        self.to_runner, self.from_runner, self.shared = to_runner, from_runner, shared
        self.received, self.used = bytearray(), 0  # read ahead: one read for many small parts

    def send(self, header, arrays=(), seconds=START_LIMIT):
        """Send a message; a runner that does not take it within `seconds` is out of time."""
        deadline = time.monotonic() + seconds

        def write(fd, data):
            view = memoryview(data)
            while view:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([], [fd], [], left)[1]:
                    raise OutOfTime()
                view = view[os.write(fd, view[:1 << 16]):]

        try:
            wire.send(self.to_runner, header, arrays, write=write, shared=self.shared)
        except OSError as err:
            raise ChildGone(str(err)) from None

    def recv(self, deadline):
        """The next message, by time.monotonic() deadline."""
        def read(fd, n):
            while len(self.received) - self.used < n:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([fd], [], [], left)[0]:
                    raise OutOfTime()
                chunk = os.read(fd, max(n - len(self.received) + self.used, 1 << 20))
                if not chunk:
                    raise ChildGone("the process ended")
                del self.received[:self.used]
                self.received += chunk
                self.used = 0
            data = self.received[self.used:self.used + n]
            self.used += n
            return data

        try:
            return wire.recv(self.from_runner, read=read, shared=self.shared)
        except (wire.ProtocolError, ValueError, OSError, EOFError) as err:
            raise ChildGone(f"an unreadable message ({err})") from None

    def close(self):
        for fd in (self.to_runner, self.from_runner):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.shared is not None:
            self.shared.close()


class Session:
    """The runner of one submission. with_notebook: also its notebook side (B). work: the
    student's own folder of assignments, shown read-only at WORK (course.mine reads their
    earlier notebooks there). language: what the student's messages are in ("en", "zh")."""

    def __init__(self, setup_cells, with_notebook=True, work=None, language="en"):
        shared_fd, shared = wire.Shared.create()
        pipes = [os.pipe() for _ in range(4 if with_notebook else 2)]
        for pair in pipes:  # larger pipes: fewer round trips for a big argument (Linux only)
            for fd in pair:
                try:
                    fcntl.fcntl(fd, PIPE_SIZE, 1 << 20)
                except OSError:
                    pass
        # runner reads pipes[0], writes pipes[1]; B: reads pipes[2], writes pipes[3]
        theirs = [pipes[0][0], pipes[1][1]] + ([pipes[2][0], pipes[3][1]] if with_notebook
                                               else [])
        passed = theirs + ([shared_fd] if shared else [])
        box = detect()
        argv = [sys.executable, "-I", INSIDE if box.available else str(RUNNER),
                *([f"--shared={shared_fd}"] if shared else []), *map(str, theirs)]
        readable = [(RUNNER, INSIDE)]
        env = environment(threads=1, BACKPROP_LANG=language)
        if work is not None:
            readable.append((work, WORK))
            env["BACKPROP_WORK"] = WORK if box.available else str(work)
        cmd = box.command(argv, readable=readable, env=env)
        self.process = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, pass_fds=passed, start_new_session=True)
        for fd in passed:
            os.close(fd)
        self.verdicts = Channel(pipes[0][1], pipes[1][0], shared)
        self.notebook = Channel(pipes[2][1], pipes[3][0]) if with_notebook else None
        try:
            self.verdicts.send({"op": "setup", "cells": list(setup_cells)})
            header, _ = self.verdicts.recv(time.monotonic() + START_LIMIT)
            if header.get("op") != "ready":
                raise ChildGone(f"an unexpected message {header.get('op')!r}")
        except BaseException:
            self.close()
            raise

    def abort_verdicts(self):
        """Kill the verdict side (stuck or broken); the notebook side stays."""
        try:
            self.notebook.send({"op": "abort"}, seconds=5)
        except (ChildGone, OutOfTime):
            self.close()

    def close(self):
        for channel in (self.verdicts, self.notebook):
            if channel is not None:
                channel.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
