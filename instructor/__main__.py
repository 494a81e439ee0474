"""Instructor commands:

    python -m instructor demo             a simulated class through the whole pipeline
    python -m instructor grade [--from P] grade the class in submitted/ (or a folder/zip P)
    python -m instructor release          regenerate release/ (and the Chinese edition)
    python -m instructor translations     update the Chinese catalogs, list what is open
    python -m instructor check-data       find, load and verify USPS
    python -m instructor train-reference  train the reference network on USPS
    python -m instructor export [--roster R]  grades.csv and the Canvas gradebook import file
    python -m instructor classroom start|status|stop   JupyterHub for the course on this host
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np


def check_data(args) -> int:
    from course.data import N_CLASSES, load_usps

    d = load_usps(args.usps, allow_fallback=not args.strict)
    print(f"source: {d.source}")
    for split, X, y in (("train", d.X_train, d.y_train), ("test", d.X_test, d.y_test)):
        counts = " ".join(str(c) for c in np.bincount(y, minlength=N_CLASSES))
        print(f"  {split:5}: X {X.shape}, values in [{X.min():.0f}, {X.max():.0f}], "
              f"class counts {counts}")
    print("USPS verified." if d.is_usps else "NOT USPS: the fallback data set is in use.")
    return 0 if d.is_usps or not args.strict else 1


def train_reference(args) -> int:
    from course.data import load_usps
    from instructor import reference as R

    d = load_usps(args.usps, allow_fallback=not args.strict)
    settings = dict(R.TRAIN_SETTINGS, epochs=args.epochs or R.TRAIN_SETTINGS["epochs"])
    print(f"Training the reference {d.X_train.shape[1]}-{args.hidden}-10 network on {d.source}")
    print("  " + ", ".join(f"{k}={v}" for k, v in settings.items()))
    params = R.init_params(d.X_train.shape[1], args.hidden, 10, seed=settings["seed"])
    start = time.perf_counter()
    hist = R.train(params, d.X_train, d.y_train, X_val=d.X_test, y_val=d.y_test, **settings)
    for e, (lo, tr, te) in enumerate(zip(hist["loss"], hist["acc"], hist["val_acc"]), 1):
        print(f"  epoch {e:2d}  loss {lo:.4f}  train acc {tr:.4f}  test acc {te:.4f}")
    acc = R.accuracy(R.predict(params, d.X_test), d.y_test)
    print(f"test accuracy {acc:.2%} in {time.perf_counter() - start:.1f} s")
    return 0 if acc >= 0.95 or not d.is_usps else 1


def release(args) -> int:
    from course.i18n import LANGUAGES
    from instructor.release import generate_release
    from instructor.translations import StaleTranslation

    try:
        written = generate_release(names=args.names or None,
                                   languages=LANGUAGES if args.lang == "all" else (args.lang,))
    except StaleTranslation as err:
        print(f"The Chinese edition cannot be built: the translations are not complete.\n{err}\n"
              f"Update the catalogs with `python -m instructor translations`, translate, and "
              f"release again (or release the English edition alone: --lang en).",
              file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


def translations(args) -> int:
    from instructor.translations import update_all

    report = update_all()
    open_items = sum(len(found) for found in report.values())
    for path, found in report.items():
        print(f"{path}: {'complete' if not found else f'{len(found)} to translate or review'}")
        for line in found[:args.show]:
            print(f"  {line}")
    return 0 if not open_items else 1


def grade(args) -> int:
    from instructor.pipeline import grade_class
    from instructor.report import summary_table

    report = grade_class(args.root, source=args.source, workers=args.workers,
                         scheduler=args.scheduler)
    print(summary_table(report))
    return 0


def export(args) -> int:
    from instructor.course_dir import Course
    from instructor.lms import write_canvas_csv
    from instructor.report import export_grades

    course = Course(args.root)
    print(f"Grades (nbgrader export):   {export_grades(course, course.root / 'grades.csv')}")
    path, missing = write_canvas_csv(course, course.root / "canvas-grades.csv", args.roster)
    print(f"Canvas gradebook import:    {path}")
    if missing:
        print(f"Not in the roster (Canvas will not match them): {', '.join(missing)}")
    return 0


def demo(args) -> int:
    from instructor.demo import run_demo

    run_demo(args.dir, workers=args.workers)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m instructor", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, fn, text in (("check-data", check_data, "find, load and verify USPS"),
                           ("train-reference", train_reference,
                            "train the reference network on USPS and report test accuracy")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--usps", help="folder holding the USPS files (default: search)")
        p.add_argument("--strict", action="store_true",
                       help="fail instead of falling back to scikit-learn's digits")
        p.set_defaults(fn=fn)
    sub.choices["train-reference"].add_argument("--hidden", type=int, default=256)
    sub.choices["train-reference"].add_argument("--epochs", type=int, default=None)
    from pathlib import Path

    from instructor.course_dir import REPOSITORY as root
    p = sub.add_parser("grade", help="autograde, re-grade, feedback and export for a class")
    p.add_argument("--from", dest="source", help="a folder or zip of downloaded submissions "
                   "(<student>/<assignment>.ipynb or <student>/<assignment>/...)")
    p.add_argument("--root", default=root, type=Path, help="the course directory")
    p.add_argument("--workers", type=int, default=None, help="parallel graders on this machine "
                   "(default: one per core)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="grade on a Dask cluster instead: its scheduler's address (the workers "
                        "must see the course folder at the same path)")
    p.set_defaults(fn=grade)
    p = sub.add_parser("export", help="nbgrader's grades.csv and canvas-grades.csv (Canvas's "
                       "gradebook import) from the gradebook")
    p.add_argument("--root", default=root, type=Path, help="the course directory")
    p.add_argument("--roster", type=Path, help="Canvas's gradebook export, to match students "
                   "and existing assignments")
    p.set_defaults(fn=export)
    p = sub.add_parser("demo", help="build a simulated class and grade it end to end")
    p.add_argument("--dir", default=root / "demo-class", type=Path)
    p.add_argument("--workers", type=int, default=None)
    p.set_defaults(fn=demo)
    p = sub.add_parser("release", help="generate the editions and release/ from source/")
    p.add_argument("names", nargs="*", help="assignments (default: all in source/)")
    p.add_argument("--lang", choices=["all", "en", "zh"], default="all",
                   help="the editions to release (default: both)")
    p.set_defaults(fn=release)
    p = sub.add_parser("translations", help="bring the Chinese catalogs in line with the "
                       "English and list what is left to translate")
    p.add_argument("--show", type=int, default=20, help="how many open items to list per file")
    p.set_defaults(fn=translations)
    from instructor import classroom

    p = sub.add_parser("classroom", help="JupyterHub for the course on this host")
    classroom.add_arguments(p)
    p.set_defaults(fn=classroom.command)
    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
