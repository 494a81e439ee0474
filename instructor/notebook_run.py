"""The run of a submitted notebook that makes its feedback copy, with limits that always hold.

Every code cell runs in order on the runner's notebook side (instructor/runner.py), as a kernel
would run it; its outputs come back after each cell. A cell past its time limit, or a notebook
past its budget, stops the run: the runner is killed (whatever signals the student's code
ignores) and the remaining cells are marked as not run. So is a runner that dies. Output is
capped in bytes per cell. The run decides no score (the trusted re-grade does); it makes what
the student reads.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from course.i18n import _
from instructor.flags import Flag, Kind
from course.notebooks import grade_id
from instructor.session import ChildGone, OutOfTime


@dataclass
class NotebookRun:
    outputs: dict = field(default_factory=dict)   # cell index -> (outputs, execution_count)
    stopped: str | None = None                    # why the later cells did not run
    flags: list = field(default_factory=list)
    seconds: float = 0.0


def note(text):
    return {"output_type": "stream", "name": "stdout", "text": f"[{text}]\n"}


def run_notebook(session, cells, *, cell_timeout, notebook_timeout, max_bytes):
    """Run the notebook's `cells` (dicts) on session's notebook side. Returns a NotebookRun."""
    run = NotebookRun()
    start = time.monotonic()
    code = [(i, cell) for i, cell in enumerate(cells)
            if cell.get("cell_type") == "code" and "".join(cell.get("source", "")).strip()]
    try:
        session.notebook.send({"op": "notebook", "max_bytes": max_bytes,
                               "cells": ["".join(c.get("source", "")) for i, c in code]})
    except (ChildGone, OutOfTime):
        run.stopped = _("not run: the grader could not run this notebook")
        run.flags.append(Flag(Kind.KERNEL_DIED, "the student's process ended before the "
                                                "notebook could run (killed by its own code?)"))
        code = []
    for k, (i, cell) in enumerate(code):
        gid = grade_id(cell)
        budget_left = start + notebook_timeout - time.monotonic()
        try:
            header, _arrays = session.notebook.recv(time.monotonic() + min(cell_timeout, budget_left))
        except OutOfTime:
            out_of_budget = budget_left <= cell_timeout
            why = (_("the notebook ran past its time budget ({seconds:g} s)") if out_of_budget
                   else _("a cell ran past its time limit ({seconds:g} s)")).format(
                seconds=notebook_timeout if out_of_budget else cell_timeout)
            run.outputs[i] = ([note(_("stopped here: {why}").format(why=why))], None)
            run.stopped = _("not run: {why}").format(why=why)
            run.flags.append(Flag(Kind.TIME_LIMIT, "the notebook ran past its time budget"
                                  if out_of_budget else "a cell ran past its time limit: stopped "
                                  "at this cell, the rest of the notebook not run", gid))
            break
        except ChildGone:
            run.outputs[i] = ([note(_("the process died while running this cell: killed, "
                                      "crashed or out of memory"))], None)
            run.stopped = _("not run: the process died in an earlier cell")
            run.flags.append(Flag(Kind.KERNEL_DIED, "the process died while running this cell",
                                  gid))
            break
        if header.get("op") != "cell_done" or header.get("i") != k:
            run.stopped = _("not run: the grader lost track of the notebook's run")
            run.flags.append(Flag(Kind.ERROR, "the run sent something unexpected", gid))
            break
        outputs = [o for o in header.get("outputs", []) if isinstance(o, dict)]
        run.outputs[i] = (outputs, header.get("count"))
        if header.get("capped"):
            run.flags.append(Flag(Kind.OUTPUT_CAPPED, f"more than {max_bytes} bytes of output "
                                                      f"(dropped)", gid))
        if any(o.get("output_type") == "error" and "MemoryError" in
               f"{o.get('ename')} {o.get('evalue')}" for o in outputs):
            run.flags.append(Flag(Kind.OUT_OF_MEMORY, "ran out of memory (capped; the grader "
                                                      "went on)", gid))
    if run.stopped:
        session.close()
        for i, _cell in code:
            run.outputs.setdefault(i, ([note(run.stopped)], None))
    run.seconds = time.monotonic() - start
    return run
