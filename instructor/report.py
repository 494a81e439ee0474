"""Stage 4, report: nbgrader's grades.csv, the course's grading-report.csv, a summary table.

(Feedback is generated per submission by the workers, right after its autograde.)
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Report:
    results: list          # reconcile.Result
    csv_path: Path
    report_path: Path
    feedback_dir: Path
    sandbox_note: str
    regraded: list         # the (student, assignment) pairs graded in this run


def export_grades(course, path):
    """nbgrader's own CSV export of the gradebook (what `nbgrader export` writes)."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    tmp = Path(path).with_suffix(".tmp")
    with Gradebook(course.db_url, course.course_id) as gb:
        CsvExportPlugin(to=str(tmp)).export(gb)
    os.replace(tmp, path)
    return Path(path)


def write_report(results, path):
    """One row per student and assignment: score, max score, submitted, flags."""
    rows = [{"student": r.student, "assignment": r.assignment, "language": r.language,
             "score": f"{r.score:g}" if r.submitted else "",
             "max_score": f"{r.max_score:g}",
             "submitted": "yes" if r.submitted else "no",
             "flag_kinds": " ".join(sorted({f.kind.value for f in r.flags})),
             "flags": " | ".join(str(f) for f in r.flags)} for r in results]
    tmp = Path(path).with_suffix(".tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["student"])
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)
    return Path(path)


def summary_table(report: Report) -> str:
    """Student x assignment scores, then every flag, then where the outputs are."""
    results = report.results
    students = sorted({r.student for r in results})
    names = sorted({r.assignment for r in results})
    by = {(r.student, r.assignment): r for r in results}
    width = max([7] + [len(s) for s in students])
    head = f"{'student':<{width}} " + " ".join(f"{n[:2]:>7}" for n in names) + "   total  flags"
    lines = [head, "-" * len(head)]
    for s in students:
        cells, total, top, flagged = [], 0.0, 0.0, 0
        for n in names:
            r = by.get((s, n))
            top += r.max_score if r else 0
            if r is None or not r.submitted:
                cells.append(f"{'-':>7}")
                continue
            total += r.score
            mark = "*" if r.flags else " "
            flagged += len(r.flags)
            cells.append(f"{r.score:>3g}/{r.max_score:<2g}{mark}")
        lines.append(f"{s:<{width}} " + " ".join(cells) + f"  {total:>3g}/{top:<3g}  "
                     + (str(flagged) if flagged else ""))
    lines += ["", "(* = flagged; - = not submitted)  columns: " + ", ".join(names), "", "Flags:"]
    for r in results:
        for f in r.flags:
            lines.append(f"  {r.student}/{r.assignment}: [{f.kind.value}] {f}")
    lines += ["",
              f"Sandbox: {report.sandbox_note}",
              f"Graded this run: {len(report.regraded)} submission(s)",
              f"Grades (nbgrader export): {report.csv_path}",
              f"Report with flags:        {report.report_path}",
              f"Feedback:                 {report.feedback_dir}/<student>/<assignment>/"]
    return "\n".join(lines)
