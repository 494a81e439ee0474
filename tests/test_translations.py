"""The Chinese edition (中文版), from the same source as the English.

Its notebooks are built from the English ones and their catalogs (instructor/translations.py):
every catalog complete and current, the built editions committed as built, and a translation that
keeps everything but the prose: the same code cells, grade ids and points, no formula or code
changed, every message's placeholders kept. Messages come out in the student's language.
"""
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from course import exercises as ex
from course import i18n, notebooks
from instructor.course_dir import Course, REPOSITORY
from instructor.translations import (MESSAGES, build_edition, check_messages,
                                     english_assignments, notebook_po)

COURSE = Course(REPOSITORY)
ASSIGNMENTS = english_assignments(COURSE)
MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+?\$", re.S)  # inline math may span lines
CODE = re.compile(r"```.*?```|`[^`]+`", re.S)  # code blocks, and spans (which may span lines)
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:[:!][^{}]*)?\}")


def catalog(path):
    with open(path, "rb") as f:
        return read_po(f, locale="zh_CN")


def test_six_assignments_have_a_chinese_catalog():
    assert len(ASSIGNMENTS) == 6
    for assignment in ASSIGNMENTS:
        assert notebook_po(COURSE, assignment).is_file(), assignment


def test_every_message_catalog_is_complete_and_current():
    check_messages()  # raises StaleTranslation, listing what is missing, fuzzy or obsolete


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_edition_is_built_from_its_catalog_and_committed_as_built(assignment):
    built = build_edition(COURSE, assignment)  # raises if any text cell is not translated
    committed = notebooks.read(COURSE.notebook(COURSE.source, assignment + "_zh"))
    assert committed == json.loads(json.dumps(built)), \
        f"source/{assignment}_zh is out of date: run `python -m instructor release`"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_edition_changes_only_the_prose(assignment):
    english = notebooks.read(COURSE.notebook(COURSE.source, assignment))
    chinese = notebooks.read(COURSE.notebook(COURSE.source, assignment + "_zh"))
    assert len(english["cells"]) == len(chinese["cells"])
    for en, zh in zip(english["cells"], chinese["cells"]):
        assert en["cell_type"] == zh["cell_type"]
        assert notebooks.nbgrader_meta(en) == notebooks.nbgrader_meta(zh)
        if en["cell_type"] == "code":
            assert notebooks.source_text(en) == notebooks.source_text(zh)
    for a, b in zip(notebooks.read(COURSE.notebook(COURSE.release, assignment))["cells"],
                    notebooks.read(COURSE.notebook(COURSE.release, assignment + "_zh"))["cells"]):
        if a["cell_type"] == "code":  # the release: the same stubs, the same test cells
            assert notebooks.source_text(a) == notebooks.source_text(b)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_formula_or_code_is_changed_by_the_translation(assignment):
    """Every formula and code span of a translated cell is one of its English cell's (the
    English rendering of a quotation of the Chinese sources may be left out, nothing added),
    and the translation is Chinese."""
    for message in catalog(notebook_po(COURSE, assignment)):
        if not message.id:
            continue
        for pattern in (MATH, CODE):
            added = Counter(pattern.findall(message.string)) - Counter(pattern.findall(message.id))
            assert not added, (assignment, message.id[:60], list(added))
        prose = MATH.sub("", CODE.sub("", message.string))
        if re.search(r"[A-Za-z]{4,}", MATH.sub("", CODE.sub("", message.id))):
            assert re.search(r"[\u4e00-\u9fff]", prose), (assignment, message.id[:60])


def test_every_message_keeps_its_placeholders():
    for path in sorted(MESSAGES.glob("*.po")):
        for message in catalog(path):
            if message.id and message.string:
                assert set(PLACEHOLDER.findall(message.string)) == \
                    set(PLACEHOLDER.findall(message.id)), (path.name, message.id)


def test_the_glossary_has_one_chinese_term_per_english_term():
    rows = [line.split("|")[1:3] for line in
            (i18n.LOCALES / "zh_CN" / "glossary.md").read_text().splitlines()
            if line.startswith("| ") and not line.startswith("| English")]
    english = [en.strip() for en, _ in rows]
    assert len(rows) > 40 and len(english) == len(set(english))


def test_a_check_speaks_the_students_language():
    def unstable(Z):
        raise NotImplementedError()

    with i18n.speaking("zh"):
        with pytest.raises(ex.CheckFailed) as zh:
            ex.softmax.check(unstable)
    with i18n.speaking("en"):
        with pytest.raises(ex.CheckFailed) as en:
            ex.softmax.check(unstable)
    assert re.search(r"[\u4e00-\u9fff]", str(zh.value)), str(zh.value)
    assert not re.search(r"[\u4e00-\u9fff]", str(en.value))


def test_the_chinese_edition_folder_speaks_chinese(tmp_path, monkeypatch):
    folder = tmp_path / "01_softmax_zh"
    folder.mkdir()
    monkeypatch.delenv("BACKPROP_LANG", raising=False)
    monkeypatch.chdir(folder)
    assert i18n.language() == "zh"
    monkeypatch.setenv("BACKPROP_LANG", "en")
    assert i18n.language() == "en"
    assert i18n.edition("01_softmax_zh") == ("01_softmax", "zh")
    assert Path(REPOSITORY / "release" / "01_softmax_zh" / "01_softmax_zh.ipynb").is_file()


def test_a_changed_english_cell_makes_its_translation_stale(tmp_path):
    """Edit one English text cell: the Chinese edition can no longer be built, and the update
    marks that translation stale (fuzzy), its old English kept beside it for the translator."""
    from instructor.translations import (StaleTranslation, notebook_template, problems,
                                         update)

    course = Course(tmp_path)
    assignment = ASSIGNMENTS[0]
    folder = course.source / assignment
    folder.mkdir(parents=True)
    nb = notebooks.read(COURSE.notebook(COURSE.source, assignment))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    cell["source"] = notebooks.source_text(cell) + "\n\nOne more sentence."
    (folder / f"{assignment}.ipynb").write_text(json.dumps(nb))
    po = notebook_po(course, assignment)
    po.write_bytes(notebook_po(COURSE, assignment).read_bytes())
    with pytest.raises(StaleTranslation, match="untranslated cell"):
        build_edition(course, assignment)
    found = problems(update(notebook_template(nb), po), po.name)
    assert any("stale" in line for line in found), found
    with pytest.raises(StaleTranslation, match="stale"):
        build_edition(course, assignment)
