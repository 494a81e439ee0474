"""nbgrader settings for the backpropagation course (read by every nbgrader command run here)."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "backprop"
c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'gradebook.db'}"

# What a release stub looks like.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Never copy these into a release or feedback (only the notebooks are handed out).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            ".*", "*.db", "instructor", "reference*", "*.py"]

# The hidden tests import the instructor's package: put the course root on the kernel's path.
# (Kernels inherit this process's environment.)
_path = os.environ.get("PYTHONPATH", "")
if str(ROOT) not in _path.split(os.pathsep):
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), _path) if p)

# Student code runs in the grading kernel: a sandbox that hides the gradebook, source/, other
# submissions and feedback, with memory and CPU caps (see instructor/sandbox_kernel.py).
import sys  # noqa: E402

sys.path.insert(0, str(ROOT))
from instructor.sandbox_kernel import KERNEL_NAME, install  # noqa: E402

install(ROOT)
c.Execute.kernel_name = KERNEL_NAME
c.Execute.timeout = 120                # seconds per cell; then the kernel is interrupted
c.Execute.interrupt_on_timeout = True
