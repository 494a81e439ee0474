"""The trusted re-grade: the verdict on every exercise, made outside the student's process.

The student's solution cells run in the runner's verdict side (instructor/runner.py), which holds
nothing secret; their functions are called there on the hidden *inputs*; only numbers come back,
and they are judged here, against the reference, by instructor.grading. An exercise that calls
another one gets the instructor's version of it through this side (an oracle), never as code.

When the student's code kills the runner or hangs, that costs the exercise in progress (or the
cell that did it) and nothing else: a new runner starts, without that cell, for the exercises
still to grade. The whole re-grade has a budget: the cells once, then each exercise's own limit.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from instructor import grading
from instructor import runner as wire
from instructor.flags import Flag, Kind
from instructor.session import ChildGone, OutOfTime, Session

CELLS_TIME_LIMIT = 30.0   # seconds for the student's solution cells to run
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


def _answer_oracles(channel, uses, deadline, wanted):
    """Receive until a message with op in `wanted`, answering the runner's oracle requests for
    the exercises in `uses` (and refusing any other) on the way."""
    registry = grading.registry()
    while True:
        header, arrays = channel.recv(deadline)
        op = header.get("op")
        if op in wanted:
            return header, arrays
        if op != "oracle":
            raise ChildGone(f"an unexpected message {op!r}")
        name = header.get("name")
        if name not in uses:
            channel.send({"op": "oracle_error", "message": f"{name} is not provided here"})
            continue
        try:
            args = wire.decode(header.get("args"), arrays)
            graded = registry[name]
            value = graded.reference(*args)
            # What a function does in place comes back too (sgd_step updates params), and a
            # function that returns one of its arguments returns the caller's own object.
            returns_arg = next((i for i, a in enumerate(args) if value is a), None)
            out = []
            changed = {str(i): wire.encode(args[i], out) for i in graded.changes_args
                       if i < len(args)}
            channel.send({"op": "oracle_value", "returns_arg": returns_arg, "changed": changed,
                          "value": None if returns_arg is not None else wire.encode(value, out)},
                         out)
        except (wire.ProtocolError, wire.NotNumeric, TypeError, ValueError, IndexError,
                KeyError) as err:
            channel.send({"op": "oracle_error", "message": f"{type(err).__name__}: {err}"})


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


def _grade_exercise(channel, graded, until):
    """Public check and hidden cases of one exercise in the runner; returns its verdict."""
    start = time.monotonic()
    deadline = min(start + graded.time_limit, until)
    uses = list(graded.uses)
    channel.send({"op": "check", "name": graded.name, "uses": uses})
    header, _ = _answer_oracles(channel, uses, deadline, {"checked"})
    public = header.get("message")
    results = []
    for case in graded.make_cases():
        out = []
        args = wire.encode(list(case.args), out)
        channel.send({"op": "call", "name": graded.name, "args": args, "uses": uses,
                      "call": case.call.__name__ if case.call else None,
                      "watch": list(case.must_not_modify)}, out)
        header, arrays = _answer_oracles(channel, uses, deadline, {"result", "error"})
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
        message = grading.public_failed(graded, public)
    return ExerciseVerdict(graded.name, message is None, message, public,
                           time.monotonic() - start)


def budget(exercises):
    """Seconds the re-grade of a submission may take in all: its cells once, then each
    exercise's own limit. Restarts after a crash do not extend it."""
    registry = grading.registry()
    return CELLS_TIME_LIMIT + sum(registry[name].time_limit for name in exercises)


def regrade(setup, solutions, exercises, session=None, work=None, language="en"):
    """Verdicts on `exercises` (names) for the student's `solutions` ((grade_id, source) pairs,
    course.notebooks.solution_cells), after the assignment's `setup` cells.

    session: a Session already started (its verdict side is used first); restarts start their
    own (work: the student's folder of assignments, see Session). Returns a Regrade."""
    registry = grading.registry()
    report = Regrade()
    start = time.monotonic()
    until = start + budget(exercises)
    pending = [registry[name] for name in exercises]
    skip, restarts = set(), 0
    while pending and restarts <= MAX_RESTARTS and time.monotonic() < until:
        restarts += 1
        current = None
        try:
            own = session is None or restarts > 1
            active = Session(setup, with_notebook=False, work=work, language=language) \
                if own else session
            channel = active.verdicts
            try:
                channel.send({"op": "run", "cells": [src for _, src in solutions],
                              "skip": sorted(skip)})
                deadline = min(time.monotonic() + CELLS_TIME_LIMIT, until)
                while True:
                    header, _ = channel.recv(deadline)
                    if header.get("op") == "ran":
                        break
                    current = header.get("i")
                current = None
                while pending:
                    report.verdicts[pending[0].name] = _grade_exercise(channel, pending[0], until)
                    pending.pop(0)
                channel.send({"op": "bye"}, seconds=5)
            except (ChildGone, OutOfTime):
                if not own:
                    active.abort_verdicts()
                raise
            finally:
                if own:
                    active.close()
        except (ChildGone, OutOfTime) as err:
            timed_out = isinstance(err, OutOfTime)
            kind = Kind.REGRADE_TIME if timed_out else Kind.REGRADE_ENDED
            if current is not None:  # a cell of theirs: run without it from now on
                skip.add(current)
                what = "ran past the time limit" if timed_out else "ended the grading process"
                report.flags.append(Flag(kind, f"this cell {what}; graded without it",
                                         solutions[current][0]))
            elif pending:
                graded = pending.pop(0)
                what = (f"ran past its time limit ({graded.time_limit:g} s): an infinite loop?"
                        if timed_out else f"ended the grading process ({err})")
                report.verdicts[graded.name] = ExerciseVerdict(
                    graded.name, False, f"{graded.name}: your code {what}")
                report.flags.append(Flag(kind, f"{graded.name} {what}", graded.name))
    for graded in pending:  # only if the budget or the restarts ran out
        report.verdicts[graded.name] = ExerciseVerdict(
            graded.name, False, f"{graded.name}: not graded: the submission's code kept ending "
                                f"the grading process or ran past its time budget "
                                f"({budget(exercises):g} s)")
    if pending:
        report.flags.append(Flag(Kind.REGRADE_TIME, f"not graded, out of time or restarts: "
                                                    f"{', '.join(g.name for g in pending)}"))
    report.seconds = time.monotonic() - start
    return report
