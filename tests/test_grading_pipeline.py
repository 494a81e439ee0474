"""The instructor's pipeline, end to end, on the simulated class (instructor/demo.py).

One real run of the whole pipeline (nbgrader's gradebook, the notebooks in sandboxed kernels on
all cores, the trusted re-grade, feedback, export) is shared by the tests below. They check the
exact score of every graded cell of every student, the flags (by kind), the CSVs, that neither
the autograded notebooks nor the feedback hold any instructor code or hidden expected value, that
every attack is contained, how long hostile submissions held a worker, that a second run changes
nothing, that editing the reference re-grades exactly the submissions it affects, and that the
pipeline's scores are those of a plain sequential `nbgrader autograde`.
"""
import csv
import hashlib
import html
import io
import json
import re
import shutil
import tokenize
from pathlib import Path

import numpy as np
import pytest

from course import notebooks
from course.i18n import EDITION_SUFFIX, edition
from instructor import fingerprint, grading
from instructor.course_dir import Course
from instructor.demo import CLASS, EXPECTED_FLAGS
from instructor.flags import Kind
from instructor.nbgrader_cli import run_nbgrader
from instructor.pipeline import grade_class
from instructor.report import summary_table
from instructor.sandbox import detect

ROOT = Path(__file__).resolve().parents[1]
#: The points of every test cell, as the source notebooks declare them.
FULL = {a: {gid: points for gid, (points, _) in
            notebooks.graded_cells(notebooks.read(ROOT / "source" / a / f"{a}.ipynb")).items()}
        for a in ("01_softmax", "02_cross_entropy", "03_relu_mask", "04_l2_penalty",
                  "05_backprop", "06_train_digits")}
LEAKERS = ("ra_reads_instructor", "xa_leaks_by_import", "ya_leaks_by_files",
           "za_leaks_by_process")


def zero(assignment):
    return {gid: 0 for gid in FULL[assignment]}


def full_but(assignment, *zeros):
    assert set(zeros) <= set(FULL[assignment]), zeros
    return {gid: (0 if gid in zeros else pts) for gid, pts in FULL[assignment].items()}


# The final score of every graded cell: what each simulated student deserves. A mistake costs
# its own exercise only: a later exercise that calls the wrong function is graded with the
# instructor's version of it.
EXPECTED = {
    "bo_blank": {"01_softmax": zero("01_softmax"), "02_cross_entropy": zero("02_cross_entropy")},
    "cy_unstable_softmax": {"01_softmax": full_but("01_softmax", "test_softmax")},
    "io_wrong_axis": {"01_softmax": full_but("01_softmax", "test_softmax")},
    "di_missing_1_over_m": {"02_cross_entropy": full_but(
        "02_cross_entropy", "test_softmax_cross_entropy_backward")},
    "ha_sum_not_mean": {"02_cross_entropy": full_but("02_cross_entropy", "test_cross_entropy")},
    "ed_mask_ge_zero": {"03_relu_mask": full_but("03_relu_mask", "test_relu_mask")},
    "fa_transposed": {"03_relu_mask": full_but("03_relu_mask", "test_affine_backward")},
    "ji_missing_mask": {"03_relu_mask": full_but("03_relu_mask", "test_relu_backward")},
    "gu_lambda_not_halved": {"04_l2_penalty": full_but("04_l2_penalty", "test_l2_penalty")},
    "jo_swapped_cases": {"01_softmax": full_but("01_softmax", "test_ce_grad_by_hand",
                                                "test_source_cases", "test_ce_partial")},
    "ki_outer_trap": {"01_softmax": full_but("01_softmax", "test_softmax_jacobian")},
    "le_loop_and_epsilon": {"02_cross_entropy": full_but("02_cross_entropy", "test_one_hot",
                                                         "test_cross_entropy")},
    "ko_lam_unscaled": {"04_l2_penalty": full_but("04_l2_penalty", "test_minibatch_lam")},
    "li_biases_penalised": {"04_l2_penalty": full_but("04_l2_penalty",
                                                      "test_regularised_grads")},
    "mi_backprop_slips": {"05_backprop": full_but("05_backprop", "test_backward",
                                                  "test_dW2_from", "test_op_counts")},
    "no_training_slips": {"06_train_digits": full_but("06_train_digits", "test_accuracy",
                                                      "test_sgd_step", "test_test_once")},
    # the cell that kills its process costs its own exercise only
    "ka_kills_kernel": {"01_softmax": full_but("01_softmax", "test_ce_partial")},
    "lu_infinite_loop": {"01_softmax": full_but("01_softmax", "test_softmax")},
    "mo_memory_hog": {"01_softmax": full_but("01_softmax", "test_softmax")},
    "na_edits_tests": {"01_softmax": zero("01_softmax")},
    "ob_deletes_tests": {"01_softmax": zero("01_softmax")},
    "pi_retags_tests": {"01_softmax": zero("01_softmax")},
    "qu_monkeypatches": {"01_softmax": zero("01_softmax")},
    # what it took from the reference earns nothing (the import fails); the rest is its own
    "ra_reads_instructor": {"01_softmax": full_but("01_softmax", "test_softmax",
                                                   "test_softmax_jacobian")},
    "sa_renamed": {"01_softmax": FULL["01_softmax"]},
    "tu_missing": {"01_softmax": None},  # no notebook: no cells graded
    "ul_corrupt": {"01_softmax": None},
    "wa_late": {"01_softmax": FULL["01_softmax"]},
    # the Chinese edition is graded cell for cell as the English
    "lin_zh": {"01_softmax_zh": full_but("01_softmax", "test_ce_partial")},
}


