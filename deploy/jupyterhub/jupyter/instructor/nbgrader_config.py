"""nbgrader in the instructor's JupyterLab on the course hub: formgrader works on the course
folder, with the course folder's own settings (course id, exchange, the course's config)."""
import os

c = get_config()  # noqa: F821
c.CourseDirectory.root = os.environ["LOSSBOOK_COURSE_DIR"]
load_subconfig(os.path.join(os.environ["LOSSBOOK_COURSE_DIR"], "nbgrader_config.py"))  # noqa: F821
