"""A simulated class, graded end to end: `python -m instructor demo` (the README's `make demo`).

It builds a separate course directory (demo-class/ by default), generates the release, writes
one submission per simulated student with a timestamp (one of them late), then runs the same
pipeline as `python -m instructor grade`: autograde on all cores, the trusted re-grade,
feedback, export and the summary table.

The class: a correct student; a blank one; one student for each common mistake; one whose code
crashes its kernel; one that loops forever and ignores interrupts; one that exhausts memory; and
students who attack the grading: edited, deleted and re-tagged test cells, monkeypatching,
reading the reference and the gradebook, and a renamed, a missing and a corrupted notebook; and
students whose answers are right but who also try every route to the instructor's files (import,
inspect, the file system, /proc, the environment, the kernel's connection file); and a student
of the Chinese edition (中文版).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from course.i18n import edition
from instructor.course_dir import new_course, repository_course
from instructor.flags import Kind
from instructor.nbgrader_cli import generate_assignments
from course.notebooks import nbgrader_meta as _meta
from course.notebooks import source_text as _text

DUE = "2026-11-20 12:00:00 UTC"
ON_TIME = "2026-11-19 18:30:00.000000 UTC"
LATE = "2026-11-21 09:15:00.000000 UTC"

WRONG_01 = {  # plausible-looking but wrong answers, for the students who attack the tests
    "softmax_by_hand": "def softmax_by_hand():\n    return [1 / 3, 1 / 3, 1 / 3]\n",
    "softmax_shifted": "def softmax_shifted():\n    return [0.0, 0.0, 1.0]\n",
    "stable_shift": "def stable_shift():\n    return 1\n",
    "softmax": "def softmax(Z):\n    return np.zeros_like(Z, dtype=float)\n",
    "jacobian_2x2": "def jacobian_2x2():\n    return [[0.0, 0.0], [0.0, 0.0]]\n",
    "jacobian_signs": "def jacobian_signs():\n    return [[1, 1, 1], [1, 1, 1], [1, 1, 1]]\n",
    "softmax_jacobian": "def softmax_jacobian(z):\n    return np.zeros((len(z), len(z)))\n",
    "ce_grad_by_hand": "def ce_grad_by_hand():\n    return [0.0, 0.0, 0.0]\n",
    "source_cases": "def source_cases():\n    return 4\n",
    "ce_partial": "def ce_partial(p, t, j):\n    return 0.0\n",
}

# Code appended to a correct solution cell by the students who look for secrets. Each prints
# whatever it finds, so that a leak would show in the autograded notebook and the feedback.
LEAK_BY_IMPORT = """
import importlib, inspect
for name in ("instructor.reference", "instructor.grading", "instructor.grading.a01_softmax"):
    try:
        print(inspect.getsource(importlib.import_module(name)))
    except Exception as err:
        print("no", name, type(err).__name__)
"""
LEAK_BY_FILES = """
import os
found = []
for top in ("/", "/root", "/home", "/work", "/tmp", os.getcwd()):
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "usr", "lib")][:50]
        for f in files:
            if f in ("reference.py", "gradebook.db", "a01_softmax.py", "__init__.py") \
                    and ("instructor" in folder or f == "gradebook.db"):
                found.append(os.path.join(folder, f))
for path in found[:5]:
    print(path)
    print(open(path, errors="replace").read())
print("files found:", len(found))
"""
LEAK_BY_PROCESS = """
import os, sys, glob, json
print(sorted(os.environ))
for path in glob.glob("/proc/*/environ") + glob.glob("/proc/*/cmdline"):
    try:
        print(path, open(path, "rb").read()[:300])
    except OSError as err:
        print(path, type(err).__name__)
try:
    ip = get_ipython()
    connection = ip.kernel.config["IPKernelApp"].get("connection_file") or sys.argv[-1]
    print(connection, open(connection).read())
except Exception as err:
    print("no connection file", type(err).__name__)
