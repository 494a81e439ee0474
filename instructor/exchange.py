"""nbgrader's exchange as the classroom uses it (classroom/, instructor/classroom.py).

nbgrader releases a student's feedback under a hash of the secret their submit wrote beside the
notebook (submission_secret.txt), and looks for that secret beside the feedback. The course's
grader (instructor/intake.py) stages only a submission's notebook and timestamp, so the feedback
it generates has no secret and nbgrader's release fails. `ReleaseFeedback` takes the secret from
submitted/, where nbgrader's collect put it and which the grader never changes. Work that did not
come through the exchange (`grade --from`, a folder) has no secret and nowhere to be returned
to: it is left out, with a warning, instead of failing the release for everybody.
"""
from __future__ import annotations

import glob
import os
import shutil

from nbgrader.exchange.default import ExchangeReleaseFeedback

SECRET = "submission_secret.txt"


class ReleaseFeedback(ExchangeReleaseFeedback):
    def copy_files(self):
        not_exchanged = []
        for folder in glob.glob(self.src_path):  # feedback/<student>/<assignment>
            student = os.path.basename(os.path.dirname(folder))
            handed_in = os.path.join(self.coursedir.format_path(
                self.coursedir.submitted_directory, student, self.coursedir.assignment_id),
                SECRET)
            if not os.path.isfile(os.path.join(folder, SECRET)):
                if os.path.isfile(handed_in):
                    shutil.copy(handed_in, os.path.join(folder, SECRET))
                else:
                    not_exchanged.append(student)
        if not_exchanged:
            self.log.warning("Not handed in through the exchange, so not released: %s",
                             ", ".join(sorted(not_exchanged)))
            excluded = [s for s in self.coursedir.student_id_exclude.split(",") if s]
            self.coursedir.student_id_exclude = ",".join(excluded + not_exchanged)
        return super().copy_files()
