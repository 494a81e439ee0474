"""The student's side of the trusted re-grade: runs in the sandbox, knows no answer.

    python regrade_child.py IN_FD OUT_FD

The trusted parent (instructor/regrade.py) drives it over two pipes, one message at a time:

    parent: {"op": "run", "cells": [source, ...], "skip": [i, ...]}
    child:  {"op": "cell", "i": i} before each cell, then {"op": "ran", "errors": [...]}
    parent: {"op": "call", "name": ..., "args": ..., "call": hook or None, "uses": [...],
             "watch": [i, ...], "value": bool}
    child:  {"op": "result", "value": ..., "watched": {...}} or {"op": "error", ...}
    parent: {"op": "check", "name": ..., "uses": [...]}     (the exercise's public check)
    child:  {"op": "checked", "message": None or what failed}
    parent: {"op": "bye"}

While the student's function runs, the exercises it calls (`uses`) are stand-ins that ask the
parent, which answers with the instructor's version ({"op": "oracle", ...}): the answers never
exist in this process. Everything crosses as JSON and .npy arrays, never as pickles, so nothing
the student's code sends can run code in the parent. This file imports only the standard
library, numpy, IPython and the student library `course`: it is the only file of the instructor
package the sandbox shows.
"""
import copy
import io
import json
import os
import struct
import sys
import traceback

import numpy as np

MAX_FRAME = 256 * 2**20       # bytes in one message
MAX_ELEMENTS = 5_000_000      # numbers in one result (the largest expected is ~70k)


class ProtocolError(Exception):
    pass


class NotNumeric(Exception):
    pass


# ------------------------------------------------------------------------------------ frames
def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def send(fd, header, arrays=(), write=write_all):
    """One message: JSON header and .npy arrays, each behind its length."""
    blobs = []
    for arr in arrays:
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        blobs.append(buf.getvalue())
    text = json.dumps(header).encode()
    parts = [struct.pack(">II", len(text), len(blobs)), text]
    for blob in blobs:
        parts += [struct.pack(">Q", len(blob)), blob]
    write(fd, b"".join(parts))


def read_exactly(fd, n):
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv(fd, read=read_exactly):
    """(header, arrays) of the next message; arrays are loaded without pickles."""
    n_text, n_arrays = struct.unpack(">II", read(fd, 8))
    if n_text > MAX_FRAME or n_arrays > 10_000:
        raise ProtocolError("message too large")
    header = json.loads(read(fd, n_text))
    if not isinstance(header, dict):
        raise ProtocolError("a message that is not a JSON object")
    arrays, total = [], n_text
    for _ in range(n_arrays):
        (size,) = struct.unpack(">Q", read(fd, 8))
        total += size
        if total > MAX_FRAME:
            raise ProtocolError("message too large")
        arr = np.load(io.BytesIO(read(fd, size)), allow_pickle=False)
        arrays.append(arr)
    return header, arrays


# ------------------------------------------------------------------------------------ values
def encode(value, arrays, numbers_only=False):
    """value -> JSON structure, arrays appended to `arrays`.

    numbers_only: as a result is judged, every number becomes a float array, lists become
    tuples, and anything that is not numbers is refused (NotNumeric)."""
    if value is None:
        return {"t": "none"}
    if isinstance(value, dict):
        return {"t": "dict", "v": [[str(k), encode(v, arrays, numbers_only)]
                                   for k, v in value.items()]}
    if isinstance(value, (tuple, list)):
        kind = "tuple" if numbers_only or isinstance(value, tuple) else "list"
        return {"t": kind, "v": [encode(v, arrays, numbers_only) for v in value]}
    if not numbers_only:
        if isinstance(value, bool):
            return {"t": "bool", "v": value}
        if isinstance(value, int):
            return {"t": "int", "v": value}
        if isinstance(value, float):
            return {"t": "float", "v": value}
        if isinstance(value, str):
            return {"t": "str", "v": value}
        if callable(value):
            from course import calls

            name = getattr(value, "__name__", "")
            if getattr(calls, name, None) is not value:
                raise NotNumeric(f"a function that is not one of course.calls: {name}")
            return {"t": "fn", "v": name}
        arr = np.array(value, copy=True)
        if arr.dtype == object:
            raise NotNumeric(f"{type(value).__name__} is not an array of numbers")
    else:
        try:
            arr = np.array(value, dtype=np.float64, copy=True)
        except Exception as err:  # noqa: BLE001
            raise NotNumeric(f"returned {type(value).__name__}, not numbers ({err})") from None
    if arr.size > MAX_ELEMENTS:
        raise NotNumeric(f"returned {arr.size} numbers, far more than expected")
    arrays.append(arr)
    return {"t": "arr", "i": len(arrays) - 1}


def decode(tree, arrays, functions=False):
    """The value encoded by `encode` (functions: resolve course.calls names, parent -> child)."""
    kind = tree.get("t") if isinstance(tree, dict) else None
    items = tree.get("v") if isinstance(tree, dict) else None
    if kind == "none":
        return None
    scalar = {"bool": (bool,), "int": (int,), "float": (float, int), "str": (str,)}.get(kind)
    if scalar and isinstance(items, scalar):
        return {"bool": bool, "int": int, "float": float, "str": str}[kind](items)
    if kind == "dict" and isinstance(items, list):
        return {str(k): decode(v, arrays, functions) for k, v in items}
    if kind in ("tuple", "list") and isinstance(items, list):
        seq = [decode(v, arrays, functions) for v in items]
        return tuple(seq) if kind == "tuple" else seq
    if kind == "arr" and isinstance(tree.get("i"), int) and 0 <= tree["i"] < len(arrays):
        return arrays[tree["i"]]
    if kind == "fn" and functions:
        from course import calls

        fn = getattr(calls, str(items), None)
        if callable(fn):
            return fn
    raise ProtocolError(f"cannot decode {str(tree)[:80]}")


