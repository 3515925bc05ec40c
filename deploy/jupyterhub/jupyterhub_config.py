"""The course's JupyterHub (`make hub`; run as root: it starts each user's server as that
Unix user). Settings come from the environment, see course.py.

- proxy: configurable-http-proxy (npm), started and stopped by the hub
- login: PAM, i.e. the Unix passwords of the users course.py made; students are the members
  of LOSSBOOK_STUDENT_GROUP, the instructor is the hub's admin
- servers: LocalProcessSpawner, each user's JupyterLab of this course environment runs as
  that Unix user in their home, with nbgrader's lab extension; the students' Jupyter config
  (jupyter/student/) turns formgrader and create-assignment off, the instructor's
  (jupyter/instructor/) points formgrader at the course folder
- exchange: nbgrader's default exchange in LOSSBOOK_EXCHANGE, course id LOSSBOOK_COURSE_ID
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import course  # noqa: E402

c = get_config()  # noqa: F821
S = course.settings()
STATE = Path(S["state"])
STATE.mkdir(parents=True, exist_ok=True)
STATE.chmod(0o700)

c.JupyterHub.bind_url = f"http://{S['ip']}:{S['port']}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.ConfigurableHTTPProxy.command = ["configurable-http-proxy"]
c.JupyterHub.cleanup_servers = True   # stopping the hub stops every user's server

c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {S["student_group"]}
c.Authenticator.allowed_users = {S["instructor"]}
c.Authenticator.admin_users = {S["instructor"]}
c.PAMAuthenticator.open_sessions = False

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(course.VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60


def _per_role(spawner):
    """The instructor's server gets formgrader and the course folder; a student's does not."""
    spawner.environment.update(course.environment(S, instructor=spawner.user.name == S["instructor"]))


c.Spawner.pre_spawn_hook = _per_role
