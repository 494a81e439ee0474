"""The instructor's pipeline, end to end, on the simulated class (instructor/demo.py).

One real run of the whole pipeline (nbgrader's gradebook, autograde in sandboxed kernels on all
cores, the trusted re-grade, feedback, export) is shared by the tests below. They check the
exact score of every graded cell of every student, the CSVs, the feedback, that every attack is
contained and flagged, that a second run changes nothing, and that the parallel autograde gives
the scores of a sequential `nbgrader autograde`.
"""
import csv
import hashlib
import html
import json
import re
import shutil
from pathlib import Path

import pytest

from instructor.demo import CLASS, expected_flags, run_demo
from instructor.nbgrader_cli import run_nbgrader
from instructor.pipeline import grade_class
from instructor.sandbox import detect

ROOT = Path(__file__).resolve().parents[1]
FULL = {
    "01_softmax": {"test_softmax": 3, "test_softmax_jacobian": 2, "test_ce_partial": 2},
    "02_cross_entropy": {"test_one_hot": 2, "test_cross_entropy": 3,
                         "test_softmax_cross_entropy_grad": 3},
    "03_relu_mask": {"test_relu": 1, "test_relu_mask": 2, "test_column_shapes": 2,
                     "test_output_layer_backward": 3, "test_hidden_layer_backward": 3},
    "04_l2_penalty": {"test_l2_penalty": 3, "test_l2_grad": 2, "test_regularised_grads": 2,
                      "test_minibatch_lam": 2},
    "05_backprop": {"test_forward": 2, "test_loss": 2, "test_dW2_from": 1, "test_db1_from": 1,
                    "test_backward": 3, "test_numerical_gradient": 2},
}


def zero(assignment):
    return {gid: 0 for gid in FULL[assignment]}


def full_but(assignment, **zeros):
    return {gid: (0 if gid in zeros else pts) for gid, pts in FULL[assignment].items()}


# The final score of every graded cell: what each simulated student deserves.
EXPECTED = {
    "bo_blank": {"01_softmax": zero("01_softmax"), "02_cross_entropy": zero("02_cross_entropy")},
    # a wrong softmax also breaks the Jacobian built on it
    "cy_unstable_softmax": {"01_softmax": full_but("01_softmax", test_softmax=0,
                                                   test_softmax_jacobian=0)},
    "io_wrong_axis": {"01_softmax": full_but("01_softmax", test_softmax=0,
                                             test_softmax_jacobian=0)},
    "di_missing_1_over_m": {"02_cross_entropy": full_but(
        "02_cross_entropy", test_softmax_cross_entropy_grad=0)},
    "ha_sum_not_mean": {"02_cross_entropy": full_but("02_cross_entropy", test_cross_entropy=0)},
    "ed_mask_ge_zero": {"03_relu_mask": full_but("03_relu_mask", test_relu_mask=0,
                                                 test_hidden_layer_backward=0)},
    "fa_transposed": {"03_relu_mask": full_but("03_relu_mask", test_output_layer_backward=0)},
    "ji_missing_mask": {"03_relu_mask": full_but("03_relu_mask",
                                                 test_hidden_layer_backward=0)},
    "gu_lambda_not_halved": {"04_l2_penalty": full_but("04_l2_penalty", test_l2_penalty=0)},
    "ka_kills_kernel": {"01_softmax": zero("01_softmax")},
    "lu_infinite_loop": {"01_softmax": full_but("01_softmax", test_softmax=0,
                                                test_softmax_jacobian=0)},
    "mo_memory_hog": {"01_softmax": full_but("01_softmax", test_softmax=0,
                                             test_softmax_jacobian=0)},
    "na_edits_tests": {"01_softmax": zero("01_softmax")},
    "ob_deletes_tests": {"01_softmax": zero("01_softmax")},
    "pi_retags_tests": {"01_softmax": zero("01_softmax")},
    "qu_monkeypatches": {"01_softmax": zero("01_softmax")},
    # its ce_partial is its own and right; what it took from the reference earns nothing
    "ra_reads_instructor": {"01_softmax": full_but("01_softmax", test_softmax=0,
                                                   test_softmax_jacobian=0)},
    "sa_renamed": {"01_softmax": FULL["01_softmax"]},
    "tu_missing": {"01_softmax": None},  # no notebook: no cells graded
    "ul_corrupt": {"01_softmax": None},
    "wa_late": {"01_softmax": FULL["01_softmax"]},
}


def tree_digest(folder):
    h = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "class"
    messages = []
    report = run_demo(root, log=messages.append)
    return root, report, "\n".join(messages)


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


def test_every_cell_of_every_student_scores_what_it_deserves(graded):
    root, report, _ = graded
    scores = cell_scores(root)
    for student, work in CLASS.items():
        for assignment in work:
            if assignment not in FULL:
                continue
            expected = EXPECTED.get(student, {}).get(assignment, FULL[assignment])
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


