"""Runs inside the sandbox: a student's code, then their functions on the hidden inputs.

    python sandbox_runner.py WORKDIR

Reads WORKDIR/job.pkl, written by the trusted parent (instructor/verify.py):
    {"cells": [source, ...], "calls": [{"exercise": name, "args": [...], "watch": [i, ...]}]}
Executes the cells in one namespace, as a notebook would (a failing cell does not stop the
others), then calls each exercise's function on a fresh copy of its arguments. Each result is
written as WORKDIR/out/<k>.json (+ <k>.npz): numbers only, never pickles, so that nothing the
student's code returns can run code in the parent. This file imports nothing of the course's
instructor package: it is copied into the sandbox alone.
"""
import copy
import io
import json
import os
import pickle
import sys
import traceback
from contextlib import redirect_stderr, redirect_stdout

import numpy as np

MAX_ELEMENTS = 5_000_000  # a result larger than this is refused (the largest is ~70k numbers)


class NotNumeric(Exception):
    pass


def encode(value, arrays):
    """value -> JSON structure, with every array appended to `arrays` (float64 copies)."""
    if isinstance(value, dict):
        return {"t": "dict", "items": {str(k): encode(v, arrays) for k, v in value.items()}}
    if isinstance(value, (tuple, list)):
        return {"t": "tuple", "items": [encode(v, arrays) for v in value]}
    try:
        arr = np.array(value, dtype=np.float64, copy=True)
    except Exception as err:  # noqa: BLE001
        raise NotNumeric(f"returned {type(value).__name__}, not numbers ({err})") from None
    if arr.size > MAX_ELEMENTS:
        raise NotNumeric(f"returned {arr.size} numbers, far more than expected")
    arrays.append(arr)
    return {"t": "array", "key": f"a{len(arrays) - 1}"}


def write_result(out_dir, k, payload, arrays=()):
    if arrays:
        np.savez(os.path.join(out_dir, f"{k}.npz"), **{f"a{i}": a for i, a in enumerate(arrays)})
    tmp = os.path.join(out_dir, f".{k}.json")
    with open(tmp, "w") as f:
        json.dump(payload, f)
    os.replace(tmp, os.path.join(out_dir, f"{k}.json"))


def short_error(err):
    frames = traceback.extract_tb(err.__traceback__)
    where = f" (line {frames[-1].lineno}: {frames[-1].line})" if frames and frames[-1].line else ""
    return f"{err}"[:500] + where[:200]


def run_cells(cells, sink):
    """Run the cells as a notebook kernel would (IPython: magics and get_ipython() work).

    Returns (namespace, errors). A failing cell does not stop the others."""
    os.environ.setdefault("IPYTHONDIR", os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                                     "ipython"))
    os.environ.setdefault("MPLBACKEND", "Agg")
    errors = []
    try:
        from IPython.core.interactiveshell import InteractiveShell

        with redirect_stdout(sink), redirect_stderr(sink):
            shell = InteractiveShell.instance()
    except Exception:  # noqa: BLE001 - no IPython: plain Python is the next best thing
        shell = None
    namespace = shell.user_ns if shell is not None else {"__name__": "__main__"}
    for i, source in enumerate(cells):
        try:
            with redirect_stdout(sink), redirect_stderr(sink):
                if shell is None:
                    exec(compile(source, f"<cell {i}>", "exec"), namespace)  # noqa: S102
                    continue
                result = shell.run_cell(source, store_history=False, silent=True)
            err = result.error_before_exec or result.error_in_exec
            if err is not None:
                errors.append(f"{type(err).__name__}: {short_error(err)}")
        except BaseException as err:  # noqa: BLE001 - SystemExit, KeyboardInterrupt too
            errors.append(f"{type(err).__name__}: {short_error(err)}")
        finally:
            sink.seek(0)
            sink.truncate()
    return namespace, errors


def main(workdir):
    out_dir = os.path.join(workdir, "out")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(workdir, "job.pkl"), "rb") as f:
        job = pickle.load(f)
    os.remove(os.path.join(workdir, "job.pkl"))  # the student's code need not see the inputs

    sink = io.StringIO()
    namespace, cell_errors = run_cells(job["cells"], sink)
    write_result(out_dir, "cells", {"errors": cell_errors})

    for k, call in enumerate(job["calls"]):
        fn = namespace.get(call["exercise"])
        if not callable(fn):
            write_result(out_dir, k, {"error": "NameError",
                                      "message": f"no function named {call['exercise']}"})
            continue
        args = copy.deepcopy(call["args"])
        try:
            with redirect_stdout(sink), redirect_stderr(sink), np.errstate(all="ignore"):
                result = call["call"](fn, args) if call.get("call") else fn(*args)
            arrays = []
            payload = {"result": encode(result, arrays),
                       "watched": {str(i): encode(args[i], arrays) for i in call["watch"]}}
            write_result(out_dir, k, payload, arrays)
        except NotNumeric as err:
            write_result(out_dir, k, {"error": "TypeError", "message": str(err)})
        except NotImplementedError:
            write_result(out_dir, k, {"error": "NotImplementedError", "message": ""})
        except BaseException as err:  # noqa: BLE001
            write_result(out_dir, k, {"error": type(err).__name__, "message": short_error(err)})
        sink.seek(0)
        sink.truncate()
    write_result(out_dir, "done", {})


if __name__ == "__main__":
    main(sys.argv[1])