"""

# student -> assignment -> {solution grade_id: code replacing the correct solution}
# An empty dict means: the correct solutions of that assignment.
CLASS = {
    "ada_correct": {a: {} for a in repository_course().assignments() if edition(a)[1] == "en"},
    # the Chinese edition: right everywhere but 01's ce_partial (the source's swapped cases)
    "lin_zh": {a + "_zh": ({"ce_partial": (
        "def ce_partial(p, t, j):\n    return p[j] - 1 if j != t else p[j]\n")}
        if a == "01_softmax" else {}) for a in repository_course().assignments()
        if edition(a)[1] == "en"},
    "bo_blank": {"01_softmax": "blank", "02_cross_entropy": "blank"},
    # one student per common mistake
    "cy_unstable_softmax": {"01_softmax": {"softmax": (
        "def softmax(Z):\n    E = np.exp(Z)\n    return E / E.sum(axis=1, keepdims=True)\n")}},
    "io_wrong_axis": {"01_softmax": {"softmax": (
        "def softmax(Z):\n    E = np.exp(Z - Z.max(axis=0, keepdims=True))\n"
        "    return E / E.sum(axis=0, keepdims=True)\n")}},
    "di_missing_1_over_m": {"02_cross_entropy": {"softmax_cross_entropy_backward": (
        "def softmax_cross_entropy_backward(Z2, y):\n"
        "    return softmax(Z2) - one_hot(y, Z2.shape[1])\n")}},
    "ha_sum_not_mean": {"02_cross_entropy": {"cross_entropy": (
        "def cross_entropy(P, y):\n"
        "    return -np.sum(np.log(P[np.arange(len(y)), y]))\n")}},
    "ed_mask_ge_zero": {"03_relu_mask": {"relu_mask": (
        "def relu_mask(Z):\n    return (np.asarray(Z) >= 0).astype(float)\n")}},
    "fa_transposed": {"03_relu_mask": {"affine_backward": (
        "def affine_backward(dOut, X, W):\n"
        "    return dOut @ W.T, dOut.T @ X, dOut.sum(axis=0)\n")}},
    "ji_missing_mask": {"03_relu_mask": {"relu_backward": (
        "def relu_backward(dA, Z):\n    return dA\n")}},
    # the source 000's swapped cases, followed; and the numpy trap of s @ s.T on a 1-D s
    "jo_swapped_cases": {"01_softmax": {
        "ce_grad_by_hand": "def ce_grad_by_hand():\n    return [1 / 7 - 1, 2 / 7, 4 / 7 - 1]\n",
        "source_cases": "def source_cases():\n    return 4\n",
        "ce_partial": "def ce_partial(p, t, j):\n    return p[j] - 1 if j != t else p[j]\n"}},
    "ki_outer_trap": {"01_softmax": {"softmax_jacobian": (
        "def softmax_jacobian(z2):\n    p = softmax(z2[None, :])[0]\n"
        "    return np.diag(p) - p @ p.T\n")}},
    # a one_hot still looping where the vectorised form is asked, a clipped log
    "le_loop_and_epsilon": {"02_cross_entropy": {
        "one_hot": ("def one_hot(y, K):\n    Y = np.zeros((len(y), K))\n"
                    "    for i, label in enumerate(y):\n        Y[i, label] = 1\n    return Y\n"),
        "cross_entropy": ("def cross_entropy(P, y):\n"
                          "    return -np.mean(np.log(P[np.arange(len(y)), y] + 1e-12))\n")}},
    "ko_lam_unscaled": {"04_l2_penalty": {"minibatch_lam": (
        "def minibatch_lam(lam, batch_size, m):\n    return lam\n")}},
    "li_biases_penalised": {"04_l2_penalty": {"regularised_grads": (
        "def regularised_grads(grads, params, lam, m):\n"
        "    return {k: grads[k] + l2_grad(params[k], lam, m) for k in grads}\n")}},
    # 05: the mask [Z1 >= 0] in backward, the source 000's missing transpose, a count of
    # one evaluation per parameter
    "mi_backprop_slips": {"05_backprop": {
        "backward": (
            "def backward(params, cache, X, y, lam):\n    m = len(y)\n"
            "    dZ2 = softmax_cross_entropy_backward(cache['Z2'], y)\n"
            "    dA1, dW2, db2 = affine_backward(dZ2, cache['A1'], params['W2'])\n"
            "    dZ1 = dA1 * (cache['Z1'] >= 0)\n"
            "    dX, dW1, db1 = affine_backward(dZ1, X, params['W1'])\n"
            "    return {'W1': dW1 + l2_grad(params['W1'], lam, m), 'b1': db1,\n"
            "            'W2': dW2 + l2_grad(params['W2'], lam, m), 'b2': db2}\n"),
        "dW2_from": "def dW2_from(E, A1):\n    return E.T @ A1 / E.shape[0]\n",
        "op_counts": ("def op_counts():\n    return {'forward': 68096, 'backward': 70656, "
                      "'finite_differences': 68362 * 68096}\n")}},
    # 06: the count instead of the fraction, a step that is not in place, the test set reused
    "no_training_slips": {"06_train_digits": {
        "accuracy": ("def accuracy(y_pred, y):\n"
                     "    return float(np.sum(np.asarray(y_pred) == np.asarray(y)))\n"),
        "sgd_step": ("def sgd_step(params, grads, lr):\n"
                     "    return {k: params[k] - lr * grads[k] for k in params}\n"),
        "test_once": "def test_once():\n    return 3\n"}},
    "gu_lambda_not_halved": {"04_l2_penalty": {"l2_penalty": (
        "def l2_penalty(params, lam, m):\n"
        "    return lam / m * (np.sum(params['W1'] ** 2) + np.sum(params['W2'] ** 2))\n")}},
    # correct, written differently, and noisy on stderr: must lose nothing
    "vo_noisy_correct": {"01_softmax": {
        "softmax": ("import sys, warnings\nimport scipy.special\n"
                    "def softmax(Z):\n    warnings.warn('using scipy')\n"
                    "    print('softmax called', file=sys.stderr)\n"
                    "    return scipy.special.softmax(np.asarray(Z, dtype=np.float32), axis=1)\n"),
        "softmax_jacobian": ("def softmax_jacobian(z):\n    s = softmax(z[None, :])[0]\n"
                             "    K = len(s)\n    J = np.zeros((K, K))\n"
                             "    for i in range(K):\n        for j in range(K):\n"
                             "            J[i, j] = s[i] * ((i == j) - s[j])\n    return J\n"),
        "ce_partial": ("def ce_partial(y_hat, t, j):\n"
                       "    return float(np.einsum('k,k->', y_hat, np.eye(len(y_hat))[j])"
                       " - (j == t))\n")}},
    # code that crashes, hangs or eats memory
    "ka_kills_kernel": {"01_softmax": {"ce_partial": (
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")}},
    "lu_infinite_loop": {"01_softmax": {"softmax": (
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "def softmax(Z):\n    while True:\n        pass\n")}},
    "mo_memory_hog": {"01_softmax": {"softmax": (
        "def softmax(Z):\n    Z = np.asarray(Z, dtype=float)\n"
        "    # meant (m, K); asks for terabytes\n"
        "    pairs = np.ones((Z.size * 10**5, Z.size * 10**5))\n"
        "    E = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
        "    return E / E.sum(axis=1, keepdims=True)\n")}},
    # attacks on the grading
    "na_edits_tests": {"01_softmax": {**WRONG_01, "@tests": "assert True\n"}},
    "ob_deletes_tests": {"01_softmax": {**WRONG_01, "@tests": None}},
    "pi_retags_tests": {"01_softmax": {**WRONG_01, "@retag": True}},
    "qu_monkeypatches": {"01_softmax": {**WRONG_01, "softmax": (
        "import builtins\nimport numpy\n"
        "numpy.allclose = lambda *a, **k: True\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\n"
        "import course.exercises\n"
        "course.exercises.Exercise.check = lambda self, fn, **k: True\n"
        "try:\n    import instructor.grading\n"
        "    instructor.grading.grade = lambda *a, **k: True\nexcept ImportError:\n    pass\n"
        "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n"
        "def softmax(Z):\n    return np.zeros_like(Z, dtype=float)\n")}},
    "ra_reads_instructor": {"01_softmax": {"softmax": (
        "import os\nfrom instructor.reference import softmax, softmax_jacobian\n"
        "ROOT = os.environ.get('BACKPROP_COURSE_ROOT', '')\n"
        "print('gradebook visible:', os.path.exists(os.path.join(ROOT, 'gradebook.db')))\n"
        "print('source visible:', os.path.exists(os.path.join(ROOT, 'source')))\n"
        "try:\n    open(os.path.join(ROOT, 'hacked.txt'), 'w').write('x')\n"
        "    print('wrote into the course folder')\n"
        "except OSError as err:\n    print('cannot write:', type(err).__name__)\n"),
        "softmax_jacobian": "", "ce_partial": WRONG_01["ce_partial"].replace(
            "return 0.0", "return p[j] - (j == t)")}},
    # right answers, plus every route to the instructor's files: must score 7/7, be flagged,
    # and find nothing (the autograded notebook and the feedback must hold no secret)
    "xa_leaks_by_import": {"01_softmax": {"@append": {"softmax": LEAK_BY_IMPORT}}},
    "ya_leaks_by_files": {"01_softmax": {"@append": {"softmax_jacobian": LEAK_BY_FILES}}},
    "za_leaks_by_process": {"01_softmax": {"@append": {"ce_partial": LEAK_BY_PROCESS}}},
    # right answers and a flood of output: capped in bytes, flagged, nothing lost
    "zo_floods_output": {"01_softmax": {"@append": {"softmax": "print('spam ' * 4_000_000)\n"}}},
    "sa_renamed": {"01_softmax": {"@rename": "01_softmax (1).ipynb"}},
    "tu_missing": {"01_softmax": {"@rename": None}},
    "ul_corrupt": {"01_softmax": {"@corrupt": True}},
    "wa_late": {"01_softmax": {"@late": True}},
}


def _strip_markers(source):
    lines = [ln for ln in source.splitlines() if ln.strip() not in
             ("### BEGIN SOLUTION", "### END SOLUTION")]
    return "\n".join(lines) + "\n"


def student_notebook(root, assignment, plan):
    """The submission a simulated student hands in (a dict): the release, filled in."""
    nb = json.loads((root / "release" / assignment / f"{assignment}.ipynb").read_text())
    if plan == "blank":
        return nb
    source = json.loads((root / "source" / assignment / f"{assignment}.ipynb").read_text())
    solutions = {_meta(c)["grade_id"]: _strip_markers(_text(c)) for c in source["cells"]
                 if _meta(c).get("solution")}
    cells = []
    for cell in nb["cells"]:
        meta = _meta(cell)
        if meta.get("solution"):
            cell["source"] = plan.get(meta["grade_id"], solutions[meta["grade_id"]]) + \
                plan.get("@append", {}).get(meta["grade_id"], "")
        elif meta.get("grade"):
            if "@tests" in plan:
                if plan["@tests"] is None:
                    continue  # deleted
                cell["source"] = plan["@tests"]
            if plan.get("@retag"):
                cell.setdefault("metadata", {})["tags"] = ["raises-exception", "skip-execution"]
                gid = meta["grade_id"]
                if gid == "test_softmax":
                    meta["grade"] = False
                elif gid == "test_softmax_jacobian":
                    meta["points"] = 100
                elif gid == "test_ce_partial":
                    cell["cell_type"] = "markdown"
                    cell.pop("outputs", None)
                    cell.pop("execution_count", None)
        cells.append(cell)
    nb["cells"] = cells
    return nb


def build_class(demo_root, *, cell_timeout=30, students=None):
    """A fresh course directory with the release generated and the submissions of `students`
    (default: the whole class) in place."""
    demo_root = Path(demo_root).resolve()
    if demo_root.exists():
        shutil.rmtree(demo_root)
    course = new_course(demo_root, cell_timeout=cell_timeout)
    names = course.assignments()
    generate_assignments(course, names, duedate=DUE)
    for student, work in CLASS.items():
        if students is not None and student not in students:
            continue
        for assignment, plan in work.items():
            if assignment not in names:
                continue
            folder = demo_root / "submitted" / student / assignment
            folder.mkdir(parents=True)
            late = isinstance(plan, dict) and plan.get("@late")
            (folder / "timestamp.txt").write_text(LATE if late else ON_TIME)
            if isinstance(plan, dict) and "@rename" in plan and plan["@rename"] is None:
                continue  # a folder without its notebook
            nb = student_notebook(demo_root, assignment, plan)
            name = (plan.get("@rename") if isinstance(plan, dict) else None) or \
                f"{assignment}.ipynb"
            text = json.dumps(nb, indent=1)
            if isinstance(plan, dict) and plan.get("@corrupt"):
                text = text[: len(text) // 2]  # a half-written file
            (folder / name).write_text(text)
    return demo_root


#: The kinds of flag each flagged student must get (the end-to-end test compares kinds); every
#: student not listed here must get no flag at all.
EXPECTED_FLAGS = {
    "na_edits_tests": {Kind.TAMPERING},
    "ob_deletes_tests": {Kind.TAMPERING},
    "pi_retags_tests": {Kind.TAMPERING},
    "qu_monkeypatches": {Kind.SUSPICIOUS},
    "ra_reads_instructor": {Kind.SUSPICIOUS},
    "xa_leaks_by_import": {Kind.SUSPICIOUS},
    "ya_leaks_by_files": {Kind.SUSPICIOUS},
    "za_leaks_by_process": {Kind.SUSPICIOUS},
    "zo_floods_output": {Kind.OUTPUT_CAPPED},
    "sa_renamed": {Kind.RENAMED},
    "tu_missing": {Kind.MISSING},
    "ul_corrupt": {Kind.CORRUPT},
    "wa_late": {Kind.LATE},
    "ka_kills_kernel": {Kind.SUSPICIOUS, Kind.KERNEL_DIED, Kind.REGRADE_ENDED},
    "lu_infinite_loop": {Kind.SUSPICIOUS, Kind.TIME_LIMIT, Kind.REGRADE_TIME},
    "mo_memory_hog": {Kind.OUT_OF_MEMORY},
}


def run_demo(demo_root, *, workers=None, log=print):
    from instructor.pipeline import grade_class
    from instructor.report import summary_table

    log(f"Building the simulated class in {demo_root} ...")
    root = build_class(demo_root)
    log(f"{len(CLASS)} students, "
        f"{sum(len(w) for w in CLASS.values())} submissions; due {DUE}")
    report = grade_class(root, workers=workers, log=log)
    log("")
    log(summary_table(report))
    return report

