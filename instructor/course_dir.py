"""A course directory and everything in it, named once: where each kind of file lives.

    root/
      nbgrader_config.py      the course's nbgrader settings (instructor/nbgrader_settings.py)
      gradebook.db            nbgrader's gradebook
      source/<a>/<a>.ipynb    the instructor's notebooks (solutions and all)
      release/<a>/<a>.ipynb   what students get (generated)
      submitted/<student>/<a>/   what they hand in (never modified by the grader)
      autograded/, feedback/  nbgrader's outputs
      .grading/               the grader's own state: staged copies, records, cache
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]  # the folder holding `instructor/` and `course/`
COURSE_ID = "backprop"


@dataclass(frozen=True)
class Course:
    root: Path

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())

    course_id = COURSE_ID

    # ---------------------------------------------------------------------------- folders
    @property
    def source(self):
        return self.root / "source"

    @property
    def release(self):
        return self.root / "release"

    @property
    def submitted(self):
        return self.root / "submitted"

    @property
    def autograded(self):
        return self.root / "autograded"

    @property
    def feedback(self):
        return self.root / "feedback"

    @property
    def state(self):
        """The grader's own folder: never shown to student code (the sandbox hides it)."""
        return self.root / ".grading"

    @property
    def staged(self):
        return self.state / "staged"

    @property
    def records(self):
        return self.state / "records"

    # ------------------------------------------------------------------------------ files
    @property
    def gradebook(self):
        return self.root / "gradebook.db"

    @property
    def db_url(self):
        return f"sqlite:///{self.gradebook}"

    def notebook(self, folder, assignment, student=None):
        """The notebook of `assignment` in source/, release/, autograded/ ... (a Path)."""
        base = folder if student is None else folder / student
        return base / assignment / f"{assignment}.ipynb"

    def record(self, student, assignment):
        return self.records / student / f"{assignment}.json"

    def assignments(self):
        """The assignment folders in source/, in order (each holds a notebook of its name)."""
        if not self.source.is_dir():
            return []
        return sorted(p.name for p in self.source.iterdir()
                      if (p / f"{p.name}.ipynb").is_file())

    def students(self):
        """The students with a folder in submitted/."""
        if not self.submitted.is_dir():
            return []
        return sorted(p.name for p in self.submitted.iterdir() if p.is_dir())


def repository_course():
    """The course directory of this repository."""
    return Course(REPOSITORY)


CONFIG = '''"""nbgrader settings of this course folder: the course's own, from {repository}."""
import sys
from pathlib import Path

sys.path.insert(0, {repository!r})
from instructor.nbgrader_settings import configure  # noqa: E402

configure(get_config(), Path(__file__).resolve().parent{settings})  # noqa: F821
'''


def new_course(root, **settings):
    """A new course folder at root: this repository's source notebooks and an nbgrader_config.py
    with the course's settings (settings: keyword overrides, e.g. cell_timeout=30)."""
    import shutil

    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPOSITORY / "source", root / "source", dirs_exist_ok=True)
    extra = "".join(f", {k}={v!r}" for k, v in settings.items())
    (root / "nbgrader_config.py").write_text(CONFIG.format(repository=str(REPOSITORY),
                                                           settings=extra))
    return Course(root)
