"""What feedback may show: no hidden-test source, no grading or reference code.

nbgrader's feedback shows the autograded notebook, hidden tests and full tracebacks included.
The course's feedback removes the hidden test regions (nbgrader's ClearHiddenTests) and, in test
cells, replaces each traceback with its last line: the failure message, which names the case
and the likely mistake.
"""
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade


class ShortenTestTracebacks(NbGraderPreprocessor):
    """In graded test cells, keep only 'ErrorName: message' of an error's traceback."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_grade(cell):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"\x1b[0;31m{out.get('ename', 'Error')}\x1b[0m: "
                                        f"{out.get('evalue', '')}"]
        return cell, resources
