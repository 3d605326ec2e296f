"""nbgrader configuration for the course (read from the repository root).

solutions/<chapter>/<chapter>.ipynb is the single source of a chapter; `make release` writes the
student version to notebooks/<chapter>/<chapter>.ipynb. Submissions, autograded copies, feedback
and the gradebook stay out of git (see .gitignore).
"""

c = get_config()  # noqa: F821 (nbgrader provides it)

c.CourseDirectory.course_id = "dl4ia"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"

# What a student finds where a solution was.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Chapter cells are kept well under nbgrader's 30 s default; leave headroom for slow laptops.
c.ExecutePreprocessor.timeout = 120

# Grading runs student code in a sandbox and computes every verdict outside it
# (course_utils/grading): see the instructor guide, "How grading works".
from course_utils.grading.nbgrader_plugin import configure  # noqa: E402

configure(c)
