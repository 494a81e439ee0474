"""The student's side of the library: the work folder (`python -m course start`), their own
earlier functions (`course.mine`), the library functions an exercise may not lean on, and the
computational graph."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from course import exercises as ex
from course import mine
from course.__main__ import prepare

ROOT = Path(__file__).resolve().parents[1]


def test_start_copies_the_release_once_and_never_overwrites_work(tmp_path):
    work = tmp_path / "work"
    first = prepare(work, log=lambda *a: None)
    names = sorted(p.name for p in (ROOT / "release").iterdir()
                   if p.is_dir() and not p.name.endswith("_zh"))
    assert sorted(p.name for p in first) == names
    mine_nb = work / names[0] / f"{names[0]}.ipynb"
    mine_nb.write_text('{"my": "answers"}')
    assert prepare(work, log=lambda *a: None) == []
    assert mine_nb.read_text() == '{"my": "answers"}'
    (work / names[-1]).rename(tmp_path / "gone")
    assert [p.name for p in prepare(work, log=lambda *a: None)] == [names[-1]]


def test_start_in_chinese_copies_the_chinese_edition_and_sets_lab_in_chinese(tmp_path):
    out = subprocess.run([sys.executable, "-m", "course", "start", "--lang", "zh", "--no-lab",
                          "--dir", str(tmp_path / "w")], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "你的工作文件夹" in out.stdout and "01_softmax_zh" in out.stdout  # said in Chinese
    copied = sorted(p.name for p in (tmp_path / "w").iterdir() if not p.name.startswith("."))
    assert copied == sorted(p.name for p in (ROOT / "release").iterdir() if p.name.endswith("_zh"))
    assert len(copied) == 6
    from course.__main__ import lab_settings
    plugin = lab_settings(tmp_path / "w", "zh") / "@jupyterlab" / "translation-extension" / \
        "plugin.jupyterlab-settings"
    assert '"zh_CN"' in plugin.read_text()


def test_start_prepares_the_folder_from_the_command_line(tmp_path):
    out = subprocess.run([sys.executable, "-m", "course", "start", "--no-lab", "--dir",
                          str(tmp_path / "w")], capture_output=True, text=True, timeout=120,
                         cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "Your work folder" in out.stdout and (tmp_path / "w" / "01_softmax").is_dir()


def _notebook(path, cells):
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = {"cells": [{"cell_type": "code", "source": src, "metadata": {"nbgrader": meta},
                     "outputs": [], "execution_count": None} for src, meta in cells],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))


def test_mine_gives_the_students_own_function_and_says_when_it_cannot(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_WORK", str(tmp_path))
    nb = tmp_path / "01_softmax" / "01_softmax.ipynb"
    _notebook(nb, [("import numpy as np", {"grade_id": "setup", "locked": True}),
                   ("def softmax(Z):\n    return np.ones_like(Z) / 7", {"grade_id": "softmax",
                                                                     "solution": True}),
                   ("raise RuntimeError('a free cell is not run')", {})])
    softmax = mine.function("softmax")
    assert softmax(__import__("numpy").zeros((1, 2))).tolist() == [[1 / 7, 1 / 7]]
    missing = mine.function("softmax_jacobian")
    with pytest.raises(mine.EarlierWorkMissing, match="does not define softmax_jacobian"):
        missing([0.0, 1.0])
    nb.unlink()
    with pytest.raises(mine.EarlierWorkMissing, match="was not found"):
        mine.function("softmax")([[0.0]])


def test_mine_finds_the_earlier_notebook_of_the_edition_the_student_works_in(tmp_path,
                                                                            monkeypatch):
    monkeypatch.setenv("BACKPROP_WORK", str(tmp_path))
    for name, value in (("01_softmax", 7), ("01_softmax_zh", 3)):
        _notebook(tmp_path / name / f"{name}.ipynb", [
            ("import numpy as np", {"grade_id": "setup", "locked": True}),
            (f"def softmax(Z):\n    return np.ones_like(Z) / {value}",
             {"grade_id": "softmax", "solution": True})])
    zeros = __import__("numpy").zeros((1, 1))
    monkeypatch.setenv("BACKPROP_LANG", "zh")
    assert mine.function("softmax")(zeros).tolist() == [[1 / 3]]
    monkeypatch.setenv("BACKPROP_LANG", "en")
    assert mine.function("softmax")(zeros).tolist() == [[1 / 7]]
    (tmp_path / "01_softmax" / "01_softmax.ipynb").unlink()  # only the other edition: used
    assert mine.function("softmax")(zeros).tolist() == [[1 / 3]]


def test_a_library_function_cannot_stand_in_for_the_exercise_that_asks_for_it():
    from course import gradcheck

    with ex.disabled(["course.gradcheck.numerical_gradient"]):
        with pytest.raises(ex.CheckFailed, match="library's own version"):
            gradcheck.numerical_gradient(lambda x: 0.0, __import__("numpy").zeros(2))
    assert gradcheck.numerical_gradient(lambda x: float(x.sum()),
                                        __import__("numpy").zeros(2)).tolist() == [1.0, 1.0]


def test_a_failed_check_shows_its_message_not_the_library(capsys):
    err = ex.CheckFailed("softmax: worked example: wrong\n  ✗ worked example")
    lines = err._render_traceback_()
    assert "softmax: worked example: wrong" in lines[0] and "✗ worked example" in lines[1]
    assert not any("exercises/__init__" in line for line in lines)


def test_the_computational_graph_draws_forward_and_backward():
    from course.graph import network_graph, shapes

    fig = network_graph(m=64, n=256, H=256, K=10)
    texts = {t.get_text() for t in fig.axes[0].texts}
    for name in ("X", "Z1", "A1", "Z2", "J", "dZ2", "dA1", "dZ1", "dW1", "dW2", "dX"):
        assert name in texts
    assert shapes(64, 256, 256, 10)["dW1"] == "(256, 256)"
    assert fig._repr_png_()[:4] == b"\x89PNG"
    assert "dZ1" not in {t.get_text() for t in network_graph(backward=False).axes[0].texts}
