"""The instructor's side of the course: reference solutions, grading and the nbgrader pipeline.

Never handed to students: nbgrader's release holds only the notebooks, and the student library
(`course`) does not include this package. At autograde time nbgrader_config.py puts the course
root on the kernel's path, so the hidden tests can import it.
"""
