"""The course hub's set-up, run as root: Unix users, the exchange, the instructor's course
folder, releasing assignments. `jupyterhub_config.py` reads its settings from here.

    python deploy/jupyterhub/course.py setup --students s2024001,s2024002 [--release-all]
    python deploy/jupyterhub/course.py hub [--students ...]   # setup, release, start the hub (make hub)

Settings (environment variables, with the defaults of a single course machine):
  LOSSBOOK_COURSE_ID      nbgrader course id                       (lossbook)
  LOSSBOOK_EXCHANGE       nbgrader's exchange root                 (/srv/nbgrader/exchange)
  LOSSBOOK_INSTRUCTOR     the instructor's Unix user (formgrader)   (instructor)
  LOSSBOOK_COURSE_DIR     the instructor's course folder           (~INSTRUCTOR/course)
  LOSSBOOK_STUDENT_GROUP  Unix group of the students, who may log in (lossbook-students)
  LOSSBOOK_HUB_STATE      the hub's database, cookie secret, passwords (/srv/lossbook-hub)
  LOSSBOOK_HUB_IP / LOSSBOOK_HUB_PORT   where the hub listens      (127.0.0.1 / 8000)

Every student is a Unix user of the student group with a home of mode 0700: the single-user
servers run as these users (JupyterHub's LocalProcessSpawner), so one student's files, nbgrader
cache (~/.local/share/jupyter/nbgrader_cache) and submissions are closed to the others by
Unix permissions. The exchange is nbgrader's own folder layout: inbound/ is writable and not
listable by the students (0733), feedback/ is reachable only by the hash of one's own
submission secret (0711).
"""

import argparse
import os
import pwd
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent   # the course environment that runs every user's JupyterLab


def settings():
    env = os.environ.get
    instructor = env("LOSSBOOK_INSTRUCTOR", "instructor")
    return {
        "course_id": env("LOSSBOOK_COURSE_ID", "lossbook"),
        "exchange": env("LOSSBOOK_EXCHANGE", "/srv/nbgrader/exchange"),
        "instructor": instructor,
        "course_dir": env("LOSSBOOK_COURSE_DIR", f"/home/{instructor}/course"),
        "student_group": env("LOSSBOOK_STUDENT_GROUP", "lossbook-students"),
        "state": env("LOSSBOOK_HUB_STATE", "/srv/lossbook-hub"),
        "ip": env("LOSSBOOK_HUB_IP", "127.0.0.1"),
        "port": int(env("LOSSBOOK_HUB_PORT", "8000")),
    }


def run(*args, user=None, **kwargs):
    """A command, as `user` (runuser: a login-free switch with that user's groups) if given."""
    prefix = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", user, "--"] if user else []
    return subprocess.run([*prefix, *map(str, args)], check=True, **kwargs)


def user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def create_user(name, group=None, password=None):
    """A Unix user with a private home (0700, whatever login.defs says: Debian's UMASK 022 would
    give 0755 homes that every other student can read); the password set when given."""
    if group:
        subprocess.run(["groupadd", "-f", group], check=True)
    if not user_exists(name):
        run("useradd", "--create-home", "--shell", "/bin/bash", "-K", "HOME_MODE=0700",
            *(["--groups", group] if group else []), name)
    home = Path(pwd.getpwnam(name).pw_dir)
    home.chmod(0o700)
    if password:
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
    return home


def remove_user(name):
    if user_exists(name):
        subprocess.run(["userdel", "--remove", name], check=False, capture_output=True)


def closed_folders(group):
    """The folders above this course environment (the venv and the Python it was made from)
    that members of `group` cannot enter, e.g. /root when Python came from ~root/.pyenv."""
    import grp
    gid = grp.getgrnam(group).gr_gid
    closed = []
    for target in (Path(sys.executable).resolve(), VENV_BIN):
        for folder in reversed(target.parents):
            st = folder.stat()
            if st.st_mode & 0o001 or (st.st_gid == gid and st.st_mode & 0o010):
                continue
            if folder not in closed:
                closed.append(folder)
    return closed


