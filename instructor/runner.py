"""The student's process: runs in the sandbox, holds no answer, and does two jobs.

    python runner.py A_IN A_OUT [B_IN B_OUT]

The trusted side (instructor/session.py) drives it over pipes, one message at a time. It first
runs the assignment's setup cells (the imports), once; then it forks:

- **A, the verdict side**, runs the student's solution cells and calls their functions on the
  hidden *inputs* the parent sends; the results go back as plain numbers, to be judged there.
  While a function runs, the exercises it calls (`uses`) are stand-ins that ask the parent, which
  answers with the instructor's version: the answers never exist in this process.
- **B, the notebook side**, waits until A is gone, then runs every cell of the submitted notebook
  in order, as a kernel would, and sends each cell's outputs back (streams, rich displays,
  results, errors): they become the notebook the student gets as feedback.

One start-up, one set of imports, for both. A runner started with only A's pipes does the verdict
side alone (after a crash, for the exercises still to grade). Messages are JSON plus .npy arrays,
never pickles, so nothing the student's code sends can run code in the parent. This file imports
only the standard library, numpy, IPython and the student library `course`: it is the only file
of the instructor package the sandbox shows.

    parent -> runner                                  runner -> parent
    {"op": "setup", "cells": [...]}                   {"op": "ready"}
    A: {"op": "run", "cells": [...], "skip": [...]}   {"op": "cell", "i": i} ... {"op": "ran"}
    A: {"op": "check", "name", "uses"}                {"op": "checked", "message"}
    A: {"op": "call", "name", "args", "call", "uses", "watch"}
                                                      {"op": "oracle", ...} (answered), then
                                                      {"op": "result", ...} or {"op": "error"}
    A: {"op": "bye"}
    B: {"op": "abort"}  (A is stuck: the runner kills it)
    B: {"op": "notebook", "cells": [...], "max_bytes": n}
                                                      {"op": "cell_done", "i", "outputs", "count"}
"""
import base64
import copy
import io
import json
import os
import signal
import struct
import sys
import time
import traceback

import numpy as np

MAX_FRAME = 256 * 2**20       # bytes in one message
MAX_ELEMENTS = 5_000_000      # numbers in one result (the largest expected is ~70k)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SCALARS = (bool, int, float, str, type(None))  # immutable: an answer to them can be kept


class ProtocolError(Exception):
    pass


class NotNumeric(Exception):
    pass


# ------------------------------------------------------------------------------------ frames
def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


#: The kinds of array the wire carries: booleans and numbers (never objects, never pickles).
ARRAY_KINDS = "biufc"


def send(fd, header, arrays=(), write=write_all):
    """One message: JSON header and arrays, each behind its length (its dtype and shape in a
    small JSON line, then its bytes)."""
    blobs = []
    for arr in arrays:
        arr = np.asarray(arr)  # (tobytes is in C order, whatever the layout)
        if arr.dtype.kind not in ARRAY_KINDS:
            raise ProtocolError(f"an array of {arr.dtype} cannot be sent")
        meta = json.dumps({"d": arr.dtype.str, "s": list(arr.shape)}).encode()
        blobs.append(struct.pack(">I", len(meta)) + meta + arr.tobytes())
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
        arrays.append(_array(read(fd, size)))
    return header, arrays


def _array(blob):
    """The array of one blob of `send` (a copy: writable, independent of the message)."""
    try:
        (n_meta,) = struct.unpack(">I", blob[:4])
        meta = json.loads(blob[4:4 + n_meta])
        dtype, shape = np.dtype(meta["d"]), tuple(int(k) for k in meta["s"])
    except (struct.error, ValueError, KeyError, TypeError) as err:
        raise ProtocolError(f"an unreadable array ({err})") from None
    if dtype.kind not in ARRAY_KINDS or any(k < 0 for k in shape):
        raise ProtocolError(f"an array of {dtype} cannot be received")
    data = blob[4 + n_meta:]
    if len(data) != dtype.itemsize * int(np.prod(shape, dtype=np.int64)):
        raise ProtocolError("an array whose size does not match its shape")
    return np.frombuffer(data, dtype=dtype).reshape(shape).copy()


# ------------------------------------------------------------------------------------ values
def encode(value, arrays, numbers_only=False):
    """value -> JSON structure, arrays appended to `arrays`.

    numbers_only: as a result is judged, every number becomes a float array, lists become
    tuples, and anything that is not numbers is refused (NotNumeric)."""
    if value is None:
        return {"t": "none"}
    if isinstance(value, str):  # the answer to a choice, or an argument
        return {"t": "str", "v": value[:10_000]}
    if isinstance(value, dict):
        return {"t": "dict", "v": [[str(k), encode(v, arrays, numbers_only)]
                                   for k, v in value.items()]}
    if isinstance(value, (tuple, list)):
        kind = "tuple" if numbers_only or isinstance(value, tuple) else "list"
        return {"t": kind, "v": [encode(v, arrays, numbers_only) for v in value]}
    if not numbers_only:
        for kind, types in (("bool", bool), ("int", int), ("float", float)):
            if isinstance(value, types):
                return {"t": kind, "v": value}
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


