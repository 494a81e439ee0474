"""Generate what students get, from source/: the only way release/ and the editions are written.

    python -m instructor release                    # both editions of every assignment
    python -m instructor release --lang en          # the English edition only
    python -m instructor release 01_softmax         # one assignment (both editions)

In order: the public checks' worked examples (instructor/examples.py); a check that the
messages' catalogs are complete, and the Chinese edition of each notebook, source/<a>_zh/
(instructor/translations.py: refused while a translation is missing or stale); then `nbgrader
generate_assignment` for each edition, which writes release/<a>/ and release/<a>_zh/.
"""
from __future__ import annotations

from course.i18n import EDITION_SUFFIX, LANGUAGES
from instructor.course_dir import Course, repository_course
from instructor.nbgrader_cli import generate_assignments


def generate_release(course=None, names=None, languages=LANGUAGES):
    """Returns the files written."""
    from instructor import examples, translations

    course = course if isinstance(course, Course) else \
        Course(course) if course is not None else repository_course()
    written = [examples.write()]
    if "zh" in languages:
        translations.check_messages()
        written += translations.write_editions(course)
    editions = [name + EDITION_SUFFIX[lang] for name in
                names or translations.english_assignments(course) for lang in languages]
    generate_assignments(course, editions)
    return written + [course.notebook(course.release, edition) for edition in editions]
