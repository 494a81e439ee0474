"""The course's classroom on one host: JupyterHub, nbgrader's exchange and the course folder.

    python -m instructor classroom start    # prints the address, the accounts and passwords
    python -m instructor classroom status
    python -m instructor classroom stop

A classroom is a folder (classroom-data/ by default, --dir to choose):

    classroom.json         ports, accounts, passwords, the classroom service's token (mode 0600)
    hub/                   JupyterHub's database, cookie secret, pid files, hub.log
    exchange/              nbgrader's exchange: exchange/backprop/{outbound,inbound,feedback}
    homes/<user>/          each user's home folder (their JupyterLab starts there)
    homes/instructor/backprop/   the course folder (instructor/course_dir.py), which the
                           instructor's formgrader manages and `python -m instructor grade
                           --root` grades

The hub's configuration is classroom/jupyterhub_config.py; what a student's and the instructor's
JupyterLab load is in classroom/student, classroom/instructor and classroom/common. Starting an
existing classroom again keeps its accounts, course folder and exchange; delete the folder to
start afresh.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from instructor.course_dir import COURSE_ID, REPOSITORY, Course

TEMPLATES = REPOSITORY / "classroom"
HUB_CONFIG = TEMPLATES / "jupyterhub_config.py"
DEFAULT_DIR = REPOSITORY / "classroom-data"
INSTRUCTOR = "instructor"
STUDENTS = ("ada", "bo", "cy", "di", "ed")

COURSE_CONFIG = '''"""The classroom's course folder: the course's nbgrader settings and the
classroom's exchange (written by instructor/classroom.py)."""
import sys
from pathlib import Path

sys.path.insert(0, {repository!r})
from instructor.nbgrader_settings import configure  # noqa: E402

