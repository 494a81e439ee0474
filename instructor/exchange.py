"""nbgrader's exchange as the classroom uses it (classroom/, instructor/classroom.py).

nbgrader releases a student's feedback under a hash of the secret their submit wrote beside the
notebook (submission_secret.txt); the grader stages it with the notebook (instructor/intake.py), so
it reaches feedback/. Work that did not come through the exchange (`grade --from`, a folder) has
no secret and nowhere to be returned to: `ReleaseFeedback` leaves it out, with a warning, instead
of failing the release for everybody.
"""
from __future__ import annotations

import glob
import os

from nbgrader.exchange.default import ExchangeReleaseFeedback

SECRET = "submission_secret.txt"


class ReleaseFeedback(ExchangeReleaseFeedback):
    def copy_files(self):
        not_exchanged = sorted(  # feedback/<student>/<assignment> without a secret
            os.path.basename(os.path.dirname(folder)) for folder in glob.glob(self.src_path)
            if not os.path.isfile(os.path.join(folder, SECRET)))
        if not_exchanged:
            self.log.warning("Not handed in through the exchange, so not released: %s",
                             ", ".join(not_exchanged))
            excluded = [s for s in self.coursedir.student_id_exclude.split(",") if s]
            self.coursedir.student_id_exclude = ",".join(excluded + not_exchanged)
        return super().copy_files()