# ----------------------------------------------------------------------------- the student's
class Discard(io.TextIOBase):
    """Where the student's prints go: nowhere (the parent reads only the channel)."""

    def writable(self):
        return True

    def write(self, text):
        return len(text)


def short_error(err):
    frames = traceback.extract_tb(err.__traceback__)
    where = f" (line {frames[-1].lineno}: {frames[-1].line})" if frames and frames[-1].line else ""
    return f"{type(err).__name__}: {err}"[:500] + where[:200]


class Child:
    def __init__(self, fd_in, fd_out):
        self.fd_in, self.fd_out = fd_in, fd_out
        self.namespace = {"__name__": "__main__"}
        self.shell = None

    def send(self, header, arrays=()):
        send(self.fd_out, header, arrays)

    def recv(self):
        return recv(self.fd_in)

    def run_cells(self, cells, skip):
        """Run the cells as a notebook kernel would (IPython: magics and get_ipython() work);
        a failing cell does not stop the others."""
        try:
            from IPython.core.interactiveshell import InteractiveShell

            self.shell = InteractiveShell.instance()
            self.namespace = self.shell.user_ns
        except Exception:  # noqa: BLE001 - no IPython: plain Python is the next best thing
            self.shell = None
        errors = []
        for i, source in enumerate(cells):
            if i in skip:
                continue
            self.send({"op": "cell", "i": i})
            try:
                if self.shell is None:
                    exec(compile(source, f"<cell {i}>", "exec"), self.namespace)  # noqa: S102
                    continue
                result = self.shell.run_cell(source, store_history=False, silent=True)
                err = result.error_before_exec or result.error_in_exec
                if err is not None:
                    errors.append(short_error(err))
            except BaseException as err:  # noqa: BLE001 - SystemExit, KeyboardInterrupt too
                errors.append(short_error(err))
        self.send({"op": "ran", "errors": errors})

    def oracle(self, name):
        """A stand-in for the exercise `name` that the parent answers."""
        def stand_in(*args):
            arrays = []
            self.send({"op": "oracle", "name": name, "args": encode(list(args), arrays)}, arrays)
            header, answer = self.recv()
            if header.get("op") != "oracle_value":
                raise RuntimeError(f"{name}: {header.get('message', 'no answer')}")
            return decode(header["value"], answer)
        stand_in.__name__ = name
        return stand_in

    def provided(self, uses):
        """Put the stand-ins in the namespace; returns what they replaced."""
        saved = {n: self.namespace[n] for n in uses if n in self.namespace}
        for n in uses:
            self.namespace[n] = self.oracle(n)
        return saved

    def restore(self, uses, saved):
        for n in uses:
            self.namespace.pop(n, None)
        self.namespace.update(saved)

    def call(self, msg, arrays):
        name, uses = msg["name"], msg.get("uses", [])
        if name not in self.namespace:
            return {"op": "error", "type": "NameError",
                    "message": f"there is no {'variable' if msg.get('value') else 'function'} "
                               f"named {name} (was its cell run, and not renamed?)"}, []
        target = self.namespace[name]
        if not msg.get("value") and not callable(target):
            return {"op": "error", "type": "TypeError",
                    "message": f"{name} should be a function, got {type(target).__name__}"}, []
        saved = self.provided(uses)
        try:
            if msg.get("value"):
                result, args = target, []
            else:
                from course import calls

                args = copy.deepcopy(decode(msg["args"], arrays, functions=True))
                hook = getattr(calls, msg["call"]) if msg.get("call") else None
                with np.errstate(all="ignore"):
                    result = hook(target, args) if hook else target(*args)
            out = []
            header = {"op": "result", "value": encode(result, out, numbers_only=True),
                      "watched": {str(i): encode(args[i], out, numbers_only=True)
                                  for i in msg.get("watch", [])}}
            return header, out
        except NotNumeric as err:
            return {"op": "error", "type": "TypeError", "message": str(err)}, []
        except NotImplementedError:
            return {"op": "error", "type": "NotImplementedError", "message": ""}, []
        except BaseException as err:  # noqa: BLE001
            return {"op": "error", "type": type(err).__name__, "message": short_error(err)}, []
        finally:
            self.restore(uses, saved)

    def check(self, msg):
        name, uses = msg["name"], msg.get("uses", [])
        target = self.namespace.get(name)
        saved = self.provided(uses)
        try:
            from course import exercises

            exercises.all_exercises()[name].check(target, quiet=True)
            return {"op": "checked", "message": None}
        except BaseException as err:  # noqa: BLE001 - whatever the check or the function raised
            return {"op": "checked", "message": str(err)[:2000] or type(err).__name__}
        finally:
            self.restore(uses, saved)

    def serve(self):
        header, _ = self.recv()
        self.run_cells(header["cells"], set(header.get("skip", [])))
        while True:
            header, arrays = self.recv()
            op = header.get("op")
            if op == "call":
                reply, out = self.call(header, arrays)
                self.send(reply, out)
            elif op == "check":
                self.send(self.check(header))
            else:
                return


def main(argv):
    fd_in, fd_out = int(argv[1]), int(argv[2])
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.stdout = sys.stderr = Discard()
    Child(fd_in, fd_out).serve()


if __name__ == "__main__":
    main(sys.argv)
