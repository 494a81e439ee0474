"""Parallel autograding against one sequential `nbgrader autograde` call, side by side.

    .venv/bin/python benchmarks/parallel_autograde.py [--workers N]

Builds the simulated class twice (instructor/demo.py). On one copy, a single sequential
`nbgrader autograde ASSIGNMENT` per assignment (nbgrader's own way); on the other, the
pipeline's parallel autograde (no re-grade, no feedback: nbgrader's part alone). Prints both wall
times, their ratio, and whether every cell's score is identical. Timings on a shared machine are
noisy: compare the ratio, measured in the same run, not the seconds.
"""
import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from instructor.demo import build_class  # noqa: E402
from instructor.nbgrader_cli import run_nbgrader  # noqa: E402
from instructor.pipeline import grade_class, stage  # noqa: E402
from instructor.release import assignments  # noqa: E402


def auto_scores(root):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "backprop") as gb:
        return {(s.student.id, a.name, g.name): g.auto_score
                for a in gb.assignments for s in a.submissions
                for nb in s.notebooks for g in nb.grades}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seq = build_class(Path(tmp) / "sequential")
        par = Path(tmp) / "parallel"
        shutil.copytree(seq, par, symlinks=True)
        (par / "nbgrader_config.py").write_text((seq / "nbgrader_config.py").read_text())

        staged = seq / ".grading" / "staged"
        for folder in sorted((seq / "submitted").iterdir()):
            for assignment in sorted(p.name for p in folder.iterdir()):
                stage(seq, folder.name, assignment, staged)
        names = assignments(seq)
        start = time.perf_counter()
        for name in names:
            run_nbgrader(["autograde", name, "--force",
                          f"--CourseDirectory.submitted_directory={staged}"], seq, check=False)
        sequential = time.perf_counter() - start

        start = time.perf_counter()
        grade_class(par, workers=args.workers, log=lambda *a: None, regrade_too=False,
                    outputs=False)
        parallel = time.perf_counter() - start

        a, b = auto_scores(seq), auto_scores(par)
        same = a == b
        print(f"submissions: {sum(1 for _ in (seq / 'submitted').glob('*/*'))}")
        print(f"sequential nbgrader autograde: {sequential:7.1f} s")
        print(f"parallel pipeline autograde:   {parallel:7.1f} s")
        print(f"ratio sequential / parallel:   {sequential / parallel:7.2f}x")
        print(f"identical cell scores:         {same} ({len(a)} cells)")
        if not same:
            for key in sorted(set(a) | set(b)):
                if a.get(key) != b.get(key):
                    print("  differs:", key, a.get(key), b.get(key))
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
