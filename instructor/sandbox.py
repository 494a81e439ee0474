"""Run student code where it cannot see or touch the instructor's files.

Mechanism: bubblewrap (Debian package `bubblewrap`). The whole file system is mounted read-only,
the course directory is replaced by an empty tmpfs, and only what the code needs is put back:
the student library (read-only), the virtual environment (read-only), the USPS data
(read-only) and one writable work folder. The process runs in its own user, PID and mount
namespaces, as uid 65534 with every capability dropped, so it can neither unmount the tmpfs nor
write anywhere else; /tmp is private. Memory and CPU time are capped with rlimits.

Where bubblewrap is missing or namespaces are not allowed, `detect()` returns a Sandbox whose
`available` is False: the code then runs unconfined (with the rlimits) and every summary says so.
"""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MEMORY_LIMIT = 6 * 2**30     # bytes of address space for a student's process
CPU_LIMIT = 900              # seconds of CPU time (a backstop: wall-clock timeouts act first)


@dataclass(frozen=True)
class Sandbox:
    available: bool
    note: str

    def command(self, argv, *, hide=(), expose=(), writable=(), share_net=True,
                new_session=True):
        """argv wrapped so that it runs with the folders in `hide` replaced by empty ones.

        By default the course directory and the folder holding the instructor package are
        hidden, and the student library, the Python environment and the USPS data are visible.
        expose: further paths to make visible again (read-only), e.g. inside a hidden folder.
        writable: folders the code may write to.
        new_session: detach from the terminal's session (not for a kernel, whose process group
            must still receive the interrupt that nbgrader sends on a timeout).
        """
        if not self.available:
            return list(argv)
        cmd = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
               "--tmpfs", "/tmp"]
        hidden = sorted({Path(p).resolve() for p in (*hide, *instructor_homes())})
        for path in [*expose, *writable]:
            path = Path(path).resolve()
            if any(h == path or h.is_relative_to(path) for h in hidden):
                raise ValueError(f"{path} would make the hidden folder inside it visible")
        for path in hidden:
            cmd += ["--tmpfs", str(path)]
        for path in [*student_visible(), *expose]:
            path = Path(path).resolve()
            if path.exists():
                cmd += ["--ro-bind", str(path), str(path)]
        for path in writable:
            path = Path(path).resolve()
            cmd += ["--bind", str(path), str(path)]
        cmd += ["--unshare-user", "--uid", "65534", "--gid", "65534", "--unshare-pid",
                "--unshare-ipc", "--unshare-uts", "--cap-drop", "ALL", "--die-with-parent",
                "--setenv", "HOME", "/tmp",
                # in its own PID namespace a kernel's parent looks gone (getppid() == 1):
                # --die-with-parent does that job instead of ipykernel's parent poller
                "--unsetenv", "JPY_PARENT_PID"]
        if new_session:
            cmd += ["--new-session"]
        if not share_net:
            cmd += ["--unshare-net"]
        return cmd + ["--"] + list(argv)


def instructor_homes():
    """The folder that holds the instructor package (the course repository)."""
    return [Path(__file__).resolve().parents[1]]


def student_visible():
    """What student code may read: the Python environment, the course library, USPS."""
    import course
    from course.data import COURSE_DATA_DIR, cache_dir

    paths = [Path(sys.prefix), Path(course.__file__).resolve().parent, COURSE_DATA_DIR,
             cache_dir()]
    if os.environ.get("USPS_DIR"):
        paths.append(Path(os.environ["USPS_DIR"]))
    return paths


def limit_resources(new_session=True):
    """preexec_fn: cap memory and CPU time of the child (student code cannot raise them)."""
    for limit, value in ((resource.RLIMIT_AS, MEMORY_LIMIT), (resource.RLIMIT_CPU, CPU_LIMIT)):
        soft, hard = resource.getrlimit(limit)
        new = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(limit, (new, new))
    if new_session:
        os.setsid()


@lru_cache(maxsize=1)
def detect() -> Sandbox:
    """Is bubblewrap usable here? Proven by hiding a folder and failing to read it."""
    if os.environ.get("BACKPROP_NO_SANDBOX"):
        return Sandbox(False, "sandbox disabled by BACKPROP_NO_SANDBOX")
    if shutil.which("bwrap") is None:
        return Sandbox(False, "bubblewrap is not installed (apt-get install bubblewrap): "
                              "student code ran unconfined")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        secret = Path(tmp) / "hidden" / "secret.txt"
        secret.parent.mkdir()
        secret.write_text("instructor only")
        probe = Sandbox(True, "")
        cmd = probe.command([sys.executable, "-c",
                             f"import os; print(os.path.exists({str(secret)!r}), os.getuid())"],
                            hide=[secret.parent])
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as err:
            return Sandbox(False, f"bubblewrap does not run here ({err}): student code ran "
                                  f"unconfined")
        if out.returncode != 0 or out.stdout.split() != ["False", "65534"]:
            reason = (out.stderr.strip().splitlines() or ["unexpected result"])[-1]
            return Sandbox(False, f"bubblewrap cannot confine code here ({reason}): student "
                                  f"code ran unconfined")
    return Sandbox(True, "student code ran in a bubblewrap sandbox (course folder hidden, "
                         "read-only file system, uid 65534, no capabilities)")
