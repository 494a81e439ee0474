"""Every classroom server (students' and the instructor's): JupyterLab without the news feed or
update checks (no pop-up asking to fetch news from the internet), with the classroom's default
settings (lab-settings/overrides.json)."""
from pathlib import Path

c = get_config()  # noqa: F821 - provided by Jupyter
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent / "lab-settings")
# Terminals run bash as it is, not as a login shell (which reads /etc/profile and resets PATH):
# `python` in a terminal is the course's Python, with its packages.
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash"]}
