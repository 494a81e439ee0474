"""The language a student reads: English (the source) or Simplified Chinese (简体中文).

Every student-facing message of the course is written in English in the code, marked for
translation, and shown in the student's language:

    from course.i18n import _, N_

    _("the rows of your softmax sum to {sums}, not 1").format(sums=...)   # translated now
    HINTS = [N_("Work one row at a time ...")]    # marked here, translated when shown: _(HINTS[0])

The Chinese comes from the catalogs in `course/locale/zh_CN/LC_MESSAGES/`: course.po for the
library, and one per assignment (a01_softmax.po, ...) for its exercises and their grading
(read as they are: nothing is compiled). The language is, in this order: the one set by
`speaking(lang)` (the grader, for one student's submission), the environment variable
BACKPROP_LANG (`en` or `zh`; `python -m course start --lang zh` and the grader set it),
else Chinese when the notebook runs in a folder of the Chinese edition (its name ends in `_zh`),
else English.
"""
from __future__ import annotations

import gettext
import os
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "zh")
LOCALES = Path(__file__).with_name("locale")
EDITION_SUFFIX = {"en": "", "zh": "_zh"}  # 01_softmax (en) and 01_softmax_zh (zh)


_SPEAKING = ContextVar("speaking", default=None)


@contextmanager
def speaking(lang):
    """Messages made in this block are in `lang` (the grader, for one student's submission)."""
    token = _SPEAKING.set(lang)
    try:
        yield
    finally:
        _SPEAKING.reset(token)


def language():
    """"en" or "zh": the language the student reads now."""
    if _SPEAKING.get() is not None:
        return _SPEAKING.get()
    chosen = os.environ.get("BACKPROP_LANG", "").lower().replace("-", "_")
    if chosen.startswith("zh"):
        return "zh"
    if chosen.startswith("en"):
        return "en"
    try:
        here = Path.cwd().name
    except OSError:
        return "en"
    return "zh" if here.endswith(EDITION_SUFFIX["zh"]) else "en"


class Catalog(gettext.NullTranslations):
    """The translations of every catalog of a language, read from their .po files (the one
    source; nothing compiled is kept): course.po (the library), a01_softmax.po ... (each
    assignment's exercises and grading). An untranslated or stale message stays English."""

    def __init__(self, folder):
        super().__init__()
        self.messages = {}
        try:
            from babel.messages.pofile import read_po
        except ImportError:  # no Babel: English
            return
        for path in sorted(Path(folder).glob("*.po")) if Path(folder).is_dir() else []:
            with open(path, "rb") as f:
                for message in read_po(f):
                    if message.id and message.string and not message.fuzzy:
                        self.messages[message.id] = message.string

    def gettext(self, message):
        return self.messages.get(message, message)


@lru_cache(maxsize=None)
def catalog(lang):
    if lang == "en":
        return gettext.NullTranslations()
    return Catalog(LOCALES / "zh_CN" / "LC_MESSAGES")


def _(message):
    """message in the student's language (the English itself when there is no translation)."""
    return catalog(language()).gettext(message)


def N_(message):
    """Marks a message for translation where it is defined; `_` translates it when shown."""
    return message


def edition(assignment):
    """(base assignment, language) of an assignment folder: 01_softmax_zh -> (01_softmax, zh)."""
    for lang, suffix in EDITION_SUFFIX.items():
        if suffix and assignment.endswith(suffix):
            return assignment[: -len(suffix)], lang
    return assignment, "en"