def test_each_attack_is_flagged_and_the_honest_are_not(graded):
    root, report, _ = graded
    flags = {}
    for r in report.results:
        flags.setdefault(r.student, []).extend(r.flags)
    for student, pattern in expected_flags().items():
        assert any(re.search(pattern, f) for f in flags[student]), (student, flags[student])
    for honest in ("ada_correct", "vo_noisy_correct", "bo_blank", "cy_unstable_softmax", "di_missing_1_over_m",
                   "gu_lambda_not_halved", "fa_transposed"):
        assert flags[honest] == [], (honest, flags[honest])
    assert any("kernel died" in f for f in flags["ka_kills_kernel"])
    assert any("timed out" in f for f in flags["lu_infinite_loop"])
    assert any("time limit" in f for f in flags["lu_infinite_loop"])
    assert any("out of memory" in f for f in flags["mo_memory_hog"])


def test_csv_exports(graded):
    root, report, _ = graded
    with open(root / "grades.csv") as f:
        rows = list(csv.DictReader(f))
    by = {(r["student_id"], r["assignment"]): r for r in rows}
    assert float(by[("ada_correct", "06_train_digits")]["score"]) == \
        float(by[("ada_correct", "06_train_digits")]["max_score"]) > 0
    assert float(by[("qu_monkeypatches", "01_softmax")]["score"]) == 0
    assert float(by[("wa_late", "01_softmax")]["score"]) == 7
    for r in report.results:
        if r.submitted and (r.student, r.assignment) in by:
            assert float(by[(r.student, r.assignment)]["score"]) == pytest.approx(r.score)
    with open(root / "grading-report.csv") as f:
        rows = {(r["student"], r["assignment"]): r for r in csv.DictReader(f)}
    assert "late by" in rows[("wa_late", "01_softmax")]["flags"]
    assert rows[("ul_corrupt", "01_softmax")]["score"] == "0"
    assert rows[("bo_blank", "03_relu_mask")]["submitted"] == "no"


def test_summary_names_the_outputs(graded):
    from instructor.pipeline import summary_table

    root, report, _ = graded
    text = summary_table(report)
    assert "ada_correct" in text and "54/54" in text.replace(" ", "")
    assert str(root / "grades.csv") in text and "Feedback" in text


def test_feedback_shows_no_hidden_test_or_reference_code(graded):
    root, report, _ = graded
    reference = (ROOT / "instructor" / "reference.py").read_text().splitlines()
    # lines of the reference that no notebook holds (a correct student may write the others)
    sources = "\n".join("".join(c["source"]) for p in (ROOT / "source").rglob("*.ipynb")
                        for c in json.loads(p.read_text())["cells"])
    private = [ln.strip() for ln in reference
               if len(ln.strip()) > 30 and not ln.strip().startswith(("#", '"', "def "))
               and ln.strip() not in sources]
    assert len(private) > 20
    pages = list((root / "feedback").rglob("*.html"))
    assert len(pages) >= 20
    for page in pages:
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))  # what a reader sees
        for marker in ("BEGIN HIDDEN", "END HIDDEN", "from instructor.grading import grade",
                       'grade("'):
            assert marker not in text, f"{page}: {marker}"
        for line in private:
            assert line not in text, f"{page}: reference line {line!r}"
    # the feedback still says what is wrong
    cy = (root / "feedback" / "cy_unstable_softmax" / "01_softmax" / "01_softmax.html").read_text()
    assert "exp(1000) overflows" in html.unescape(re.sub(r"<[^>]+>", "", cy))


def test_attacks_are_contained(graded):
    root, report, _ = graded
    assert not (root / "hacked.txt").exists()
    if detect().available:
        nb = json.loads((root / "autograded" / "ra_reads_instructor" / "01_softmax" /
                         "01_softmax.ipynb").read_text())
        text = json.dumps(nb)
        assert "gradebook visible: False" in text and "source visible: False" in text
        assert "cannot write" in text
    # the broken submissions are kept as they were handed in
    assert (root / "submitted" / "ul_corrupt" / "01_softmax" / "01_softmax.ipynb").is_file()
    assert (root / "submitted" / "sa_renamed" / "01_softmax" / "01_softmax (1).ipynb").is_file()


def test_a_second_run_changes_nothing(graded):
    root, _, _ = graded
    before = {name: (root / name).read_bytes() for name in ("grades.csv", "grading-report.csv")}
    submitted = tree_digest(root / "submitted")
    report = grade_class(root, log=lambda *a: None)
    assert report.regraded == 0
    for name, content in before.items():
        assert (root / name).read_bytes() == content, name
    assert tree_digest(root / "submitted") == submitted


def test_parallel_scores_equal_a_sequential_nbgrader_autograde(graded, tmp_path):
    """The same staged submissions through one plain sequential `nbgrader autograde` call."""
    root, _, _ = graded
    students = ["ada_correct", "bo_blank", "cy_unstable_softmax", "io_wrong_axis",
                "na_edits_tests", "qu_monkeypatches", "wa_late"]
    copy = tmp_path / "class"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("autograded", "feedback"))
    (copy / "nbgrader_config.py").write_text(
        (root / "nbgrader_config.py").read_text())
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
