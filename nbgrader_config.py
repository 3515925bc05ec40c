"""nbgrader settings for the course, used from the repository root.

solutions/   holds the instructor (source) notebooks,
assignments/ holds the student (release) notebooks generated from them.
"""
c = get_config()  # noqa: F821  (provided by nbgrader)

c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# Student versions: the solution blocks become this line.
c.ClearSolutions.code_stub = {"python": "# 여기에 코드를 작성하세요\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "여기에 답을 작성하세요."

# Training tasks take seconds; a runaway cell must not hold up a whole class.
c.Execute.timeout = 120
