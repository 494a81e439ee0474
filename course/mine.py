"""Your own functions, from your earlier notebooks: ``from course.mine import softmax``.

Later notebooks build on what you wrote before: 05's forward pass calls your 01 ``softmax`` and
your 03 ``affine_forward``. You never retype them. This module finds the notebook where the
exercise was asked (course.exercises knows), opens your copy of it, runs its setup and solution
cells (nothing else) in a namespace of their own, and hands you the function.

Your copy is looked for beside the folder of the notebook you are running
(``../01_softmax/01_softmax.ipynb``, or ``../01_softmax_zh/01_softmax_zh.ipynb`` in the Chinese
edition: the layout of the course's work folder and of nbgrader's fetched assignments), or under
``$BACKPROP_WORK`` when that is set (as the grader does). It is
read again whenever you save it. If it is missing, or the function is not written yet, you get a
stand-in that says so when it is called, never a silent wrong answer.

When your notebook is graded, each function is graded with the instructor's versions of the
earlier ones it calls: a mistake made in 01 costs its points in 01 only.
"""
from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from course import notebooks
from course.i18n import EDITION_SUFFIX, LANGUAGES, N_, _, language


class EarlierWorkMissing(NotImplementedError):
    """The function comes from an earlier notebook that is missing or does not define it yet."""


_LOADED = {}  # path -> (modification time, namespace, error: (message, its fields) or None)


def workspace():
    """Where your assignment folders are."""
    return Path(os.environ.get("BACKPROP_WORK") or Path.cwd().parent)


def notebook_of(assignment):
    """Your notebook of `assignment` in the edition you work in (01_softmax_zh/ when you read
    Chinese), else in the other edition: the code is the same in both."""
    editions = [language()] + [lang for lang in LANGUAGES if lang != language()]
    paths = [workspace() / name / f"{name}.ipynb"
             for name in (assignment + EDITION_SUFFIX[lang] for lang in editions)]
    return next((path for path in paths if path.is_file()), paths[0])


def _said(error):
    """An error kept as (message, its fields), in the student's language now."""
    if error is None:
        return None
    message, fields = error
    return _(message).format(**fields)


def _load(assignment):
    """(namespace, error) of your copy of `assignment`, the error untranslated (it is kept)."""
    path = notebook_of(assignment)
    if not path.is_file():
        return {}, (N_("your notebook {assignment} was not found at {path}"),
                    {"assignment": assignment, "path": path})
    mtime = path.stat().st_mtime
    cached = _LOADED.get(path)
    if cached and cached[0] == mtime:
        return cached[1], cached[2]
    namespace, error = {"__name__": f"course.mine.{assignment}"}, None
    try:
        nb = notebooks.read(path)
        for cell in nb.get("cells", []):
            if notebooks.is_setup(cell) or notebooks.is_solution(cell):
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(notebooks.source_text(cell), str(path), "exec"), namespace)
    except Exception as err:  # noqa: BLE001 - whatever their notebook does
        error = (N_("running your notebook {assignment} failed: {error}: {message}"),
                 {"assignment": assignment, "error": type(err).__name__, "message": err})
    _LOADED[path] = (mtime, namespace, error)
    return namespace, error


def load(assignment):
    """(namespace, error) of your copy of `assignment`: its setup and solution cells, run."""
    namespace, error = _load(assignment)
    return namespace, _said(error)


def function(name):
    """Your `name`, from the notebook of the exercise of that name."""
    from course import exercises

    assignment = exercises.assignment_of(name)
    namespace, error = _load(assignment)
    found = namespace.get(name)
    if callable(found):
        return found
    error = error or (N_("your notebook {assignment} does not define {name}"),
                      {"assignment": assignment, "name": name})

    def stand_in(*args, **kwargs):  # says why in the language of the moment it is called
        raise EarlierWorkMissing(
            _("`{name}` comes from your notebook {assignment}, but {why}. Finish it there, "
              "save it, and run this notebook's first cell again.").format(
                name=name, assignment=assignment, why=_said(error)))

    stand_in.__name__ = name
    return stand_in


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return function(name)
