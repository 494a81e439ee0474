"""The Chinese edition, from one source: translation files beside the English, editions built.

- **Messages** (the checks, hints, diagnoses, widgets, figures, feedback, the start command):
  written in English in the code, marked with `_()` / `N_()` (course/i18n.py), extracted into
  `course/locale/zh_CN/LC_MESSAGES/`: course.po for the library and the grader, and one catalog
  per assignment (a01_softmax.po ...) for its exercises and their grading.
- **Notebooks**: each text cell of `source/<a>/<a>.ipynb` is a message of
  `source/<a>/<a>.zh_CN.po`, its English (msgid) beside its Chinese (msgstr). The edition
  `source/<a>_zh/<a>_zh.ipynb` is the English notebook with those cells translated and every
  code cell, grade id and point kept as it is.

`python -m instructor translations update` brings every catalog in line with the English: a new
text gets an empty translation, a changed one is marked fuzzy (its old English kept beside it),
a removed one becomes obsolete. `python -m instructor release` refuses to build an edition from a
catalog with anything untranslated, fuzzy or obsolete: a stale translation fails the build.
"""
from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from course import notebooks
from course.i18n import EDITION_SUFFIX, LOCALES
from instructor.course_dir import REPOSITORY, Course

LOCALE = "zh_CN"
MESSAGES = LOCALES / LOCALE / "LC_MESSAGES"
#: where student-facing messages are written: the library, the grading's diagnoses, the feedback
MESSAGE_SOURCES = (REPOSITORY / "course", REPOSITORY / "instructor")
KEYWORDS = {"_": None, "N_": None}
ASSIGNMENT_MODULE = re.compile(r"a(\d\d_\w+)\.py$")


class StaleTranslation(Exception):
    """A catalog that does not translate the English as it is now."""


# ------------------------------------------------------------------------------- catalogs
def _read(path):
    if not Path(path).is_file():
        return Catalog(locale=LOCALE)
    with open(path, "rb") as f:
        return read_po(f, locale=LOCALE)


def _write(catalog, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, omit_header=True, sort_output=False, include_previous=True,
             no_location=True)
    path.write_bytes(buf.getvalue())


def problems(catalog, where):
    """What keeps a catalog from being complete: untranslated, fuzzy, obsolete entries."""
    found = []
    for message in catalog:
        if not message.id:
            continue
        if not message.string:
            found.append(f"{where}: untranslated: {str(message.id)[:70]!r}")
        elif message.fuzzy:
            found.append(f"{where}: stale (the English changed): {str(message.id)[:70]!r}")
    for key in catalog.obsolete:
        found.append(f"{where}: obsolete (the English is gone): {str(key)[:70]!r}")
    return found


def update(template, path):
    """Bring the catalog at path in line with the template (new, changed, removed texts)."""
    catalog = _read(path)
    catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
    _write(catalog, path)
    return catalog


# ------------------------------------------------------------------------------- messages
def message_templates():
    """{catalog name: template}: each assignment's modules (course/exercises/aNN_*.py and
    instructor/grading/aNN_*.py) in the assignment's catalog, the rest in "course"."""
    templates = {}
    for folder in MESSAGE_SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
                str(folder), method_map=[("**.py", "python")], keywords=KEYWORDS,
                comment_tags=("TRANSLATORS:",)):
            own = ASSIGNMENT_MODULE.search(filename)
            name = own.group(1) if own else "course"
            templates.setdefault(name, Catalog(locale=LOCALE)).add(
                message, locations=[(filename, lineno)], auto_comments=comments,
                context=context)
    return templates


def check_messages():
    """Every messages catalog complete and in line with the code (StaleTranslation if not)."""
    found = []
    templates = message_templates()
    for name, template in templates.items():
        path = MESSAGES / f"{name}.po"
        catalog = _read(path)
        found += problems(catalog, path.name)
        found += [f"{path.name}: not in the catalog yet: {str(m.id)[:70]!r}" for m in template
                  if m.id and m.id not in catalog]
    if found:
        raise StaleTranslation("\n".join(found))


# ------------------------------------------------------------------------------- notebooks
def text_cells(nb):
    return [c for c in nb["cells"] if c.get("cell_type") in ("markdown", "raw")]


def notebook_po(course, assignment):
    return course.source / assignment / f"{assignment}.{LOCALE}.po"


def notebook_template(nb):
    template = Catalog(locale=LOCALE)
    for cell in text_cells(nb):
        text = notebooks.source_text(cell)
        if text.strip():
            template.add(text)
    return template


def build_edition(course, assignment, lang="zh"):
    """The `lang` edition of a source notebook (a dict), or StaleTranslation saying why not."""
    nb = copy.deepcopy(notebooks.read(course.notebook(course.source, assignment)))
    catalog = _read(notebook_po(course, assignment))
    found = problems(catalog, f"{assignment}.{LOCALE}.po")
    for cell in text_cells(nb):
        text = notebooks.source_text(cell)
        if not text.strip():
            continue
        message = catalog.get(text)
        if message is None:
            found.append(f"{assignment}.{LOCALE}.po: untranslated cell: {text[:70]!r}")
            continue
        cell["source"] = message.string
    if found:
        raise StaleTranslation("\n".join(found))
    nb["metadata"]["backprop"] = {"language": lang}
    return nb


def write_editions(course=None, lang="zh"):
    """source/<a>_zh/<a>_zh.ipynb for every English source notebook. Returns the paths."""
    course = course or Course(REPOSITORY)
    written = []
    for assignment in english_assignments(course):
        name = assignment + EDITION_SUFFIX[lang]
        path = course.notebook(course.source, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(build_edition(course, assignment, lang), indent=1,
                                   ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def english_assignments(course):
    from course.i18n import edition

    return [a for a in course.assignments() if edition(a)[1] == "en"]


def update_all(course=None):
    """Update the messages' catalog and every notebook's. Returns {path: problems}."""
    course = course or Course(REPOSITORY)
    report = {}
    for name, template in message_templates().items():
        path = MESSAGES / f"{name}.po"
        report[path] = problems(update(template, path), path.name)
    for assignment in english_assignments(course):
        path = notebook_po(course, assignment)
        nb = notebooks.read(course.notebook(course.source, assignment))
        report[path] = problems(update(notebook_template(nb), path), path.name)
    return report
