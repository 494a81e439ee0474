"""The course's benchmark: every comparison measured side by side in one run, as ratios.

    .venv/bin/python benchmarks/run.py [--only grading|training|speed|wait] [--workers N]
                                       [--students N]

- **grading**: `python -m instructor grade` against plain nbgrader (benchmarks/grading.py);
- **training**: the reference trainer against scikit-learn's MLPClassifier on USPS, the same
  256-256-10 network and as many epochs: test accuracy and time;
- **effective speed**: the GFLOP/s of a training epoch against a plain matrix multiply of the
  same sizes;
- **student wait**: the time to run each source notebook top to bottom, as a student would.

Seconds depend on the machine and on what else it is doing; the ratios, measured in the same
run, are what to compare. Not part of the test suite (it takes about ten minutes).
"""
from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from instructor import reference as R  # noqa: E402
from instructor.course_dir import REPOSITORY, repository_course  # noqa: E402


def usps():
    from course.data import load_usps

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_usps(verbose=False)


# ---------------------------------------------------------------------------------- training
def training(data):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    s = R.TRAIN_SETTINGS
    params = R.init_params(data.X_train.shape[1], 256, 10, seed=s["seed"])
    start = time.perf_counter()
    R.train(params, data.X_train, data.y_train, **s)
    ours = time.perf_counter() - start
    ours_acc = R.accuracy(R.predict(params, data.X_test), data.y_test)
    mlp = MLPClassifier(hidden_layer_sizes=(256,), alpha=s["lam"], batch_size=s["batch_size"],
                        max_iter=s["epochs"], random_state=0, tol=0.0, n_iter_no_change=1000)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(data.X_train, data.y_train)
    theirs = time.perf_counter() - start
    theirs_acc = float(mlp.score(data.X_test, data.y_test))
    return [("training: reference trainer, 256-256-10, "
             f"{s['epochs']} epochs (test accuracy {ours_acc:.2%})", ours,
             "scikit-learn MLPClassifier (adam), the same network and epochs "
             f"(test accuracy {theirs_acc:.2%})", theirs, "target: >= 95.5 % in <= 0.5x")]


# ----------------------------------------------------------------------------- effective speed
def speed(data):
    s = R.TRAIN_SETTINGS
    m, n, H, K, b = *data.X_train.shape, 256, 10, s["batch_size"]
    params = R.init_params(n, H, K, seed=0)
    one_epoch = dict(s, epochs=1, augment_shift=0)
    start = time.perf_counter()
    R.train(params, data.X_train, data.y_train, **one_epoch)
    epoch = time.perf_counter() - start
    # multiply-adds of an epoch: forward and backward of every batch (the backward skips dX),
    # then one forward pass over the whole set for the history
    train_flops = 2 * m * (n * H + H * K) + 2 * 2 * m * (n * H + H * K) + 2 * m * (n * H + H * K)
    A, B = np.random.default_rng(0).normal(size=(b, n)), np.random.default_rng(1).normal(
        size=(n, H))
    reps = max(1, m // b) * 4
    start = time.perf_counter()
    for _ in range(reps):
        A @ B
    matmul = time.perf_counter() - start
    matmul_flops = 2 * b * n * H * reps
    rate = matmul_flops / matmul
    return [(f"a training epoch: {train_flops / epoch / 1e9:.1f} GFLOP/s", epoch,
             f"its multiply-adds at the speed of a plain ({b}x{n}) @ ({n}x{H}) matmul: "
             f"{rate / 1e9:.1f} GFLOP/s", train_flops / rate,
             "1x would be all matmul; the rest is softmax, masks, shuffling, history")]


# -------------------------------------------------------------------------------- student wait
def student_wait():
    import nbformat
    from nbclient import NotebookClient

    rows = []
    for name in repository_course().assignments():
        path = REPOSITORY / "source" / name / f"{name}.ipynb"
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        seconds = time.perf_counter() - start
        limit = 120 if name.startswith("06") else 30
        rows.append((f"student wait: {name} top to bottom", seconds, "the target", limit,
                     f"target < {limit} s"))
    return rows


# ----------------------------------------------------------------------------------- grading
def grading(workers, students):
    from grading import compare

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        n, rows = compare(tmp, workers=workers, students=students)
    (plain, t_plain, s_plain), (ours, t_ours, s_ours) = rows
    same = s_plain == s_ours and len(s_ours) > 0
    for cell in sorted(set(s_plain) | set(s_ours)):
        if s_plain.get(cell) != s_ours.get(cell):
            print("  differs:", "/".join(cell), "plain nbgrader:", s_plain.get(cell), "grade:",
                  s_ours.get(cell))
    note = f"{n} submissions; every cell's score identical: {'yes' if same else 'NO'}"
    return [(ours, t_ours, plain, t_plain, "target: <= 0.5x; " + note)]


def table(rows):
    lines = [f"Benchmark of {datetime.date.today()}, {os.cpu_count()} cores "
             f"(numpy {np.__version__}, Python {sys.version.split()[0]})", "",
             "| measured | seconds | against | seconds | ratio | note |",
             "|---|---:|---|---:|---:|---|"]
    for what, a, against, b, note in rows:
        lines.append(f"| {what} | {a:.2f} | {against} | {b:.2f} | {a / b:.2f}x | {note} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["grading", "training", "speed", "wait"])
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--students", type=int, default=20, help="the grading class's size "
                        "(each hands in the six assignments)")
    args = parser.parse_args(argv)
    rows = []
    if args.only in (None, "training", "speed"):
        data = usps()
        if args.only in (None, "training"):
            rows += training(data)
        if args.only in (None, "speed"):
            rows += speed(data)
    if args.only in (None, "wait"):
        rows += student_wait()
    if args.only in (None, "grading"):
        rows += grading(args.workers, args.students)
    print(table(rows))


if __name__ == "__main__":
    main()