def tree_digest(folder):
    h = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def graded(demo_class):
    return demo_class


def cell_scores(root):
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "backprop") as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                cells = {g.name: g.score for nb in sub.notebooks for g in nb.grades}
                auto = {g.name: g.auto_score for nb in sub.notebooks for g in nb.grades}
                out[(sub.student.id, assignment.name)] = (cells, auto)
    return out


def visible_text(page):
    """What a reader of an HTML page sees."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))


def test_every_cell_of_every_student_scores_what_it_deserves(graded):
    root, report, _ = graded
    scores = cell_scores(root)
    for student, work in CLASS.items():
        for assignment in work:
            base, _lang = edition(assignment)
            if base not in FULL:
                continue
            expected = EXPECTED.get(student, {}).get(assignment, FULL[base])
            got = scores.get((student, assignment), ({}, {}))[0]
            if expected is None:
                assert not any(got.values()), f"{student}/{assignment}: {got}"
                continue
            assert got == expected, f"{student}/{assignment}"


def test_the_correct_student_gets_full_marks_on_all_six(graded):
    root, report, _ = graded
    ada = {r.assignment: r for r in report.results if r.student == "ada_correct"}
    assert len(ada) == 6
    for r in ada.values():
        assert r.score == r.max_score > 0 and not r.flags, (r.assignment, r.flags)


def test_each_student_gets_exactly_the_flags_it_deserves(graded):
    root, report, _ = graded
    kinds = {}
    for r in report.results:
        kinds.setdefault(r.student, set()).update(f.kind for f in r.flags)
    for student in CLASS:
        assert kinds[student] == EXPECTED_FLAGS.get(student, set()), \
            (student, [str(f) for r in report.results if r.student == student for f in r.flags])


def test_the_chinese_edition_is_graded_as_its_assignment_and_answered_in_chinese(graded):
    root, report, _ = graded
    lin = {r.assignment: r for r in report.results if r.student == "lin_zh"}
    assert sorted(lin) == sorted(FULL)  # one result per assignment, whatever the edition
    for assignment, r in lin.items():
        lost = FULL[assignment]["test_ce_partial"] if assignment == "01_softmax" else 0
        assert r.score == r.max_score - lost and r.max_score == sum(FULL[assignment].values())
    page = visible_text(root / "feedback" / "lin_zh" / "01_softmax_zh" / "01_softmax_zh.html")
    assert "✓ 隐藏测试通过。" in page and "✗ 隐藏测试未通过：" in page
    assert "Hidden tests passed" not in page
    with open(root / "grading-report.csv") as f:
        rows = {(r["student"], r["assignment"]): r for r in csv.DictReader(f)}
    assert rows[("lin_zh", "01_softmax")]["language"] == "zh"
    assert rows[("ada_correct", "01_softmax")]["language"] == "en"


def test_csv_exports(graded):
    root, report, _ = graded
    with open(root / "grades.csv") as f:
        rows = list(csv.DictReader(f))
    by = {(r["student_id"], r["assignment"]): r for r in rows}
    assert float(by[("ada_correct", "06_train_digits")]["score"]) == \
        float(by[("ada_correct", "06_train_digits")]["max_score"]) > 0
    assert float(by[("qu_monkeypatches", "01_softmax")]["score"]) == 0
    assert float(by[("wa_late", "01_softmax")]["score"]) == sum(FULL["01_softmax"].values())
    for r in report.results:
        if r.submitted and (r.student, r.assignment) in by:
            handed_in = r.assignment + EDITION_SUFFIX[r.language]  # nbgrader keeps editions apart
            assert float(by[(r.student, handed_in)]["score"]) == pytest.approx(r.score)
    with open(root / "grading-report.csv") as f:
        rows = {(r["student"], r["assignment"]): r for r in csv.DictReader(f)}
    assert rows[("wa_late", "01_softmax")]["flag_kinds"] == "late"
    assert rows[("ul_corrupt", "01_softmax")]["score"] == "0"
    assert rows[("bo_blank", "03_relu_mask")]["submitted"] == "no"


def test_summary_names_the_outputs(graded):
    root, report, _ = graded
    text = summary_table(report)
    total = sum(sum(cells.values()) for cells in FULL.values())
    assert "ada_correct" in text and f"{total:g}/{total:g}" in text.replace(" ", "")
    assert str(root / "grades.csv") in text and "Feedback" in text


# ------------------------------------------------------------------------------------ leaks
def instructor_code_lines():
    """Every line of instructor/ that is code (not only a string or a comment), long enough to
    mean something, and that no notebook or course file holds (a student may write those)."""
    public = "\n".join(p.read_text() for p in (ROOT / "course").rglob("*.py"))
    public += "\n".join(notebooks.source_text(c) for p in (ROOT / "source").rglob("*.ipynb")
                        for c in notebooks.read(p)["cells"])
    lines = set()
    for path in (ROOT / "instructor").rglob("*.py"):
        text = path.read_text()
        code_rows = set()
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.NAME, tokenize.OP, tokenize.NUMBER):
                code_rows.update(range(tok.start[0], tok.end[0] + 1))
        for n, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if n in code_rows and len(stripped) >= 24 and stripped not in public \
                    and not stripped.startswith(("#", '"', "'", "f\"", "f'")):
                lines.add(stripped)
    return lines


def printed_numbers(values):
    """The numbers in `values` (nested dicts, lists, tuples, arrays), as a reader could see
    them printed."""
    numbers, stack = set(), list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack += list(value.values())
        elif isinstance(value, (tuple, list)) and not all(
                isinstance(v, (int, float)) for v in value):
            stack += list(value)
        elif value is not None and not isinstance(value, str):
            try:
                xs = np.asarray(value, float).ravel()[:2000]
            except (TypeError, ValueError):
                continue
            for x in xs:
                if np.isfinite(x) and abs(x - round(x)) > 1e-3:
                    numbers.update({f"{x:.6g}", f"{x:.7g}", repr(float(x))})
    return {n for n in numbers if len(n.strip("-0.")) >= 5}


#: Numbers any student may see: the public worked examples' results (course/exercises/).
PUBLIC_NUMBERS = printed_numbers([json.loads((ROOT / "course" / "exercises" /
                                              "examples.json").read_text())])


def expected_numbers(assignment):
    """The hidden cases' expected values of an assignment that are not public anyway."""
    return printed_numbers(graded.expected(index) for graded in grading.assignments()[assignment]
                           for index, _ in enumerate(graded.make_cases())) - PUBLIC_NUMBERS