def grant_environment(group):
    """Let `group` enter (not list) the closed folders above the course environment, with a
    POSIX ACL entry each (setfacl, Debian's acl package); returns them, for revoke_environment.
    A real server installs the course environment where every user can reach it (/opt/...)."""
    folders = closed_folders(group)
    for folder in folders:
        run("setfacl", "-m", f"g:{group}:x", folder)
    return folders


def revoke_environment(group, folders):
    for folder in folders:
        subprocess.run(["setfacl", "-x", f"g:{group}", str(folder)], check=False, capture_output=True)


def environment(s, instructor):
    """The environment of one user's JupyterLab: this course environment first on PATH, and the
    role's Jupyter config (nbgrader's course id and exchange; the student's page config turns
    formgrader and create-assignment off) before the environment's own."""
    role = "instructor" if instructor else "student"
    return {
        "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
        "JUPYTER_CONFIG_PATH": str(HERE / "jupyter" / role),
        "LOSSBOOK_COURSE_ID": s["course_id"],
        "LOSSBOOK_EXCHANGE": s["exchange"],
        "LOSSBOOK_COURSE_DIR": s["course_dir"],
        "OMP_NUM_THREADS": "1",
    }


def course_config(s):
    return f'''"""nbgrader settings of the course folder (written by deploy/jupyterhub/course.py)."""
c = get_config()  # noqa: F821
load_subconfig({str(REPO / "nbgrader_config.py")!r})  # noqa: F821  the course's own settings
c.CourseDirectory.root = {s["course_dir"]!r}
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.course_id = {s["course_id"]!r}
c.Exchange.root = {s["exchange"]!r}
# inbound/ is writable by every student: collect only folders owned by the student they name
c.ExchangeFactory.collect = "lossbook.grading.exchange.OwnerCheckedCollect"
'''


def setup_course(s, assignments=(), duedate=None):
    """The exchange root (0777 + sticky, as nbgrader's release makes it), and the instructor's
    course folder (0700, the instructor's): source/ and release/ of each assignment from
    solutions/ and assignments/, nbgrader_config.py, the gradebook with the assignments."""
    exchange = Path(s["exchange"])
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o1777)
    course = Path(s["course_dir"])
    owner = pwd.getpwnam(s["instructor"])
    course.mkdir(parents=True, exist_ok=True)
    for assignment in assignments:
        for kind, origin in (("source", REPO / "solutions"), ("release", REPO / "assignments")):
            target = course / kind / assignment
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(origin / assignment, target, ignore=shutil.ignore_patterns(".*"))
    (course / "nbgrader_config.py").write_text(course_config(s), encoding="utf-8")
    for path in [course, *course.rglob("*")]:
        os.chown(path, owner.pw_uid, owner.pw_gid)
    course.chmod(0o700)
    for assignment in assignments:
        run(VENV_BIN / "nbgrader", "db", "assignment", "add", assignment,
            *([f"--duedate={duedate}"] if duedate else []), user=s["instructor"], cwd=course,
            env=nbgrader_env(s), capture_output=True)


def nbgrader_env(s):
    return {**os.environ, **environment(s, instructor=True), "HOME": pwd.getpwnam(s["instructor"]).pw_dir}


