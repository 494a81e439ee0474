"""nbgrader for a student's server: the classroom's exchange, and the student's identity.

nbgrader names a submission after the Unix user running the server, unless that user is
`jovyan` (the container images of a Kubernetes hub), when it uses the hub name. On one host every
server runs as the same Unix user, so the hub name is given here; the exchange then files, lists
and returns each student's work under their own name.
"""
import os

c = get_config()  # noqa: F821 - provided by nbgrader
c.Exchange.root = os.environ["BACKPROP_EXCHANGE"]
c.CourseDirectory.course_id = "backprop"
c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
# Validate runs the whole notebook: a cell may take up to two minutes on a busy server (06
# trains a network; nbgrader's default gives up after 30 s).
c.Execute.timeout = 120
# A submission's time as the Assignment List shows it (and names the feedback folder): to the
# second, not to the microsecond.
c.Exchange.timestamp_format = "%Y-%m-%d %H:%M:%S %Z"
