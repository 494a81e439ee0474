"""Run student code where it can see nothing but what a student may see.

Mechanism: bubblewrap (Debian package `bubblewrap`). The sandbox starts from an EMPTY file
system and puts back, read-only, only what Python and the course need (an allow-list, not a
deny-list): the system's programs and libraries, the Python installation and its packages, the
student library `course`, and the USPS data. On top of that come the folders a caller names
(`readable`, `writable`), a private /tmp of limited size, and nothing else: not the course
directory (gradebook, source/, the instructor package, other students' work), not the home
folder, not the rest of /etc, not Jupyter's runtime folder with other kernels' connection files.

The process also gets:
- a clean environment (only what `environment()` lists: no tokens, no paths to the course),
  for bubblewrap's own init process too;
- no network (its own empty network namespace) unless a caller asks for one;
- its own user (uid 65534, every capability dropped), PID, IPC and UTS namespaces, so /proc
  shows only its own processes;
- caps on memory, CPU time and file size (rlimits, set by util-linux's prlimit), and it dies
  with its parent.

Where bubblewrap is missing or namespaces are not allowed, `detect()` returns a Sandbox whose
`available` is False: the code then runs unconfined (with the rlimits and the clean
environment) and every summary says so.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MEMORY_LIMIT = 6 * 2**30     # bytes of address space for a student's process
CPU_LIMIT = 900              # seconds of CPU time (a backstop: wall-clock limits act first)
FILE_LIMIT = 512 * 2**20     # bytes: the largest file student code may write
TMP_SIZE = 512 * 2**20       # bytes: the private /tmp (a tmpfs, which would otherwise be RAM)

#: System folders every program needs (read-only); those missing on a machine are skipped.
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: The few files of /etc that Python, numpy and matplotlib read (not /etc as a whole).
ETC = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
       "/etc/fonts", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/alternatives",
       "/etc/mime.types")


@dataclass(frozen=True)
class Sandbox:
    available: bool
    note: str

    def command(self, argv, *, readable=(), writable=(), env=None, cwd=None, network=False,
                new_session=True):
        """argv wrapped to run in the sandbox.

        readable: paths (or (outside, inside) pairs) to show read-only, beyond the allow-list.
        writable: folders the code may write to (shown at the same path).
        env: the whole environment of the process (default: environment()).
        cwd: the working directory inside (default: /tmp).
        network: share the host's network (a kernel that talks TCP needs it; nothing else).
        new_session: detach from the terminal's session.
        """
        env = environment() if env is None else env
        limits = limits_command()
        if not self.available:
            return [*limits, "env", "-i", *[f"{k}={v}" for k, v in sorted(env.items())], *argv]
        # bubblewrap itself starts with an empty environment: it stays in the sandbox as its
        # init process (PID 1), whose /proc/1/environ the code inside could read
        cmd = [*limits, "env", "-i", shutil.which("bwrap"), "--dev", "/dev", "--proc", "/proc", "--perms", "1777",
               "--size", str(TMP_SIZE), "--tmpfs", "/tmp"]
        for path in SYSTEM + ETC:
            cmd += ["--ro-bind-try", path, path]
        for item in [*student_visible(), *readable]:
            outside, inside = item if isinstance(item, tuple) else (item, item)
            if Path(outside).exists():
                cmd += ["--ro-bind", str(outside), str(inside)]
        for path in writable:
            cmd += ["--bind", str(path), str(path)]
        cmd += ["--chdir", str(cwd or "/tmp"), "--clearenv"]
        for key, value in sorted(env.items()):
            cmd += ["--setenv", key, str(value)]
        cmd += ["--unshare-user", "--uid", "65534", "--gid", "65534", "--unshare-pid",
                "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--cap-drop", "ALL",
                "--die-with-parent", "--hostname", "sandbox"]
        if not network:
            cmd += ["--unshare-net"]
        if new_session:
            cmd += ["--new-session"]
        return cmd + ["--"] + list(argv)


def environment(threads=1, **extra):
    """The complete environment of sandboxed code: nothing inherited but the USPS location."""
    env = {"PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin",
                                    "/usr/bin", "/bin"]),
           "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "MPLCONFIGDIR": "/tmp/matplotlib", "IPYTHONDIR": "/tmp/ipython",
           "JUPYTER_CONFIG_DIR": "/tmp/jupyter", "JUPYTER_DATA_DIR": "/tmp/jupyter",
           "PYTHONDONTWRITEBYTECODE": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
           # one BLAS thread per process: the grader runs one process per core already
           "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads),
           "MKL_NUM_THREADS": str(threads)}
    folder = usps_folder()
    if folder is not None:
        env["USPS_DIR"] = str(folder)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def student_visible():
    """What student code may read besides the system: Python, the course library, USPS."""
    import course

    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
             Path(sys.executable).resolve().parent,
             Path(course.__file__).resolve().parent}
    folder = usps_folder()
    if folder is not None:
        paths.add(folder)
    return sorted(paths)


def usps_folder():
    """The folder the course's USPS loader would use (USPS_DIR, data/usps, the user cache)."""
    from course.data import COURSE_DATA_DIR, ESL_FILES, LIBSVM_FILES, cache_dir

    candidates = [os.environ.get("USPS_DIR"), COURSE_DATA_DIR, cache_dir()]
    for folder in filter(None, candidates):
        folder = Path(folder).resolve()
        if any(all((folder / f).is_file() for f in pair) for pair in (ESL_FILES, LIBSVM_FILES)):
            return folder
    return None


def limits_command():
    """The caps on memory, CPU time, file size and core dumps, as a command prefix (util-linux's
    prlimit: safe to start from any thread, unlike a preexec_fn). The code cannot raise them."""
    prlimit = shutil.which("prlimit")
    if prlimit is None:
        return []
    return [prlimit, f"--as={MEMORY_LIMIT}", f"--cpu={CPU_LIMIT}", f"--fsize={FILE_LIMIT}",
            "--core=0", "--"]


@lru_cache(maxsize=1)
def detect() -> Sandbox:
    """Is bubblewrap usable here? Proven by failing to see a file outside the allow-list."""
    if os.environ.get("BACKPROP_NO_SANDBOX"):
        return Sandbox(False, "sandbox disabled by BACKPROP_NO_SANDBOX")
    if shutil.which("bwrap") is None:
        return Sandbox(False, "bubblewrap is not installed (apt-get install bubblewrap): "
                              "student code ran unconfined")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        secret = Path(tmp) / "secret.txt"
        secret.write_text("instructor only")
        probe = Sandbox(True, "")
        cmd = probe.command([sys.executable, "-c",
                             f"import os; print(os.path.exists({str(secret)!r}), os.getuid())"])
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as err:
            return Sandbox(False, f"bubblewrap does not run here ({err}): student code ran "
                                  f"unconfined")
        if out.returncode != 0 or out.stdout.split() != ["False", "65534"]:
            reason = (out.stderr.strip().splitlines() or ["unexpected result"])[-1]
            return Sandbox(False, f"bubblewrap cannot confine code here ({reason}): student "
                                  f"code ran unconfined")
    return Sandbox(True, "student code ran in a bubblewrap sandbox (only Python, the course "
                         "library and USPS visible, read-only; no network; uid 65534)")
