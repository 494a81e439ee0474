"""What students receive holds no reference solution; the instructor's package stays importable."""
import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Helpers the student library provides on purpose (documented in course/gradcheck.py).
SHARED_ON_PURPOSE = {"numerical_gradient"}


def function_bodies(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            yield node.name, ast.dump(ast.Module(body=body, type_ignores=[]))


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True, capture_output=True)
    (wheel,) = out.glob("*.whl")
    return zipfile.ZipFile(wheel).namelist()


def test_student_package_ships_only_the_course_library(wheel_files):
    packages = {name.split("/")[0] for name in wheel_files if not name.endswith(".dist-info/")}
    packages = {p for p in packages if not p.endswith(".dist-info")}
    assert packages == {"course"}, packages
    assert not any("reference" in name or "instructor" in name for name in wheel_files)


def test_course_library_never_imports_the_instructor_package():
    for path in (ROOT / "course").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "instructor" for n in names), path


def test_no_reference_function_body_is_copied_into_the_course_library():
    reference = {body: name for name, body in function_bodies(ROOT / "instructor/reference.py")
                 if name not in SHARED_ON_PURPOSE}
    for path in (ROOT / "course").rglob("*.py"):
        for name, body in function_bodies(path):
            assert body not in reference, f"{path}:{name} repeats reference.{reference[body]}"


def test_instructor_package_importable_from_the_course_root():
    out = subprocess.run([sys.executable, "-c", "import instructor.reference as r; print(r.__file__)"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    assert Path(out.stdout.strip()).is_relative_to(ROOT / "instructor")
