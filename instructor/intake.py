"""Stage 1, intake: downloaded submissions into submitted/, then a clean copy of each to grade.

``import_submissions`` copies a folder or zip of downloads into submitted/<student>/<assignment>/.
``stage`` copies one submission, never moving or changing it, to .grading/staged/, where nbgrader
reads it. A renamed notebook is graded under its expected name; one that is not valid JSON is
kept aside and scores 0; the staged copy gets the release's grading metadata back, so that one
student's tampering can neither earn points nor stop nbgrader (a duplicated or unknown grade_id
aborts a whole `nbgrader autograde` run). Everything it changes is flagged.
"""
from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import nbformat

from instructor import integrity
from instructor.flags import Flag, Kind
from course.notebooks import EXECUTION_TAGS, grade_id, nbgrader_meta


def import_submissions(course, source):
    """Copy downloaded notebooks into submitted/<student>/<assignment>/.

    source: a folder or .zip holding <student>/<assignment>/<assignment>.ipynb or
    <student>/<assignment>.ipynb (other files beside them, e.g. timestamp.txt, come along).
    Returns the (student, assignment) pairs found."""
    source = Path(source)
    known = set(course.assignments())
    with tempfile.TemporaryDirectory() as tmp:
        if source.is_file() and zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as zf:
                for member in zf.namelist():
                    target = (Path(tmp) / member).resolve()
                    if not target.is_relative_to(Path(tmp).resolve()):
                        raise ValueError(f"{source}: unsafe path in zip: {member}")
                zf.extractall(tmp)
            source = Path(tmp)
            entries = [p for p in source.iterdir() if not p.name.startswith(("_", "."))]
            if len(entries) == 1 and entries[0].is_dir() and entries[0].name not in known \
                    and all(p.is_dir() for p in entries[0].iterdir()):
                source = entries[0]  # a zip of one top folder
        elif not source.is_dir():
            raise FileNotFoundError(f"{source}: no such folder or zip file")
        pairs = []
        for student_dir in sorted(p for p in source.iterdir() if p.is_dir()):
            student = student_dir.name
            for item in sorted(student_dir.iterdir()):
                name = item.stem if item.suffix == ".ipynb" else item.name
                if name not in known:
                    continue
                dest = course.submitted / student / name
                dest.mkdir(parents=True, exist_ok=True)
                if item.is_dir():
                    shutil.copytree(item, dest, dirs_exist_ok=True)
                else:
                    shutil.copy2(item, dest / item.name)
                pairs.append((student, name))
        return pairs


def stage(course, student, assignment):
    """Copy one submission to the staging area as nbgrader should see it. Returns its flags."""
    src = course.submitted / student / assignment
    dest = course.staged / student / assignment
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    flags = []
    expected = f"{assignment}.ipynb"
    notebooks = sorted(src.glob("*.ipynb")) if src.is_dir() else []
    chosen = src / expected if (src / expected).is_file() else None
    if chosen is None and len(notebooks) == 1:
        chosen = notebooks[0]
        flags.append(Flag(Kind.RENAMED, f"renamed notebook: graded {chosen.name} as {expected}"))
    elif chosen is None:
        flags.append(Flag(Kind.MISSING, "missing notebook" if not notebooks else
                          f"missing notebook ({len(notebooks)} other notebooks, none named "
                          f"{expected})"))
    if chosen is not None:
        try:
            nb = nbformat.read(chosen, as_version=4)
            nbformat.validate(nb)
        except Exception as err:  # noqa: BLE001 - any unreadable notebook
            flags.append(Flag(Kind.CORRUPT, f"not a valid notebook ({type(err).__name__}): kept "
                                            f"in submitted/, scored 0"))
        else:
            release = json.loads(course.notebook(course.release, assignment).read_text())
            original = json.loads(nbformat.writes(nb))
            flags += integrity.check(release, original)
            flags += integrity.suspicious_code(release, original)
            nbformat.write(sanitise(nb, release), dest / expected)
    # The time it was handed in, and the secret nbgrader's exchange returns its feedback under.
    for kept in ("timestamp.txt", "submission_secret.txt"):
        if (src / kept).is_file():
            shutil.copy2(src / kept, dest / kept)
    return flags


def sanitise(nb, release):
    """The notebook with the release's grading metadata (and cell type, for read-only cells)
    on every handed-out cell, and no grading metadata or execution tags anywhere else."""
    released = {grade_id(c): c for c in release["cells"] if grade_id(c)}
    seen = set()
    for cell in nb.cells:
        meta = cell.setdefault("metadata", {})
        if "tags" in meta:
            meta["tags"] = [t for t in meta.get("tags", []) if t not in EXECUTION_TAGS]
        gid = (meta.get("nbgrader") or {}).get("grade_id")
        if gid in released and gid not in seen:
            seen.add(gid)
            original = released[gid]
            meta["nbgrader"] = json.loads(json.dumps(nbgrader_meta(original)))
            if meta["nbgrader"].get("locked") and cell.cell_type != original["cell_type"]:
                cell.cell_type = original["cell_type"]
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
                else:
                    cell.pop("outputs", None)
                    cell.pop("execution_count", None)
        else:
            meta.pop("nbgrader", None)
    return nb
