"""The grading kernel: an IPython kernel started inside the sandbox (instructor/sandbox.py).

nbgrader_config.py calls `install()`, which writes a kernelspec named `backprop-sandbox` and
makes nbgrader execute every notebook with it. When nbgrader starts that kernel, `main` runs
here first: it caps memory and CPU time, then replaces itself with the real kernel wrapped in
bubblewrap, so the student's code sees

- read-only: the Python environment, the `course` library, USPS, and `instructor/` (the hidden
  tests import it; the trusted re-grade in instructor/verify.py, which runs without it, is what
  catches code that uses it);
- writable: only the notebook's own folder (autograded/<student>/<assignment>/) and a private /tmp;
- nothing else of the course directory: not the gradebook, source/, release/, other students'
  submissions or feedback.

Without bubblewrap the kernel still runs, with the resource caps, and the grading summary says so.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from instructor.sandbox import detect, limit_resources

KERNEL_NAME = "backprop-sandbox"
ROOT_VARIABLE = "BACKPROP_COURSE_ROOT"


def install(root) -> Path:
    """Write the kernelspec under root/.grading/ and put it on JUPYTER_PATH. Returns its folder."""
    root = Path(root).resolve()
    share = root / ".grading" / "jupyter"
    spec_dir = share / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "instructor.sandbox_kernel", "-f",
                     "{connection_file}"],
            "display_name": "Python 3 (grading sandbox)", "language": "python",
            # Interrupt by message, not by a signal to the process group: a SIGINT would end
            # bubblewrap itself (and with it the kernel) instead of the student's loop.
            "interrupt_mode": "message",
            "metadata": {"debugger": False}}
    path = spec_dir / "kernel.json"
    text = json.dumps(spec, indent=1)
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)
    paths = [str(share)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep)
                            if p and p != str(share)]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(paths)
    os.environ[ROOT_VARIABLE] = str(root)
    return spec_dir


def kernel_command(connection_file, root, workdir):
    sandbox = detect()
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file,
           "--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=CRITICAL"]
    if not sandbox.available:
        return cmd
    # The connection file alone is exposed (not its folder, often /tmp, which may hold the
    # course itself).
    return sandbox.command(cmd, hide=[root],
                           expose=[Path(__file__).resolve().parent, Path(connection_file)],
                           writable=[workdir], new_session=False)


def main(argv):
    connection_file = argv[argv.index("-f") + 1]
    root = Path(os.environ.get(ROOT_VARIABLE) or Path(__file__).resolve().parents[1])
    cmd = kernel_command(connection_file, root, Path.cwd())
    limit_resources(new_session=False)
    os.execv(cmd[0] if os.path.isabs(cmd[0]) else _which(cmd[0]), cmd)


def _which(name):
    import shutil

    return shutil.which(name) or name


if __name__ == "__main__":
    main(sys.argv)
