"""JupyterHub configuration of the course's classroom on one host.

Started by `python -m instructor classroom start` (instructor/classroom.py), which sets
BACKPROP_CLASSROOM to the classroom's folder; everything that differs between classrooms (ports,
accounts, passwords, the API token of the classroom's own service) is read from its
classroom.json. What changes for a real deployment is said in docs/deploy-kubernetes.md.

Every server listens on 127.0.0.1 only: the hub's proxy (the PyPI port of
configurable-http-proxy), the hub itself, and each user's single-user JupyterLab.
"""
import hmac
import json
import os
import sys
from pathlib import Path

CLASSROOM = Path(os.environ["BACKPROP_CLASSROOM"]).resolve()
SETTINGS = json.loads((CLASSROOM / "classroom.json").read_text())
TEMPLATES = Path(__file__).resolve().parent  # this folder: the role configurations
BIN = Path(sys.executable).parent            # the course's environment (.venv/bin)
HUB = CLASSROOM / "hub"

sys.path.insert(0, SETTINGS["repository"])
from instructor.classroom import role_of  # noqa: E402

c = get_config()  # noqa: F821 - provided by JupyterHub

# ----------------------------------------------------------------------- network: loopback only
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = SETTINGS["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = SETTINGS["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{SETTINGS['proxy_api_port']}"
# The PyPI port of the proxy gives up on a request after 20 s unless told otherwise; nbgrader's
# Validate runs the whole notebook (06 trains a network) before it answers.
c.ConfigurableHTTPProxy.command = [str(BIN / "configurable-http-proxy"),
                                   "--proxy-timeout", str(15 * 60 * 1000)]
c.ConfigurableHTTPProxy.pid_file = str(HUB / "proxy.pid")
c.Spawner.ip = "127.0.0.1"

# ------------------------------------------------------------------------------- hub's own state
c.JupyterHub.db_url = f"sqlite:///{HUB / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(HUB / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(HUB / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server

# -------------------------------------------------------------------------------------- accounts
# The demo's accounts: each person has their own password, made when the classroom was created
# (classroom.json; `python -m instructor classroom status` prints them). The instructor is a hub
# admin. A real deployment signs people in with the institution's accounts instead (an
# OAuthenticator for the campus identity provider or the LMS, LTI 1.3 from the LMS, or PAM).
from jupyterhub.auth import Authenticator  # noqa: E402


class ClassroomAuthenticator(Authenticator):
    """Each account of classroom.json with its own password."""

    async def authenticate(self, handler, data):
        expected = SETTINGS["passwords"].get(data.get("username", ""))
        if expected and hmac.compare_digest(expected.encode(), data.get("password", "").encode()):
            return data["username"]
        return None


c.JupyterHub.authenticator_class = ClassroomAuthenticator
c.Authenticator.allowed_users = set(SETTINGS["passwords"])
c.Authenticator.admin_users = {SETTINGS["instructor"]}
c.JupyterHub.template_vars = {
    "announcement_login": "Backpropagation, by hand: sign in with your course account."}

# The classroom's own service: `python -m instructor classroom status` and the tests use its
# token to see and start servers; it is not a person and has no server.
c.JupyterHub.services = [{"name": "classroom", "api_token": SETTINGS["api_token"]}]
c.JupyterHub.load_roles = [{
    "name": "classroom", "services": ["classroom"],
    "scopes": ["list:users", "read:users", "admin:servers", "tokens"]}]

# -------------------------------------------------------------------------------------- servers
# One host: every user's JupyterLab runs as the same Unix user, each in its own home folder
# (homes/<name>). nbgrader's exchange tells students apart by their hub name (see
# classroom/student/nbgrader_config.py). This gives NO isolation between users: a real
# deployment runs each server in its own container (KubeSpawner, DockerSpawner) or as its own
# Unix user (LocalProcessSpawner with system accounts, SystemdSpawner).
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(CLASSROOM / "homes" / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
if os.geteuid() == 0:  # a container or CI running as root
    c.Spawner.args = ["--allow-root"]
# Generous limits: the classroom must come up on a busy two-core machine.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "USPS_DIR", "OPENBLAS_CORETYPE",
                      "OPENBLAS_L2_SIZE"]


def role_environment(spawner):
    """What differs between a student's server and the instructor's: the role's Jupyter
    configuration (classroom/student or classroom/instructor) and where the course is."""
    name = spawner.user.name
    role = role_of(name)
    env = {"JUPYTER_CONFIG_PATH": os.pathsep.join([str(TEMPLATES / role),
                                                   str(TEMPLATES / "common")]),
           "BACKPROP_EXCHANGE": str(CLASSROOM / "exchange"),
           "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "/usr/bin:/bin")])}
    if role == "instructor":
        # the course folder lives in the instructor's home (the formgrader needs it below the
        # server's root); `python -m instructor ...` works in the instructor's terminal
        env["BACKPROP_COURSE_DIR"] = str(CLASSROOM / "homes" / name / SETTINGS["course_id"])
        env["PYTHONPATH"] = SETTINGS["repository"]
    spawner.environment.update(env)


c.Spawner.pre_spawn_hook = role_environment
