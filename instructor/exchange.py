"""nbgrader's exchange as the classroom uses it (classroom/, instructor/classroom.py).

nbgrader releases a student's feedback under a hash of the secret their submit wrote beside the
notebook (submission_secret.txt), and looks for that secret beside the feedback. The course's
grader (instructor/intake.py) stages only a submission's notebook and timestamp, so the feedback
it generates has no secret and nbgrader's release fails. `ReleaseFeedback` takes the secret from
submitted/, where nbgrader's collect put it and which the grader never changes.
"""
from __future__ import annotations

import glob
import os
import shutil

from nbgrader.exchange.default import ExchangeReleaseFeedback

SECRET = "submission_secret.txt"


class ReleaseFeedback(ExchangeReleaseFeedback):
    def copy_files(self):
        for folder in glob.glob(self.src_path):  # feedback/<student>/<assignment>
            student = os.path.basename(os.path.dirname(folder))
            handed_in = os.path.join(self.coursedir.format_path(
                self.coursedir.submitted_directory, student, self.coursedir.assignment_id),
                SECRET)
            if not os.path.isfile(os.path.join(folder, SECRET)) and os.path.isfile(handed_in):
                shutil.copy(handed_in, os.path.join(folder, SECRET))
        return super().copy_files()
