"""nbgrader in a student's JupyterLab on the course hub: the course and its exchange."""
import os

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = os.environ["LOSSBOOK_COURSE_ID"]
c.Exchange.root = os.environ["LOSSBOOK_EXCHANGE"]