def test_no_instructor_code_and_no_expected_value_reaches_autograded_or_feedback(graded):
    root, report, _ = graded
    private = instructor_code_lines()
    assert len(private) > 300
    secrets = {a: expected_numbers(a) for a in FULL}
    assert all(len(s) > 50 for s in secrets.values())
    pages = list((root / "feedback").rglob("*.html"))
    assert len(pages) >= 25
    for student, assignment, path in [(p.parts[-3], p.parts[-2], p) for p in pages] + [
            (s, "01_softmax", root / "autograded" / s / "01_softmax" / "01_softmax.ipynb")
            for s in LEAKERS]:
        text = visible_text(path) if path.suffix == ".html" else path.read_text()
        for marker in ("BEGIN HIDDEN", "END HIDDEN", "instructor.grading import", "Graded("):
            assert marker not in text, f"{path}: {marker}"
        own = "\n".join(notebooks.source_text(c) for p in
                        (root / "submitted" / student / assignment).glob("*.ipynb")
                        for c in notebooks.read(p)["cells"])  # what the student wrote
        for line in private:
            assert line not in text or line in own, f"{path}: instructor line {line!r}"
        for number in secrets.get(edition(assignment)[0], ()):
            assert number not in text, f"{path}: expected value {number}"


def test_the_leakers_found_nothing_and_scored_what_they_wrote(graded):
    root, report, _ = graded
    text = {s: (root / "autograded" / s / "01_softmax" / "01_softmax.ipynb").read_text()
            for s in LEAKERS}
    assert text["xa_leaks_by_import"].count("ModuleNotFoundError") >= 3
    assert "files found: 0" in text["ya_leaks_by_files"]
    if detect().available:
        env = [json.loads(json.dumps(c)) for c in json.loads(text["za_leaks_by_process"])["cells"]]
        printed = "".join(o.get("text", "") if isinstance(o.get("text"), str) else
                          "".join(o.get("text", [])) for c in env for o in c.get("outputs", []))
        assert "/proc/1/environ b''" in printed  # the sandbox's init has an empty environment
        assert "/root" not in printed.split("cmdline")[0]
    scores = {r.student: r.score for r in report.results if r.assignment == "01_softmax"}
    full = sum(FULL["01_softmax"].values())
    assert scores["xa_leaks_by_import"] == scores["ya_leaks_by_files"] == full
    assert scores["za_leaks_by_process"] == full