def write_back(target, after):
    """Make the caller's `target` what the instructor's function left its copy as (in place)."""
    if isinstance(target, dict) and isinstance(after, dict):
        for key, value in after.items():
            if key not in target or not write_back(target[key], value):
                target[key] = value
        return True
    if isinstance(target, np.ndarray) and target.flags.writeable and \
            np.shape(after) == target.shape:
        target[...] = after
        return True
    return False


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


# ------------------------------------------------------------------------ capturing outputs
class Outputs:
    """The outputs of the cell being run, as nbformat dicts, capped in bytes."""

    def __init__(self):
        self.cell, self.used, self.max_bytes = None, 0, 2**30
        self.capped = False
        self.clear_pending = False
        self.by_display_id = {}
        self.in_widget = 0  # inside `with output_widget:`: that output belongs to the widget

    def start(self, max_bytes=None):
        self.cell, self.used, self.capped, self.clear_pending = [], 0, False, False
        self.in_widget = 0
        if max_bytes is not None:
            self.max_bytes = max_bytes

    def stop(self):
        cell, self.cell = self.cell, None
        return cell or []

    def _fits(self, size):
        if self.cell is None or self.in_widget:
            return False
        if self.clear_pending:
            self.cell.clear()
            self.clear_pending = False
        if self.used + size > self.max_bytes:
            if not self.capped:
                self.capped = True
                self.cell.append({"output_type": "stream", "name": "stdout",
                                  "text": f"\n[output capped: more than {self.max_bytes} bytes; "
                                          f"the rest was dropped]\n"})
            return False
        self.used += size
        return True

    def stream(self, name, text):
        if not text or not self._fits(len(text)):
            return
        last = self.cell[-1] if self.cell else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.cell.append({"output_type": "stream", "name": name, "text": text})

    def rich(self, output_type, data, metadata, display_id=None, update=False, count=None):
        if WIDGET_VIEW in data:  # no widget lives on in a feedback copy: say what was there
            data = {"text/plain": "[an interactive widget: run the notebook in Jupyter to use "
                                  "it]"}
        data = {k: (base64.b64encode(v).decode() if isinstance(v, bytes) else v)
                for k, v in data.items()}
        if update and display_id in self.by_display_id:
            self.by_display_id[display_id].update(data=data, metadata=metadata or {})
            return
        if not self._fits(len(json.dumps(data, default=str))):
            return
        out = {"output_type": output_type, "data": data, "metadata": metadata or {}}
        if output_type == "execute_result":
            out["execution_count"] = count
        if display_id:
            self.by_display_id[display_id] = out
        self.cell.append(out)

    def error(self, ename, evalue, stb):
        if self._fits(sum(len(s) for s in stb) + len(evalue)):
            self.cell.append({"output_type": "error", "ename": ename, "evalue": evalue,
                              "traceback": list(stb)})


OUTPUTS = Outputs()


class Stream(io.TextIOBase):
    """sys.stdout / sys.stderr: into the cell's outputs while a notebook cell runs, else away."""

    def __init__(self, name):
        self.name = name

    def writable(self):
        return True

    def write(self, text):
        OUTPUTS.stream(self.name, str(text))
        return len(text)

    def flush(self):
        pass


