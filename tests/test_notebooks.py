"""The notebooks as students and nbgrader meet them.

- every source notebook runs top to bottom with its solutions: no error, nothing on stderr;
- release/ is exactly what nbgrader generates from source/ (never edited by hand);
- a release notebook holds no solution, no hidden test and no reference code, and run as handed
  out only its test cells fail, each with a clear message;
- `nbgrader validate --invert` finds that nothing in a release passes;
- the source notebooks, submitted as a student's work and autograded, get full marks: that is
  the correct student of the simulated class in tests/test_grading_pipeline.py.
"""
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from course import notebooks
from course.i18n import EDITION_SUFFIX, LANGUAGES, edition
from instructor.nbgrader_cli import run_nbgrader
from instructor.course_dir import Course
from instructor.release import generate_release

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = Course(ROOT).assignments()
#: the editions release/ holds (the Chinese one only once its translations are in the repository)
EDITIONS = [lang for lang in LANGUAGES
            if any((ROOT / "release" / f"{a}{EDITION_SUFFIX[lang]}").is_dir() for a in ASSIGNMENTS)]
TIME_LIMIT = {"06_train_digits": 600}  # generous ceilings against hangs, not timings


def nb_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def grade_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def execute(path, allow_errors=False):
    nb = nbformat.read(path, as_version=4)
    env_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    os.environ["PYTHONPATH"] = env_path
    client = NotebookClient(nb, timeout=TIME_LIMIT.get(path.parent.name, 300),
                            kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb


def test_there_are_six_assignments_each_a_folder_with_one_notebook():
    """Six assignments, each a folder with its notebook (and, in English, its Chinese
    catalog); each in the editions release/ holds."""
    expected = ["01_softmax", "02_cross_entropy", "03_relu_mask", "04_l2_penalty",
                "05_backprop", "06_train_digits"]
    assert ASSIGNMENTS == sorted(a + EDITION_SUFFIX[lang] for a in expected for lang in EDITIONS)
    for name in ASSIGNMENTS:
        catalog = [f"{name}.zh_CN.po"] if "zh" in EDITIONS and name in expected else []
        assert sorted(p.name for p in (ROOT / "source" / name).iterdir()
                      if not p.name.startswith(".")) == sorted([f"{name}.ipynb"] + catalog)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_notebook_runs_clean(name):
    nb = execute(ROOT / "source" / name / f"{name}.ipynb")
    for i, cell in enumerate(nb_cells(nb)):
        for out in cell.outputs:
            assert out.output_type != "error", f"cell {i}: {out.get('ename')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                f"{name} code cell {i} wrote to stderr:\n{out.text}"
    tests = [c for c in nb_cells(nb) if grade_meta(c).get("grade")]
    assert tests, "an assignment without graded cells"
    for cell in tests:
        assert notebooks.exercises_of(cell), \
            f"test cell {grade_meta(cell)['grade_id']} must call an exercise's public check"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """A private course directory where nbgrader regenerates the release from source/."""
    course = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "source", course / "source")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    (course / "instructor").symlink_to(ROOT / "instructor")
    generate_release(course, languages=EDITIONS)
    return course


def test_release_is_in_sync_with_source(regenerated):
    committed = sorted(p.relative_to(ROOT / "release").as_posix()
                       for p in (ROOT / "release").rglob("*") if p.is_file()
                       and p.name != ".gitkeep")
    fresh = sorted(p.relative_to(regenerated / "release").as_posix()
                   for p in (regenerated / "release").rglob("*") if p.is_file())
    assert committed == fresh, "release/ has other files than nbgrader generates: make release"
    for rel in fresh:
        assert (ROOT / "release" / rel).read_bytes() == (regenerated / "release" / rel).read_bytes(), \
            f"release/{rel} differs from what source/ generates: run `make release`"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_holds_no_solution_hidden_test_or_reference(name):
    text = (ROOT / "release" / name / f"{name}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "instructor",
                   "grade("):
        assert marker not in text, f"release/{name} contains {marker!r}"
    src = nbformat.read(ROOT / "source" / name / f"{name}.ipynb", as_version=4)
    rel = nbformat.read(ROOT / "release" / name / f"{name}.ipynb", as_version=4)
    for s_cell, r_cell in zip(src.cells, rel.cells):
        meta = grade_meta(s_cell)
        if meta.get("solution") and s_cell.cell_type == "code":
            assert "raise NotImplementedError()" in r_cell.source
            solution = s_cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            for line in solution.strip().splitlines():
                if len(line.strip()) > 12:
                    assert line not in r_cell.source, f"solution line leaked: {line}"


def _code_lines(source):
    """The lines of a solution, as code, without spaces (so `a/b` and `a / b` are one line)."""
    body = source.split("### BEGIN SOLUTION")[-1].split("### END SOLUTION")[0]
    lines = []
    for line in body.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "def ", '"', "'", "return P, ")):
            continue
        squeezed = "".join(line.split())
        if len(squeezed) >= 12:
            lines.append(squeezed)
    return lines


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_answer_appears_above_its_exercise(name):
    """Derive first: no line of an exercise's solution is in any cell above it (text or code)."""
    src = notebooks.read(ROOT / "source" / name / f"{name}.ipynb")
    rel = notebooks.read(ROOT / "release" / name / f"{name}.ipynb")
    position = {notebooks.grade_id(c): i for i, c in enumerate(rel["cells"])}
    for cell in src["cells"]:
        if not notebooks.is_solution(cell):
            continue
        gid = notebooks.grade_id(cell)
        above = "".join("".join(notebooks.source_text(c).split())
                        for c in rel["cells"][:position[gid]])
        for line in _code_lines(notebooks.source_text(cell)):
            assert line not in above, f"{name}: the answer of {gid} is above it: {line}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_as_handed_out_fails_only_in_test_cells(name):
    nb = execute(ROOT / "release" / name / f"{name}.ipynb", allow_errors=True)
    for cell in nb_cells(nb):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        meta = grade_meta(cell)
        if meta.get("grade"):
            assert errors, f"test cell {meta['grade_id']} passes on the unmodified release"
            assert errors[0].ename == "NotImplementedYet", errors[0].evalue
            assert ("not implemented yet" if edition(name)[1] == "en" else "还没有实现") in \
                errors[0].evalue, errors[0].evalue  # said in the edition's language
        else:
            assert not errors, f"non-test cell fails on the release: {cell.source[:80]!r} " \
                               f"{errors[0].ename}: {errors[0].evalue}"


def test_nbgrader_validate_invert_finds_nothing_passing():
    """On the English edition: an edition's code cells are the English ones, character for
    character (tests/test_translations.py), and nothing but code decides a test's verdict."""
    english = [n for n in ASSIGNMENTS if edition(n)[1] == "en"]
    paths = [str(ROOT / "release" / n / f"{n}.ipynb") for n in english]
    result = run_nbgrader(["validate", "--invert", *paths], ROOT, check=False)
    verdicts = result.stdout.count("Success! The notebook does not pass any tests.")
    assert verdicts == len(english) == 6, result.stdout + result.stderr
