"""The pipeline's parts on their own: importing downloads, staging, sanitising, integrity flags,
the sandbox and the trusted re-grade. (tests/test_grading_pipeline.py runs them together.)"""
import copy
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from instructor import integrity, sandbox
from instructor.pipeline import import_submissions, sanitise, stage
from instructor.verify import verify

ROOT = Path(__file__).resolve().parents[1]
RELEASE = json.loads((ROOT / "release/01_softmax/01_softmax.ipynb").read_text())
SOURCE = json.loads((ROOT / "source/01_softmax/01_softmax.ipynb").read_text())


def cell(nb, gid):
    return next(c for c in nb["cells"]
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid)


@pytest.fixture
def course(tmp_path):
    """A course folder with 01's source and release (enough for staging and importing)."""
    for part in ("source", "release"):
        shutil.copytree(ROOT / part / "01_softmax", tmp_path / part / "01_softmax")
    return tmp_path


def test_import_from_a_zip_in_both_layouts_and_refuse_zip_slip(course, tmp_path_factory):
    z = tmp_path_factory.mktemp("dl") / "class.zip"
    nb = json.dumps(RELEASE)
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("downloads/ann/01_softmax.ipynb", nb)
        zf.writestr("downloads/ben/01_softmax/01_softmax.ipynb", nb)
        zf.writestr("downloads/ben/01_softmax/timestamp.txt", "2026-11-19 10:00:00 UTC")
        zf.writestr("downloads/cat/notes.txt", "not an assignment")
    pairs = import_submissions(z, course / "submitted")
    assert sorted(pairs) == [("ann", "01_softmax"), ("ben", "01_softmax")]
    assert (course / "submitted/ann/01_softmax/01_softmax.ipynb").is_file()
    assert (course / "submitted/ben/01_softmax/timestamp.txt").read_text().startswith("2026")
    assert not (course / "submitted/cat").exists()

    evil = tmp_path_factory.mktemp("dl2") / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../escape.ipynb", nb)
    with pytest.raises(ValueError, match="unsafe path"):
        import_submissions(evil, course / "submitted")
    with pytest.raises(FileNotFoundError):
        import_submissions(course / "nothing-here", course / "submitted")


def test_staging_renamed_missing_and_corrupt(course):
    staged = course / ".grading" / "staged"
    folder = course / "submitted" / "dan" / "01_softmax"
    folder.mkdir(parents=True)
    (folder / "Copy of 01_softmax.ipynb").write_text(json.dumps(RELEASE))
    flags = stage(course, "dan", "01_softmax", staged)
    assert any("renamed notebook" in f for f in flags)
    assert (staged / "dan/01_softmax/01_softmax.ipynb").is_file()
    assert (folder / "Copy of 01_softmax.ipynb").is_file()  # the original stays

    (folder / "Copy of 01_softmax.ipynb").unlink()
    assert stage(course, "dan", "01_softmax", staged) == ["missing notebook"]
    assert not (staged / "dan/01_softmax/01_softmax.ipynb").exists()

    (folder / "01_softmax.ipynb").write_text(json.dumps(RELEASE)[:500])
    flags = stage(course, "dan", "01_softmax", staged)
    assert any("not a valid notebook" in f for f in flags)
    assert (folder / "01_softmax.ipynb").read_text() == json.dumps(RELEASE)[:500]


def test_integrity_flags_and_sanitising():
    import nbformat

    sub = copy.deepcopy(RELEASE)
    cell(sub, "test_softmax")["source"] = "assert True"
    cell(sub, "test_softmax_jacobian")["metadata"]["tags"] = ["skip-execution"]
    cell(sub, "test_softmax_jacobian")["metadata"]["nbgrader"]["points"] = 50
    fake = copy.deepcopy(cell(sub, "test_ce_partial"))
    sub["cells"].append(fake)  # a duplicated grade_id: stops a whole nbgrader run
    bonus = copy.deepcopy(cell(sub, "test_ce_partial"))
    bonus["metadata"]["nbgrader"]["grade_id"] = "bonus"
    sub["cells"].append(bonus)
    sub["cells"] = [c for c in sub["cells"]
                    if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                    != "test_softmax" or c["source"] == "assert True"]
    cell(sub, "softmax")["source"] = "import numpy\nnumpy.allclose = lambda *a, **k: True\n"

    findings = integrity.check(RELEASE, sub)
    text = " | ".join(findings)
    assert "edited read-only test cell test_softmax" in text
    assert "execution tags ['skip-execution']" in text
    assert "changed nbgrader metadata of test_softmax_jacobian: points" in text
    assert "duplicate cell id test_ce_partial" in text
    assert "made-up grading metadata (bonus)" in text
    assert integrity.suspicious_code(RELEASE, sub) == ["monkeypatches numpy or builtins"]
    assert integrity.check(RELEASE, RELEASE) == []
    assert integrity.suspicious_code(RELEASE, RELEASE) == []

    clean = sanitise(nbformat.from_dict(sub), RELEASE)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in clean.cells]
    assert ids.count("test_ce_partial") == 1 and "bonus" not in ids
    jac = next(c for c in clean.cells
               if c.metadata.get("nbgrader", {}).get("grade_id") == "test_softmax_jacobian")
    assert jac.metadata["nbgrader"]["points"] == 2 and jac.metadata.get("tags") == []


def test_sandbox_hides_the_course_and_refuses_to_expose_it(tmp_path, monkeypatch):
    box = sandbox.detect()
    if not box.available:
        pytest.skip(box.note)
    secret = tmp_path / "course" / "gradebook.db"
    secret.parent.mkdir()
    secret.write_text("grades")
    work = tmp_path / "work"
    work.mkdir()
    probe = ("import os, pathlib; print(os.path.exists(%r)); "
             "p = pathlib.Path(%r) / 'x'; p.write_text('ok'); print(os.getuid())"
             % (str(secret), str(work)))
    out = subprocess.run(box.command([sys.executable, "-c", probe], hide=[secret.parent],
                                     writable=[work]), capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.split() == ["False", "65534"], out.stderr
    assert (work / "x").read_text() == "ok"
    with pytest.raises(ValueError, match="visible"):
        box.command(["true"], hide=[secret.parent], writable=[tmp_path])
    monkeypatch.setenv("BACKPROP_NO_SANDBOX", "1")
    sandbox.detect.cache_clear()
    try:
        off = sandbox.detect()
        assert not off.available and "disabled" in off.note
        assert off.command(["true"], hide=[secret.parent]) == ["true"]
    finally:
        sandbox.detect.cache_clear()


def test_trusted_regrade_passes_the_source_and_catches_a_forgery():
    v = verify(SOURCE, SOURCE, course_root=ROOT)
    assert v.score == 7 and all(c.passed for c in v.cells.values()), v.problems
    forged = copy.deepcopy(SOURCE)
    # right in the kernel (it asks the reference), wrong where the reference is out of reach
    cell(forged, "softmax")["source"] = (
        "def softmax(Z):\n    from instructor.reference import softmax as s\n    return s(Z)\n")
    v = verify(SOURCE, forged, course_root=ROOT)
    assert not v.cells["test_softmax"].passed
    assert v.cells["test_ce_partial"].passed
    if sandbox.detect().available:
        assert "instructor" in v.cells["test_softmax"].messages[0]