c = get_config()  # noqa: F821 - provided by nbgrader
configure(c, Path(__file__).resolve().parent)
c.Exchange.root = {exchange!r}
# On one host every server runs as the same Unix user: who owns a submission's folder says
# nothing about who handed it in (nbgrader would warn about every submission).
c.ExchangeCollect.check_owner = False
# Feedback is released under the secret the student's submit wrote (instructor/exchange.py).
c.ExchangeFactory.release_feedback = "instructor.exchange.ReleaseFeedback"
'''


@dataclass(frozen=True)
class Classroom:
    root: Path

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())

    @property
    def settings_file(self):
        return self.root / "classroom.json"

    @property
    def hub_dir(self):
        return self.root / "hub"

    @property
    def log(self):
        return self.hub_dir / "hub.log"

    @property
    def pid_file(self):
        return self.hub_dir / "classroom.pid"

    @property
    def exchange(self):
        return self.root / "exchange"

    def home(self, user):
        return self.root / "homes" / user

    @property
    def course(self):
        return Course(self.home(INSTRUCTOR) / COURSE_ID)

    @property
    def settings(self):
        return json.loads(self.settings_file.read_text())

    @property
    def url(self):
        return f"http://127.0.0.1:{self.settings['port']}"

    # ------------------------------------------------------------------------- the hub's API
    def api(self, method, path, body=None, token=None, timeout=60):
        """Call the hub's REST API (/hub/api/<path>) with the classroom service's token (or
        `token`); returns the decoded JSON answer (None when empty)."""
        request = urllib.request.Request(
            f"{self.url}/hub/api/{path.lstrip('/')}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {token or self.settings['api_token']}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            data = answer.read()
        return json.loads(data) if data else None


# ------------------------------------------------------------------------------------ set-up
def create(root=DEFAULT_DIR, *, students=STUDENTS):
    """The classroom in `root`: laid out and its course folder prepared if new, as is if not."""
    classroom = Classroom(root)
    if classroom.settings_file.is_file():
        return classroom
    for folder in (classroom.hub_dir, classroom.exchange, classroom.home(INSTRUCTOR)):
        folder.mkdir(parents=True, exist_ok=True)
    classroom.exchange.chmod(0o777)  # what nbgrader expects of an exchange (it warns otherwise)
    prepare_course(classroom)
    settings = {
        "course_id": COURSE_ID, "repository": str(REPOSITORY),
        "instructor": INSTRUCTOR, "students": list(students),
        "passwords": {user: secrets.token_urlsafe(9) for user in (INSTRUCTOR, *students)},
        "api_token": secrets.token_hex(32),
        "port": 8000, "hub_port": 8081, "proxy_api_port": 8001,
    }
    _write_settings(classroom, settings)
    for user in settings["passwords"]:
        prepare_home(classroom, user)
    return classroom


def role_of(user):
    """"instructor" or "student": which of classroom/instructor, classroom/student applies."""
    return "instructor" if user == INSTRUCTOR else "student"


def prepare_home(classroom, user):
    """The account's home folder, with its first view of JupyterLab: a student lands on the
    Assignment List, the instructor on the formgrader (classroom/<role>/workspace.json, saved
    as JupyterLab's default workspace)."""
    from jupyterlab_server.workspaces_handler import WorkspacesManager

    workspaces = classroom.home(user) / ".jupyter" / "lab" / "workspaces"
    WorkspacesManager(workspaces).save(
        "default", (TEMPLATES / role_of(user) / "workspace.json").read_text())


def prepare_course(classroom):
    """The course folder in the instructor's home: the notebooks (source/ and the generated
    release/, both from this repository) and an nbgrader_config.py with the classroom's
    exchange. nbgrader's gradebook learns the assignments when they are generated or graded."""
    course = classroom.course
    for folder in ("source", "release"):
        shutil.copytree(REPOSITORY / folder, course.root / folder,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", ".gitkeep"))
    (course.root / "nbgrader_config.py").write_text(COURSE_CONFIG.format(
        repository=str(REPOSITORY), exchange=str(classroom.exchange)))
    return course


def _write_settings(classroom, settings):
    tmp = classroom.settings_file.with_suffix(".tmp")
    tmp.touch(mode=0o600)
    tmp.write_text(json.dumps(settings, indent=1))
    os.replace(tmp, classroom.settings_file)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------ start, stop
def start(classroom, *, port=8000, timeout=180):
    """Start the hub in the background (its log: hub/hub.log) and wait until it answers."""
    if is_running(classroom):
        return pid_of(classroom)
    settings = classroom.settings
    settings.update(port=port or free_port(), hub_port=free_port(), proxy_api_port=free_port())
    _write_settings(classroom, settings)
    env = dict(os.environ, BACKPROP_CLASSROOM=str(classroom.root),
               PATH=os.pathsep.join([str(Path(sys.executable).parent),
                                     os.environ.get("PATH", "/usr/bin:/bin")]))
    from instructor.sandbox import usps_folder

    usps = usps_folder()  # found once for everybody (students' homes have no USPS cache)
    if usps is not None:
        env["USPS_DIR"] = str(usps)
    classroom.hub_dir.mkdir(parents=True, exist_ok=True)
    with open(classroom.log, "ab") as log:
        hub = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(HUB_CONFIG)],
                               cwd=classroom.hub_dir, env=env, stdin=subprocess.DEVNULL,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    classroom.pid_file.write_text(str(hub.pid))
    deadline = time.monotonic() + timeout
    while True:
        if hub.poll() is not None:
            raise RuntimeError(f"JupyterHub exited (code {hub.returncode}); its log: "
                               f"{classroom.log}\n{tail(classroom.log)}")
        try:
            classroom.api("GET", "/", timeout=5)
            return hub.pid
        except (OSError, urllib.error.URLError):
            if time.monotonic() > deadline:
                stop(classroom)
                raise RuntimeError(f"JupyterHub did not answer within {timeout} s; its log: "
                                   f"{classroom.log}\n{tail(classroom.log)}")
            time.sleep(0.5)


def stop(classroom, *, timeout=60):
    """Stop the hub, which stops every user's server and the proxy; whatever of them is still
    running after `timeout` seconds is killed. Returns the processes that had to be killed."""
    import psutil

    pid = pid_of(classroom)
    if pid is None:
        return []
    try:
        hub = psutil.Process(pid)
        family = [hub, *hub.children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    if family:
        hub.send_signal(signal.SIGTERM)
        _, alive = psutil.wait_procs([hub], timeout=timeout)
        for proc in alive:
            proc.kill()
    _, alive = psutil.wait_procs(family, timeout=10)
    for proc in alive:  # a server or kernel the hub failed to stop
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=10)
    classroom.pid_file.unlink(missing_ok=True)
    return alive


def pid_of(classroom):
    try:
        return int(classroom.pid_file.read_text())
    except (OSError, ValueError):
        return None


def is_running(classroom):
    import psutil

    pid = pid_of(classroom)
    if pid is None or not psutil.pid_exists(pid):
        return False
    try:
        return "jupyterhub" in " ".join(psutil.Process(pid).cmdline())
    except psutil.Error:
        return False


def tail(path, lines=40):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# ---------------------------------------------------------------------------- command line
def describe(classroom):
    """What a person needs to use the classroom: the address, the accounts, the passwords."""
    s = classroom.settings
    return "\n".join([
        f"Classroom {classroom.root}",
        f"  address:     {classroom.url}  (this machine only)",
        "  accounts:    " + "\n               ".join(
            f"{user:<12} password {s['passwords'][user]}"
            + ("  (instructor)" if user == s["instructor"] else "")
            for user in (s["instructor"], *s["students"])),
        f"  course:      {classroom.course.root}",
        f"  exchange:    {classroom.exchange}",
        f"  hub log:     {classroom.log}",
    ])


def _this_command(classroom):
    """How to call this command again, as the person typed it (same interpreter and folder)."""
    python = Path(sys.executable)
    try:
        python = python.relative_to(Path.cwd())
    except ValueError:
        pass
    where = "" if classroom.root == DEFAULT_DIR.resolve() else f" --dir {classroom.root}"
    return f"{python} -m instructor classroom{where}"


def add_arguments(parser):
    parser.add_argument("action", choices=("start", "status", "stop"))
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR,
                        help="the classroom's folder (default: classroom-data/)")
    parser.add_argument("--port", type=int, default=8000,
                        help="the port on 127.0.0.1 (start; 0 picks a free one)")
    parser.add_argument("--students", default=",".join(STUDENTS),
                        help="student accounts of a new classroom, comma-separated")


def command(args) -> int:
    if args.action == "start":
        classroom = create(args.dir, students=[s for s in args.students.split(",") if s])
        was_running = is_running(classroom)
        try:
            start(classroom, port=args.port)
        except RuntimeError as err:  # e.g. the port is taken: say so, without a traceback
            print(err, file=sys.stderr)
            return 1
        print(describe(classroom))
        print("\nAlready running." if was_running else "\nRunning.")
        print(f"Stop it with: {_this_command(classroom)} stop")
        return 0
    classroom = Classroom(args.dir)
    if args.action == "stop":
        if not is_running(classroom):
            print(f"No classroom is running in {classroom.root}.")
            stop(classroom)  # forgets a stale pid file
            return 0
        killed = stop(classroom)
        print(f"Stopped the classroom in {classroom.root}"
              + (f" ({len(killed)} process(es) had to be killed)." if killed else "."))
        return 0
    if not is_running(classroom):
        print(f"No classroom is running in {classroom.root}.")
        return 1
    print(describe(classroom))
    print("\nServers:")
    for user in sorted(classroom.api("GET", "users"), key=lambda u: u["name"]):
        server = user.get("servers", {}).get("", {})
        state = "running" if server.get("ready") else "starting" if server else "stopped"
        print(f"  {user['name']:<12} {state}")
    return 0
