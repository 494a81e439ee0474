"""Start the course: `python -m course start` (the README's `make start`).

Copies the notebooks you work in from release/ into work/ (once: a notebook already in work/ is
never overwritten, so your answers are safe when the course is updated), then opens JupyterLab
there. work/ is yours: git ignores it and `make release` never touches it.

`--lang zh` does the same with the Chinese edition (中文版: release/<a>_zh/, in work_zh/), its
checks, hints and feedback in Chinese, and JupyterLab's own menus in Chinese (the language pack;
nbgrader's buttons stay in English).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from course.i18n import _, speaking

REPOSITORY = Path(__file__).resolve().parents[1]


def prepare(work, release=REPOSITORY / "release", log=print, lang="en"):
    """Copy every assignment folder of `release` in language `lang` that `work` does not have
    yet. Returns the folders copied."""
    from course.i18n import edition

    work, release = Path(work), Path(release)
    if not release.is_dir():
        raise SystemExit(_("{release} not found: run this from the course's folder (a clone of "
                           "its repository, with the course package installed with pip -e)")
                         .format(release=release))
    work.mkdir(parents=True, exist_ok=True)
    copied = []
    for folder in sorted(p for p in release.iterdir()
                         if p.is_dir() and edition(p.name)[1] == lang):
        target = work / folder.name
        if target.exists():
            continue
        shutil.copytree(folder, target)
        copied.append(target)
    for target in copied:
        log(_("  new: {folder}").format(
            folder=target.relative_to(work.parent) if work.parent in target.parents else target))
    return copied


def start(args):
    with speaking(args.lang):
        return _start(args)


def _start(args):
    work = Path(args.dir or REPOSITORY / ("work" if args.lang == "en" else "work_" + args.lang))
    work = work.resolve()
    print(_("Your work folder: {folder}").format(folder=work))
    copied = prepare(work, lang=args.lang)
    if not copied:
        print(_("  (every assignment is already there: nothing was overwritten)"))
    if args.no_lab:
        return 0
    print(_("Opening JupyterLab there (stop it with Ctrl-C; your notebooks are saved in the "
            "work folder)."))
    if args.lang != "en":
        print(_("JupyterLab's menus are in Chinese; nbgrader's own buttons (Validate, the "
                "Assignment List) stay in English."))
    from jupyterlab.labapp import main as lab

    os.environ["BACKPROP_LANG"] = args.lang  # the checks and hints speak the edition's language
    sys.argv = ["jupyter-lab", f"--ServerApp.root_dir={work}", "--ServerApp.ip=127.0.0.1",
                f"--LabApp.user_settings_dir={lab_settings(work, args.lang)}",
                *([f"--ServerApp.port={args.port}"] if args.port else []),
                *(["--no-browser"] if args.no_browser else []), *args.lab_options]
    return lab()


def lab_settings(work, lang):
    """JupyterLab's settings for this work folder: its menus in the edition's language."""
    folder = work / ".lab-settings"
    plugin = folder / "@jupyterlab" / "translation-extension" / "plugin.jupyterlab-settings"
    plugin.parent.mkdir(parents=True, exist_ok=True)
    plugin.write_text(json.dumps({"locale": {"en": "en", "zh": "zh_CN"}[lang]}))
    news = folder / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True, exist_ok=True)
    news.write_text(json.dumps({"fetchNews": "false"}))  # no "news?" pop-up over the notebook
    return folder


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("start", help="copy the notebooks into your work folder and open "
                                     "JupyterLab there")
    p.add_argument("--dir", default=None, help="your work folder (default: work/ in the "
                   "course's folder; work_zh/ for the Chinese edition)")
    p.add_argument("--lang", choices=["en", "zh"], default="en",
                   help="the edition: en (English) or zh (中文)")
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    p.add_argument("--no-lab", action="store_true", help="only prepare the work folder")
    p.set_defaults(fn=start)
    args, args.lab_options = parser.parse_known_args(argv)  # the rest is JupyterLab's
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