def release(s, assignment):
    """nbgrader release_assignment as the instructor (what formgrader's Release button does)."""
    run(VENV_BIN / "nbgrader", "release_assignment", assignment, "--force", user=s["instructor"],
        cwd=s["course_dir"], env=nbgrader_env(s), capture_output=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup", help="users, exchange and course folder")
    p.add_argument("--students", default="", help="student ids (Unix user names), comma-separated")
    p.add_argument("--assignments", default="", help="assignment ids (default: every folder of assignments/)")
    p.add_argument("--duedate", default=None, help="due date of the assignments, e.g. '2026-12-24T23:59:00+09:00' (an offset: nbgrader ignores 'KST')")
    p.add_argument("--release-all", action="store_true", help="release the assignments to the exchange")
    p.add_argument("--grant-environment", action="store_true",
                   help="let the hub's users enter the closed folders above the course environment (setfacl)")
    h = sub.add_parser("hub", help="setup --release-all --grant-environment, then start JupyterHub (make hub)")
    h.add_argument("--students", default="s2024001,s2024002", help="student ids (Unix user names), comma-separated")
    h.add_argument("--assignments", default="", help="assignment ids (default: every folder of assignments/)")
    h.add_argument("--duedate", default=None, help="due date of the assignments")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        parser.error("root로 실행하세요 (사용자 계정과 exchange 폴더를 만듭니다)")
    if args.command == "hub":
        if not shutil.which("configurable-http-proxy"):
            parser.error("configurable-http-proxy가 없습니다. 설치하세요: "
                         "npm install -g configurable-http-proxy@5.3.0 (.ci/run이 하는 것과 같습니다)")
        args.release_all = args.grant_environment = True
    s = settings()
    assignments = [a for a in args.assignments.split(",") if a] or sorted(
        p.name for p in (REPO / "assignments").iterdir() if p.is_dir() and not p.name.startswith("."))
    state = Path(s["state"])
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o700)
    passwords = state / "passwords.txt"
    known = dict(line.split(":", 1) for line in passwords.read_text().splitlines() if ":" in line) \
        if passwords.exists() else {}
    for name in [s["instructor"], *[x for x in args.students.split(",") if x]]:
        new = name not in known
        password = known.get(name) or secrets.token_urlsafe(9)
        create_user(name, None if name == s["instructor"] else s["student_group"], password if new else None)
        known[name] = password
    passwords.write_text("".join(f"{k}:{v}\n" for k, v in known.items()))
    passwords.chmod(0o600)
    subprocess.run(["usermod", "-a", "-G", s["student_group"], s["instructor"]], check=True)
    granted = grant_environment(s["student_group"]) if args.grant_environment else closed_folders(s["student_group"])
    if granted and not args.grant_environment:
        print(f"주의: 학생 계정은 강의 환경 {VENV_BIN}에 들어갈 수 없습니다(닫힌 폴더: "
              f"{', '.join(map(str, granted))}). --grant-environment로 이 폴더들에 들어가는 권한만 주거나, "
              "강의 환경을 /opt처럼 모두가 읽을 수 있는 곳에 설치하세요.")
    setup_course(s, assignments, args.duedate)
    if args.release_all:
        for assignment in assignments:
            release(s, assignment)
    print(f"강의 폴더: {s['course_dir']}, exchange: {s['exchange']}, 과제: {', '.join(assignments)}"
          f"{' (배포함)' if args.release_all else ''}; 비밀번호: {passwords}")
    if args.command == "hub":
        serve(s, known)


def serve(s, passwords):
    """Print where to log in, then become JupyterHub (Ctrl+C stops it and every user's server)."""
    url = f"http://{s['ip']}:{s['port']}/hub/login"
    accounts = "\n".join(f"  {'강사' if name == s['instructor'] else '학생'} {name}: 비밀번호 {password}"
                          for name, password in passwords.items())
    print(f"""
강의 JupyterHub를 시작합니다. 브라우저에서 로그인하세요: {url}
{accounts}
(비밀번호는 {Path(s['state']) / 'passwords.txt'}에도 있습니다. 학생은 Nbgrader > Assignment List에서
과제를 Fetch하고, 강사는 Nbgrader > Formgrader에서 모으고 채점합니다.)
멈추려면 이 터미널에서 Ctrl+C를 누르세요. 허브와 프록시, 모든 사용자의 서버가 함께 멈춥니다.
""", flush=True)
    os.chdir(s["state"])
    hub = VENV_BIN / "jupyterhub"
    os.execv(hub, [str(hub), "-f", str(HERE / "jupyterhub_config.py")])


if __name__ == "__main__":
    main()
