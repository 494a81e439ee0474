"""The trusted re-grade: the verdict on every exercise, made outside the student's process.

The student's code runs in a sandboxed child process (instructor/regrade_child.py) that holds
nothing secret: the source's setup cells and the student's solution cells, then calls of their
functions on the hidden *inputs*. Only numbers come back, and they are judged here, against the
reference, by instructor.grading. An exercise that calls another one gets the instructor's
version of it through the parent (an oracle), never as code in the child.

One child serves a whole submission. When the student's code kills it or hangs, that costs the
exercise in progress (or the cell that did it) and nothing else: a new child starts, without that
cell, for the exercises still to grade.
"""
from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from instructor import grading
from instructor import regrade_child as wire
from instructor.flags import Flag, Kind
from instructor.sandbox import detect, environment, limit_resources

CHILD = Path(wire.__file__).resolve()
CELLS_TIME_LIMIT = 30.0   # seconds for the setup and solution cells to run
MAX_RESTARTS = 12


@dataclass
class ExerciseVerdict:
    name: str
    passed: bool
    message: str | None = None        # what failed, for the student (no expected value in it)
    public: str | None = None         # what the public check said, when it failed
    seconds: float = 0.0


@dataclass
class Regrade:
    verdicts: dict = field(default_factory=dict)    # exercise -> ExerciseVerdict
    flags: list = field(default_factory=list)       # Flag
    seconds: float = 0.0


class ChildGone(Exception):
    """The child ended or broke the protocol."""


class OutOfTime(Exception):
    pass