def test_feedback_says_what_is_wrong(graded):
    root, _, _ = graded
    cy = visible_text(root / "feedback/cy_unstable_softmax/01_softmax/01_softmax.html")
    assert "Hidden tests failed" in cy and "Likely mistake: an unstable softmax" in cy
    ada = visible_text(root / "feedback/ada_correct/01_softmax/01_softmax.html")
    assert ada.count("Hidden tests passed") == len(FULL["01_softmax"])


def test_attacks_are_contained_quickly(graded):
    root, report, _ = graded
    course = Course(root)
    assert not (root / "hacked.txt").exists()
    # the broken submissions are kept as they were handed in
    assert (root / "submitted" / "ul_corrupt" / "01_softmax" / "01_softmax.ipynb").is_file()
    assert (root / "submitted" / "sa_renamed" / "01_softmax" / "01_softmax (1).ipynb").is_file()
    held = {s: json.loads(course.record(s, "01_softmax").read_text())["seconds"]["total"]
            for s in ("lu_infinite_loop", "ka_kills_kernel", "mo_memory_hog", "ada_correct")}
    print("seconds a worker was held:", {s: round(t, 1) for s, t in held.items()})
    # a 30 s cell limit (the demo's) plus 15 s for the looping exercise in the re-grade, and
    # generous room for a loaded machine: minutes, not the ten it used to take
    assert held["lu_infinite_loop"] < 150, held


# ------------------------------------------------------------------------------------ cache
def test_a_second_run_changes_nothing(graded):
    root, _, _ = graded
    before = {name: (root / name).read_bytes() for name in ("grades.csv", "grading-report.csv")}
    submitted = tree_digest(root / "submitted")
    report = grade_class(root, log=lambda *a: None)
    assert report.regraded == []
    for name, content in before.items():
        assert (root / name).read_bytes() == content, name
    assert tree_digest(root / "submitted") == submitted


def test_editing_the_reference_regrades_exactly_the_submissions_it_affects(graded, tmp_path,
                                                                          monkeypatch):
    root, _, _ = graded
    edited = tmp_path / "reference.py"
    text = fingerprint.REFERENCE.read_text()
    # dW2_from is reached from 05's grading only (the cheapest assignment to grade again)
    line = "    E, A1 = np.asarray(E, dtype=float), np.asarray(A1, dtype=float)\n"
    assert text.count(line) == 1
    edited.write_text(text.replace(line, line.replace("\n", "  # edited\n")))
    assert edited.read_text() != text
    monkeypatch.setattr(fingerprint, "REFERENCE", edited)
    fingerprint.grading_code.cache_clear()
    try:
        report = grade_class(root, log=lambda *a: None)
    finally:
        monkeypatch.undo()
        fingerprint.grading_code.cache_clear()
    assert report.regraded == sorted(
        (s, a) for s, work in CLASS.items() for a in work if edition(a)[0] == "05_backprop")
    assert len(report.regraded) >= 3  # the correct student, the Chinese edition, a mistake
    report = grade_class(root, log=lambda *a: None)  # the edit undone: only 05 again
    assert {edition(a)[0] for _, a in report.regraded} == {"05_backprop"}


def test_parallel_scores_equal_a_sequential_nbgrader_autograde(graded, tmp_path):
    """The same staged submissions through one plain sequential `nbgrader autograde` call."""
    root, _, _ = graded
    students = ["ada_correct", "bo_blank", "cy_unstable_softmax", "na_edits_tests",
                "qu_monkeypatches", "wa_late"]
    copy = tmp_path / "class"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("autograded", "feedback"))
    staged = copy / ".grading" / "staged"
    for student in [p.name for p in staged.iterdir()]:
        if student not in students:
            shutil.rmtree(staged / student)
    run_nbgrader(["autograde", "01_softmax", "--force",
                  f"--CourseDirectory.submitted_directory={staged}"], copy, check=False)
    parallel, sequential = cell_scores(root), cell_scores(copy)
    for student in students:
        assert parallel[(student, "01_softmax")][1] == sequential[(student, "01_softmax")][1], \
            student
