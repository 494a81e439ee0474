"""The student's process: runs in the sandbox, holds no answer, and does two jobs.

    python runner.py [--shared=FD] A_IN A_OUT [B_IN B_OUT]

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
side alone (after a crash, for the exercises still to grade). Messages are JSON plus raw arrays
of numbers, never pickles, so nothing the student's code sends can run code in the parent. The
verdict side's large messages (a training's parameters, at every step) go through shared memory
(`Shared`, --shared=FD), the rest through the pipes. This file imports
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
import functools
import io
import json
import math
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
KEEP_REQUEST = 1 << 16    # bytes: an oracle's reply to a request up to this size is kept
KEEP_BYTES = 64 * 2**20   # bytes of kept requests and replies, at most


class ProtocolError(Exception):
    pass


class NotNumeric(Exception):
    pass


# ------------------------------------------------------------------------------------ frames
#: The kinds of array the wire carries: booleans and numbers (never objects, never pickles).
ARRAY_KINDS = "biufc"
#: Before every frame on a pipe: where its bytes are (b"P": right behind, on the pipe; b"M": in
#: the shared memory) and how many there are.
MARK = struct.Struct(">cQ")
ARRAY = struct.Struct(">Q8sB")  # an array's bytes, its dtype (e.g. b"<f8"), its ndim; its shape
ALIGN = 16  # where an array's bytes start in a frame (numpy is slower on unaligned numbers)


def frame(header, arrays=()):
    """One message as a list of byte buffers: its JSON header, then each array behind its bytes'
    length, dtype and shape (its bytes in C order, starting at a multiple of ALIGN)."""
    text = json.dumps(header).encode()
    parts, at = [struct.pack(">II", len(text), len(arrays)), text], 8 + len(text)
    for arr in arrays:
        arr = np.asarray(arr)
        if not arr.flags.c_contiguous:  # (np.ascontiguousarray would make a 0-d array 1-d)
            arr = arr.copy(order="C")
        if arr.dtype.kind not in ARRAY_KINDS:
            raise ProtocolError(f"an array of {arr.dtype} cannot be sent")
        data = memoryview(arr).cast("B") if arr.size else b""
        meta = ARRAY.pack(len(data), arr.dtype.str.encode(), arr.ndim) + \
            struct.pack(f">{arr.ndim}q", *arr.shape)
        meta += bytes(-(at + len(meta)) % ALIGN)
        parts += [meta, data]
        at += len(meta) + len(data)
    return parts


def unframe(data):
    """(header, arrays) of a frame (a bytearray, which the arrays then share: no copy)."""
    view, at = memoryview(data), 8
    try:
        n_text, n_arrays = struct.unpack_from(">II", view)
        if n_arrays > 10_000:
            raise ProtocolError("too many arrays")
        header = json.loads(bytes(view[at:at + n_text]))
        at += n_text
        arrays = []
        for _ in range(n_arrays):
            size, code, ndim = ARRAY.unpack_from(view, at)
            if ndim > 32:
                raise ProtocolError("an array of more than 32 dimensions")
            shape = struct.unpack_from(f">{ndim}q", view, at + ARRAY.size)
            at += ARRAY.size + 8 * ndim
            at += -at % ALIGN
            if at + size > len(view):
                raise ProtocolError("a frame shorter than its arrays")
            arrays.append(_array(code, shape, view[at:at + size]))
            at += size
    except (struct.error, ValueError, UnicodeDecodeError) as err:
        raise ProtocolError(f"an unreadable frame ({err})") from None
    if not isinstance(header, dict):
        raise ProtocolError("a message that is not a JSON object")
    return header, arrays


def _array(code, shape, data):
    dtype = _dtype(code)
    if any(k < 0 for k in shape) or len(data) != dtype.itemsize * math.prod(shape):
        raise ProtocolError("an array whose size does not match its shape")
    return np.frombuffer(data, dtype=dtype).reshape(shape)


@functools.lru_cache(maxsize=64)
def _dtype(code):
    try:
        dtype = np.dtype(code.rstrip(b"\0").decode("ascii"))
    except (TypeError, ValueError, UnicodeDecodeError) as err:
        raise ProtocolError(f"an unreadable array ({err})") from None
    if dtype.kind not in ARRAY_KINDS:
        raise ProtocolError(f"an array of {dtype} cannot be received")
    return dtype


class Shared:
    """A channel's shared memory: one region for each direction, in one memfd that the trusted
    side makes and the runner maps. A frame of any size then costs one copy in and one copy out;
    through a pipe it costs two copies in the kernel and a wake-up of the reader for every few
    pages (a round trip of 800 kB: about 3 ms by pipe, 0.15 ms here). Small frames stay on the
    pipe, and so does a frame too large for the region.

    A side writes its region only after the other side has answered its last frame there (its
    request-reply protocol guarantees the reader has copied it by then); the reader copies a frame
    out before it reads a byte of it, so nothing the other side writes later can change it."""

    SIZE = 32 * 2**20   # bytes of each region: the largest frame is USPS's 15 MB X_train
    SMALL = 1 << 15     # bytes: smaller frames stay on the pipe

    def __init__(self, fd, outgoing):
        import mmap

        self.memory = mmap.mmap(fd, 2 * self.SIZE)
        start = 0 if outgoing == 0 else self.SIZE
        self.outgoing = memoryview(self.memory)[start:start + self.SIZE]
        other = self.SIZE - start
        self.incoming = memoryview(self.memory)[other:other + self.SIZE]
        self.free = True  # the other side has answered since our last frame here

    @classmethod
    def create(cls):
        """(fd, the trusted side's Shared), or (None, None) without memfd (not Linux)."""
        if not hasattr(os, "memfd_create"):
            return None, None
        fd = os.memfd_create("backprop-wire", 0)
        os.ftruncate(fd, 2 * cls.SIZE)
        return fd, cls(fd, outgoing=0)

    def put(self, parts, size):
        """Write a frame into our region, if it can go there. Returns whether it did."""
        if not (self.free and self.SMALL <= size <= self.SIZE):
            return False
        at = 0
        for part in parts:
            self.outgoing[at:at + len(part)] = part
            at += len(part)
        self.free = False
        return True

    def close(self):
        self.outgoing.release()
        self.incoming.release()
        self.memory.close()

    def take(self, size):
        if size > self.SIZE:
            raise ProtocolError("a frame larger than the shared memory")
        return bytearray(self.incoming[:size])


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def read_exactly(fd, n):
    """n bytes from fd (a bytearray, into which it reads)."""
    data = bytearray(n)
    view, got = memoryview(data), 0
    while got < n:
        k = os.readv(fd, [view[got:]])
        if not k:
            raise EOFError("the other side closed the channel")
        got += k
    return data


def send(fd, header, arrays=(), write=write_all, shared=None):
    """One message (see send_frame)."""
    send_frame(fd, frame(header, arrays), write, shared)


def send_frame(fd, parts, write=write_all, shared=None):
    """A frame on the pipe behind its mark, or in the shared memory (when there is one and the
    frame is large) with only the mark on the pipe."""
    size = sum(len(p) for p in parts)
    if size > MAX_FRAME:
        raise ProtocolError("message too large")
    if shared is not None and shared.put(parts, size):
        write(fd, MARK.pack(b"M", size))
    else:
        write(fd, b"".join([MARK.pack(b"P", size), *parts]))


def recv(fd, read=read_exactly, shared=None):
    """(header, arrays) of the next message; arrays are loaded without pickles."""
    return unframe(recv_frame(fd, read, shared))


def recv_frame(fd, read=read_exactly, shared=None):
    """The next frame (a bytearray of its own)."""
    where, size = MARK.unpack(read(fd, MARK.size))
    if size > MAX_FRAME:
        raise ProtocolError("message too large")
    if where == b"M" and shared is not None:
        data = shared.take(size)
    elif where == b"P":
        data = read(fd, size)
    else:
        raise ProtocolError("a frame from nowhere")
    if shared is not None:
        shared.free = True
    return data


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
    def __init__(self, fd_in, fd_out, shared=None):
        self.fd_in, self.fd_out, self.shared = fd_in, fd_out, shared
        self.shell = make_shell()
        self.namespace = self.shell.user_ns
        self.kept, self.kept_bytes = {}, 0  # oracle request -> reply (see ask)

    def send(self, header, arrays=()):
        send(self.fd_out, header, arrays, shared=self.shared)

    def recv(self):
        return recv(self.fd_in, shared=self.shared)

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

    def ask(self, header, arrays):
        """The trusted side's reply to an oracle request. The instructor's functions are
        deterministic, so the reply to a small request is kept and the request asked once: the
        same minibatch in a second run with the same seed, minibatch_lam's numbers at every
        step."""
        parts = frame(header, arrays)
        size = sum(len(p) for p in parts)
        key = b"".join(parts) if size <= KEEP_REQUEST else None
        if key in self.kept:
            return unframe(bytearray(self.kept[key]))  # arrays of its own, every time
        send_frame(self.fd_out, parts, shared=self.shared)
        reply = recv_frame(self.fd_in, shared=self.shared)
        if key is not None and self.kept_bytes < KEEP_BYTES:
            self.kept[key] = bytes(reply)
            self.kept_bytes += len(key) + len(reply)
        return unframe(reply)

    def oracle(self, name):
        """A stand-in for the exercise `name` that the parent answers."""
        def stand_in(*args):
            from course import calls

            start = time.perf_counter()
            try:
                arrays = []
                header, answer = self.ask(
                    {"op": "oracle", "name": name, "args": encode(list(args), arrays)}, arrays)
                if header.get("op") != "oracle_value":
                    raise RuntimeError(f"{name}: {header.get('message', 'no answer')}")
                for i, after in (header.get("changed") or {}).items():
                    if int(i) < len(args):
                        write_back(args[int(i)], decode(after, answer))
                if header.get("returns_arg") is not None:
                    return args[header["returns_arg"]]
                return decode(header["value"], answer)
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
    args = argv[1:]
    shared = None
    if args and args[0].startswith("--shared="):  # the verdict side's shared memory
        shared = Shared(int(args.pop(0).split("=", 1)[1]), outgoing=1)
    fds = [int(a) for a in args]
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    sys.stdout, sys.stderr = Stream("stdout"), Stream("stderr")
    sys.stdin = io.StringIO()
    runner = Runner(fds[0], fds[1], shared)
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
    runner.fd_in, runner.fd_out, runner.shared = fds[2], fds[3], None
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