class Child:
    """One sandboxed child process and its two pipes."""

    def __init__(self):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        box = detect()
        argv = [sys.executable, "-I", str(CHILD), str(to_child_r), str(from_child_w)]
        cmd = box.command(argv, readable=[CHILD], env=environment(threads=1))
        self.process = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, pass_fds=(to_child_r, from_child_w),
            preexec_fn=limit_resources)
        os.close(to_child_r)
        os.close(from_child_w)
        self.deadline = None

    def send(self, header, arrays=(), seconds=CELLS_TIME_LIMIT):
        """Send a message; a child that does not read it within `seconds` is out of time."""
        deadline = time.monotonic() + seconds

        def write(fd, data):
            view = memoryview(data)
            while view:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([], [fd], [], left)[1]:
                    raise OutOfTime()
                view = view[os.write(fd, view[:1 << 16]):]

        try:
            wire.send(self.to_child, header, arrays, write=write)
        except OSError as err:
            raise ChildGone(str(err)) from None

    def _read(self, fd, n):
        data = b""
        while len(data) < n:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise OutOfTime()
            chunk = os.read(fd, n - len(data))
            if not chunk:
                raise ChildGone("the process ended")
            data += chunk
        return data

    def recv(self, deadline):
        self.deadline = deadline
        try:
            return wire.recv(self.from_child, read=self._read)
        except (wire.ProtocolError, ValueError, OSError, EOFError) as err:
            raise ChildGone(f"an unreadable message ({err})") from None

    def close(self):
        for fd in (self.to_child, self.from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def _answer_oracles(child, uses, deadline, wanted):
    """Receive until a message with op in `wanted`, answering the child's oracle requests for
    the exercises in `uses` (and refusing any other) on the way."""
    registry = grading.registry()
    while True:
        header, arrays = child.recv(deadline)
        op = header.get("op")
        if op in wanted:
            return header, arrays
        if op != "oracle":
            raise ChildGone(f"an unexpected message {op!r}")
        name = header.get("name")
        if name not in uses:
            child.send({"op": "oracle_error", "message": f"{name} is not provided here"})
            continue
        try:
            args = wire.decode(header.get("args"), arrays)
            value = registry[name].reference(*args)
            out = []
            child.send({"op": "oracle_value", "value": wire.encode(value, out)}, out)
        except (wire.ProtocolError, wire.NotNumeric, TypeError, ValueError, IndexError,
                KeyError) as err:
            child.send({"op": "oracle_error", "message": f"{type(err).__name__}: {err}"})


def _result(header, arrays):
    """(got, watched) from a result message; errors become exception objects."""
    if header.get("op") == "error":
        if header.get("type") == "NotImplementedError":
            return NotImplementedError(), {}
        kind = "".join(ch for ch in str(header.get("type", "Error")) if ch.isalnum())[:60]
        return type(kind or "Error", (Exception,), {})(str(header.get("message", ""))[:1000]), {}
    got = wire.decode(header.get("value"), arrays)
    watched = {int(i): wire.decode(v, arrays) for i, v in (header.get("watched") or {}).items()}
    return got, watched


def _grade_exercise(child, graded):
    """Public check and hidden cases of one exercise in the child; returns its verdict."""
    start = time.monotonic()
    deadline = start + graded.time_limit
    uses = list(graded.uses)
    child.send({"op": "check", "name": graded.name, "uses": uses})
    header, _ = _answer_oracles(child, uses, deadline, {"checked"})
    public = header.get("message")
    results = []
    for case in graded.make_cases():
        out = []
        args = wire.encode(list(case.args), out) if not graded.value else {"t": "none"}
        child.send({"op": "call", "name": graded.name, "args": args, "uses": uses,
                    "call": case.call.__name__ if case.call else None,
                    "watch": list(case.must_not_modify), "value": graded.value}, out)
        header, arrays = _answer_oracles(child, uses, deadline, {"result", "error"})
        got, watched = _result(header, arrays)
        if not isinstance(got, Exception):
            got = grading.normalise(got)
        after = [watched.get(i, a) for i, a in enumerate(case.args)]
        results.append((got, grading.modified_args(case, after)))
        if isinstance(got, NotImplementedError):
            break
    results += [None] * (len(graded.make_cases()) - len(results))
    message = grading.verdict(graded, results)
    if message is None and public:
        message = f"{graded.name}: the public check fails: {public}"
    return ExerciseVerdict(graded.name, message is None, message, public,
                           time.monotonic() - start)


def regrade(cells, exercises):
    """Verdicts on `exercises` (names) for the program `cells`: (grade_id, source) pairs of the
    setup and solution cells (instructor.notebooks.program)."""
    registry = grading.registry()
    report = Regrade()
    start = time.monotonic()
    pending = [registry[name] for name in exercises]
    skip, restarts = set(), 0
    while pending and restarts <= MAX_RESTARTS:
        restarts += 1
        child, current = Child(), None
        try:
            child.send({"op": "run", "cells": [src for _, src in cells], "skip": sorted(skip)})
            deadline = time.monotonic() + CELLS_TIME_LIMIT
            while True:
                header, _ = child.recv(deadline)
                if header.get("op") == "ran":
                    break
                current = header.get("i")
            current = None
            while pending:
                graded = pending[0]
                verdict = _grade_exercise(child, graded)
                report.verdicts[graded.name] = verdict
                pending.pop(0)
        except (ChildGone, OutOfTime) as err:
            timed_out = isinstance(err, OutOfTime)
            if current is not None:  # a cell of theirs: run without it from now on
                skip.add(current)
                what = "ran past the time limit" if timed_out else "ended the grading process"
                report.flags.append(Flag(Kind.REGRADE_TIME if timed_out else Kind.REGRADE_ENDED,
                                         f"this cell {what}; graded without it",
                                         cells[current][0]))
            elif pending:
                graded = pending.pop(0)
                what = (f"ran past its time limit ({graded.time_limit:g} s): an infinite loop?"
                        if timed_out else f"ended the grading process ({err})")
                report.verdicts[graded.name] = ExerciseVerdict(
                    graded.name, False, f"{graded.name}: your code {what}")
                report.flags.append(Flag(Kind.REGRADE_TIME if timed_out else Kind.REGRADE_ENDED,
                                         f"{graded.name} {what}", graded.name))
        finally:
            try:
                if child.process.poll() is None:
                    child.send({"op": "bye"}, seconds=1)
            except (ChildGone, OutOfTime):
                pass
            child.close()
    for graded in pending:  # only if the restarts ran out
        report.verdicts[graded.name] = ExerciseVerdict(
            graded.name, False, f"{graded.name}: could not be graded (the code kept ending the "
                                f"grading process)")
    report.seconds = time.monotonic() - start
    return report
