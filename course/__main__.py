"""Start the course: `python -m course start` (the README's `make start`).

Copies the notebooks you work in from release/ into work/ (once: a notebook already in work/ is
never overwritten, so your answers are safe when the course is updated), then opens JupyterLab
there. work/ is yours: git ignores it and `make release` never touches it.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def prepare(work, release=REPOSITORY / "release", log=print):
    """Copy every assignment folder of `release` that `work` does not have yet. Returns the
    folders copied."""
    work, release = Path(work), Path(release)
    if not release.is_dir():
        raise SystemExit(f"{release} not found: run this from the course's folder (a clone of "
                         f"its repository, with the course package installed with pip -e)")
    work.mkdir(parents=True, exist_ok=True)
    copied = []
    for folder in sorted(p for p in release.iterdir() if p.is_dir()):
        target = work / folder.name
        if target.exists():
            continue
        shutil.copytree(folder, target)
        copied.append(target)
    for target in copied:
        log(f"  new: {target.relative_to(work.parent) if work.parent in target.parents else target}")
    return copied


def start(args):
    work = Path(args.dir).resolve()
    print(f"Your work folder: {work}")
    copied = prepare(work)
    if not copied:
        print("  (every assignment is already there: nothing was overwritten)")
    if args.no_lab:
        return 0
    print("Opening JupyterLab there (stop it with Ctrl-C; your notebooks are saved in the "
          "work folder).")
    from jupyterlab.labapp import main as lab

    sys.argv = ["jupyter-lab", f"--ServerApp.root_dir={work}", "--ServerApp.ip=127.0.0.1",
                *([f"--ServerApp.port={args.port}"] if args.port else []),
                *(["--no-browser"] if args.no_browser else [])]
    return lab()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("start", help="copy the notebooks into your work folder and open "
                                     "JupyterLab there")
    p.add_argument("--dir", default=str(REPOSITORY / "work"), help="your work folder "
                   "(default: work/ in the course's folder)")
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    p.add_argument("--no-lab", action="store_true", help="only prepare the work folder")
    p.set_defaults(fn=start)
    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
