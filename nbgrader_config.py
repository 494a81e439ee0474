"""nbgrader settings for the backpropagation course; the settings themselves, with the reasons
for each, are in instructor/nbgrader_settings.py."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from instructor.nbgrader_settings import configure  # noqa: E402

configure(get_config(), ROOT)  # noqa: F821 - get_config is provided by nbgrader
