"""nbgrader for the instructor's server: the course folder's own settings (the course's
nbgrader settings and the classroom's exchange), wherever the server was started."""
import os

c = get_config()  # noqa: F821 - provided by nbgrader
load_subconfig("nbgrader_config.py", path=os.environ["BACKPROP_COURSE_DIR"])  # noqa: F821
# No dump of the loaded configuration above the formgrader's assignment table.
c.FormgradeExtension.debug = False
