"""The language a student reads: English (the source) or Simplified Chinese (简体中文).

Every student-facing message of the course is written in English in the code, marked for
translation, and shown in the student's language:

    from course.i18n import _, N_

    _("the rows of your softmax sum to {sums}, not 1").format(sums=...)   # translated now
    HINTS = [N_("Work one row at a time ...")]    # marked here, translated when shown: _(HINTS[0])

The Chinese comes from the catalog `course/locale/zh_CN/LC_MESSAGES/course.po` (compiled to
course.mo by `python -m instructor release`). The language is, in this order: the one set by
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


@lru_cache(maxsize=None)
def catalog(lang):
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation("course", localedir=LOCALES, languages=["zh_CN"], fallback=True)


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