def make_shell():
    """An IPython shell whose displays, results and errors land in OUTPUTS."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False,
                    **kwargs):
            display_id = (transient or {}).get("display_id")
            OUTPUTS.rich("display_data", data, metadata, display_id, update)

        def clear_output(self, wait=False):
            if OUTPUTS.cell is not None:
                if wait:
                    OUTPUTS.clear_pending = True
                else:
                    OUTPUTS.cell.clear()

    class Hook(DisplayHook):
        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            OUTPUTS.rich("execute_result", format_dict, md_dict, count=self.prompt_count)

        def finish_displayhook(self):
            pass

    class Shell(InteractiveShell):
        def enable_gui(self, gui=None):
            pass

        def _showtraceback(self, etype, evalue, stb):
            OUTPUTS.error(etype.__name__, str(evalue), stb)

    shell = Shell.instance(display_pub_class=Publisher, displayhook_class=Hook, colors="NoColor")
    try:
        shell.enable_matplotlib("inline")
    except Exception:  # noqa: BLE001 - no matplotlib: no figures
        pass
    try:  # what a cell shows inside an Output widget stays in the widget, as in Jupyter
        from ipywidgets import Output

        enter, leave = Output.__enter__, Output.__exit__

        def entered(self):
            OUTPUTS.in_widget += 1
            return enter(self)

        def left(self, *exc):
            OUTPUTS.in_widget = max(0, OUTPUTS.in_widget - 1)
            return leave(self, *exc)

        Output.__enter__, Output.__exit__ = entered, left
    except Exception:  # noqa: BLE001 - no ipywidgets: nothing to keep apart
        pass
    return shell


def short_error(err):
    frames = traceback.extract_tb(err.__traceback__)
    where = f" (line {frames[-1].lineno}: {frames[-1].line})" if frames and frames[-1].line else ""
    return f"{type(err).__name__}: {err}"[:500] + where[:200]


# ------------------------------------------------------------------------------------ runner
class Runner:
    def __init__(self, fd_in, fd_out):
        self.fd_in, self.fd_out = fd_in, fd_out
        self.shell = make_shell()
        self.namespace = self.shell.user_ns
        self.answers = {}  # (exercise, plain-number arguments) -> the oracle's plain answer

    def send(self, header, arrays=()):
        send(self.fd_out, header, arrays)

    def recv(self):
        return recv(self.fd_in)

    def quietly(self, source):
        """Run a cell without recording its outputs. Returns its error, or None."""
        try:
            result = self.shell.run_cell(source, store_history=False, silent=True)
            err = result.error_before_exec or result.error_in_exec
            return short_error(err) if err is not None else None
        except BaseException as err:  # noqa: BLE001 - SystemExit, KeyboardInterrupt too
            return short_error(err)

    def setup(self):
        header, _ = self.recv()
        for source in header.get("cells", []):
            self.quietly(source)
        self.send({"op": "ready"})

    # ------------------------------------------------------------ A: the verdict side
    def run(self, header):
        errors = []
        skip = set(header.get("skip", []))
        for i, source in enumerate(header["cells"]):
            if i in skip:
                continue
            self.send({"op": "cell", "i": i})
            error = self.quietly(source)
            if error:
                errors.append(error)
        self.send({"op": "ran", "errors": errors})

    def oracle(self, name):
        """A stand-in for the exercise `name` that the parent answers. An answer to plain
        numbers (minibatch_lam(lam, b, m), asked at every step of a training) is asked once:
        the instructor's functions are deterministic."""
        def stand_in(*args):
            from course import calls

            key = (name, tuple((type(a), a) for a in args)) if all(
                type(a) in SCALARS for a in args) else None
            if key in self.answers:
                return self.answers[key]
            start = time.perf_counter()
            try:
                arrays = []
                self.send({"op": "oracle", "name": name, "args": encode(list(args), arrays)},
                          arrays)
                header, answer = self.recv()
                if header.get("op") != "oracle_value":
                    raise RuntimeError(f"{name}: {header.get('message', 'no answer')}")
                for i, after in (header.get("changed") or {}).items():
                    if int(i) < len(args):
                        write_back(args[int(i)], decode(after, answer))
                if header.get("returns_arg") is not None:
                    return args[header["returns_arg"]]
                value = decode(header["value"], answer)
                if key is not None and type(value) in SCALARS:
                    self.answers[key] = value
                return value
            finally:  # the grader's time, not the student's (a timed train subtracts it)
                calls.spent_elsewhere(time.perf_counter() - start)
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
                    "message": f"there is no function named {name} (was its cell run, and "
                               f"not renamed?)"}, []
        target = self.namespace[name]
        if not callable(target):
            return {"op": "error", "type": "TypeError",
                    "message": f"{name} should be a function, got {type(target).__name__}"}, []
        saved = self.provided(uses)
        try:
            from course import calls, exercises

            args = copy.deepcopy(decode(msg["args"], arrays, functions=True))
            hook = getattr(calls, msg["call"]) if msg.get("call") else None
            public = exercises.all_exercises().get(name)
            with np.errstate(all="ignore"), exercises.disabled(public.forbids if public else ()):
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

    def serve_verdicts(self):
        while True:
            header, arrays = self.recv()
            op = header.get("op")
            if op == "run":
                self.run(header)
            elif op == "call":
                reply, out = self.call(header, arrays)
                self.send(reply, out)
            elif op == "check":
                self.send(self.check(header))
            else:
                return

    # ------------------------------------------------------------ B: the notebook side
    def notebook(self, header):
        """Every cell of the notebook in order, its outputs sent back after each."""
        self.shell.execution_count = 1
        for i, source in enumerate(header["cells"]):
            OUTPUTS.start(header.get("max_bytes"))
            count = self.shell.execution_count
            try:
                self.shell.run_cell(source, store_history=True)
            except BaseException as err:  # noqa: BLE001 - SystemExit and the like
                OUTPUTS.error(type(err).__name__, str(err), [short_error(err)])
            self.send({"op": "cell_done", "i": i, "outputs": OUTPUTS.stop(), "count": count,
                       "capped": OUTPUTS.capped})


def main(argv):
    fds = [int(a) for a in argv[1:]]
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    sys.stdout, sys.stderr = Stream("stdout"), Stream("stderr")
    sys.stdin = io.StringIO()
    runner = Runner(fds[0], fds[1])
    runner.setup()
    if len(fds) < 4:
        runner.serve_verdicts()
        return
    child = os.fork()
    if child == 0:  # A
        os.close(fds[2])
        os.close(fds[3])
        runner.serve_verdicts()
        os._exit(0)
    os.close(fds[0])
    os.close(fds[1])
    runner.fd_in, runner.fd_out = fds[2], fds[3]
    while True:  # the parent is done with A when it asks for the notebook (or aborts A)
        header, _ = runner.recv()
        if child:
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(child, 0)
            child = 0
        if header.get("op") != "abort":
            break
    if header.get("op") == "notebook":
        runner.notebook(header)


if __name__ == "__main__":
    main(sys.argv)
