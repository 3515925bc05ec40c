"""The course on a real JupyterHub, end to end: JupyterHub with configurable-http-proxy on a
free localhost port, the course's config (deploy/jupyterhub/) with a dummy login, one
instructor and two students as throwaway Unix users, each user's JupyterLab as that user.

Through the hub's REST API and the users' servers (nbgrader's formgrader and assignment-list
handlers, the Jupyter contents API, i.e. what the buttons do): the instructor releases 01_mse,
student A fetches it, writes the model answers and submits, student B submits the blank
version, the instructor collects, `lossbook grade` grades the hub's course folder and returns
the feedback through the exchange, and A fetches it. Unix permissions are checked as B.
Needs root (useradd, the spawner's setuid) and configurable-http-proxy (.ci/run installs it)."""

import importlib.util
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import nbformat
import psutil
import pytest

from conftest import free_port
from lossbook import notebooks

pytestmark = [pytest.mark.hub]
ASSIGNMENT = "01_mse"
DEPLOY = notebooks.ROOT / "deploy" / "jupyterhub"
VENV_BIN = Path(sys.executable).parent
HANGUL = re.compile(r"[\uac00-\ud7a3]")
TOKEN = secrets.token_hex(16)
PASSWORD = secrets.token_urlsafe(8)
TIMINGS = {}


def _course_module():
    spec = importlib.util.spec_from_file_location("lossbook_hub_course", DEPLOY / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _request(method, url, body=None, token=TOKEN, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"token {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text.strip() else None)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except (urllib.error.URLError, ConnectionError) as error:   # not listening (yet)
        return 0, str(error)


def _as_user(user, code):
    """Python `code` run as Unix user `user` (what that student's own code could do); its
    printed JSON."""
    result = subprocess.run(["runuser", "-u", user, "--", sys.executable, "-c", code],
                            capture_output=True, text=True, timeout=30, cwd="/")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


class Hub:
    def __init__(self, base, settings, users, log, tmp):
        self.base, self.settings, self.users, self.log, self.tmp = base, settings, users, log, tmp

    def api(self, method, path, body=None):
        return _request(method, f"{self.base}/hub/api{path}", body)

    def user_api(self, user, method, path, body=None, timeout=120):
        return _request(method, f"{self.base}/user/{user}{path}", body, timeout=timeout)

    def start_servers(self, *users):
        for user in users:
            status, answer = self.api("POST", f"/users/{user}/server")
            assert status in (201, 202), f"{user}: {status} {answer}"
        deadline = time.monotonic() + 60
        waiting = set(users)
        while waiting:
            for user in list(waiting):
                status, model = self.api("GET", f"/users/{user}")
                if status == 200 and model["servers"].get("", {}).get("ready"):
                    waiting.discard(user)
            assert time.monotonic() < deadline, f"servers of {waiting} did not start:\n{self.log_tail()}"
            time.sleep(0.3)

    def log_tail(self):
        return Path(self.log).read_text(errors="replace")[-4000:]


@pytest.fixture(scope="module")
def hub():
    if os.geteuid() != 0:
        pytest.skip("the hub test needs root (it creates throwaway Unix users; the spawner switches to them)")
    if not shutil.which("configurable-http-proxy"):
        pytest.skip("configurable-http-proxy is missing (npm install -g configurable-http-proxy; .ci/run does it)")
    if not shutil.which("useradd") or not shutil.which("runuser"):
        pytest.skip("useradd/runuser are missing")
    course = _course_module()
    tag = secrets.token_hex(2)
    users = {"instructor": f"lbk{tag}i", "a": f"lbk{tag}a", "b": f"lbk{tag}b", "c": f"lbk{tag}c"}
    tmp = Path(tempfile.mkdtemp(prefix="lbk-hub-", dir="/tmp"))
    tmp.chmod(0o755)
    env_settings = {
        "LOSSBOOK_COURSE_ID": f"lossbook{tag}", "LOSSBOOK_EXCHANGE": str(tmp / "exchange"),
        "LOSSBOOK_INSTRUCTOR": users["instructor"], "LOSSBOOK_COURSE_DIR": f"/home/{users['instructor']}/course",
        "LOSSBOOK_STUDENT_GROUP": f"lbk{tag}", "LOSSBOOK_HUB_STATE": str(tmp / "state"),
        "LOSSBOOK_HUB_IP": "127.0.0.1", "LOSSBOOK_HUB_PORT": str(free_port())}
    saved = {k: os.environ.get(k) for k in env_settings}
    os.environ.update(env_settings)
    settings = course.settings()
    hub_process = log = None
    granted = []
    try:
        for role, name in users.items():
            course.create_user(name, settings["student_group"])   # the instructor too, as `make hub`
        if shutil.which("setfacl"):   # e.g. Python in ~root/.pyenv: let these users enter /root, only
            granted = course.grant_environment(settings["student_group"])
        probe = subprocess.run(["runuser", "-u", users["a"], "--", sys.executable, "-c", "import nbgrader, jupyterhub"],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            pytest.skip(f"the course environment {VENV_BIN} cannot be used by other Unix users "
                        f"(a folder above it is closed): {probe.stderr[-300:]}")
        course.setup_course(settings, [ASSIGNMENT])
        config = tmp / "jupyterhub_test_config.py"
        config.write_text(f'''c = get_config()  # noqa: F821
load_subconfig({str(DEPLOY / "jupyterhub_config.py")!r})  # noqa: F821
c.JupyterHub.authenticator_class = "dummy"      # the test only: any listed user, one password
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allowed_users = {set(users.values())!r}
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.JupyterHub.services = [{{"name": "lossbook-test", "api_token": {TOKEN!r}}}]
c.JupyterHub.load_roles = [{{"name": "lossbook-test", "services": ["lossbook-test"],
    "scopes": ["admin:users", "admin:servers", "access:servers", "list:users", "read:users"]}}]
''')
        log_path = tmp / "hub.log"
        log = open(log_path, "w")
        started = time.perf_counter()
        hub_process = subprocess.Popen(
            [str(VENV_BIN / "jupyterhub"), "-f", str(config)], cwd=tmp, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}"},
            start_new_session=True)
        base = f"http://127.0.0.1:{settings['port']}"
        deadline = time.monotonic() + 45
        while _request("GET", f"{base}/hub/api/")[0] != 200:
            if time.monotonic() > deadline or hub_process.poll() is not None:
                pytest.fail("JupyterHub did not start:\n" + log_path.read_text()[-4000:])
            time.sleep(0.2)
        TIMINGS["hub start"] = time.perf_counter() - started
        the_hub = Hub(base, settings, users, log_path, tmp)
        the_hub.process = hub_process
        started = time.perf_counter()
        the_hub.start_servers(users["instructor"], users["a"], users["b"])
        TIMINGS["3 servers start"] = time.perf_counter() - started
        yield the_hub
    finally:
        if hub_process is not None:
            children = [p.pid for p in psutil.Process(hub_process.pid).children(recursive=True)] \
                if hub_process.poll() is None else []
            if hub_process.poll() is None:
                hub_process.send_signal(signal.SIGTERM)
                try:
                    hub_process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    hub_process.kill()
            for pid in children:   # only what this hub started: the proxy and the users' servers
                if psutil.pid_exists(pid):
                    try:
                        psutil.Process(pid).kill()
                    except psutil.Error:
                        pass
        if log:
            log.close()
        for name in users.values():
            course.remove_user(name)
        course.revoke_environment(settings["student_group"], granted)
        subprocess.run(["groupdel", settings["student_group"]], capture_output=True)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if TIMINGS:
            print("\nhub timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in TIMINGS.items()))
        shutil.rmtree(tmp, ignore_errors=True)


def _fetch(hub, user):
    course_id = hub.settings["course_id"]
    status, answer = hub.user_api(user, "POST", "/assignments/fetch",
                                  {"assignment_id": ASSIGNMENT, "course_id": course_id})
    assert status == 200 and isinstance(answer, dict) and answer.get("success"), answer
    return answer


def _submit(hub, user):
    status, answer = hub.user_api(user, "POST", "/assignments/submit",
                                  {"assignment_id": ASSIGNMENT, "course_id": hub.settings["course_id"]})
    assert status == 200 and isinstance(answer, dict) and answer.get("success"), answer
    return answer


def test_release_fetch_submit_collect_grade_return(hub):
    users, course_id = hub.users, hub.settings["course_id"]
    instructor, a, b = users["instructor"], users["a"], users["b"]

    # the instructor: formgrader's Release
    status, answer = hub.user_api(instructor, "POST", f"/formgrader/api/assignment/{ASSIGNMENT}/release")
    assert status == 200 and answer.get("success"), f"{status} {answer}\n{hub.log_tail()}"

    # students see it in their assignment list
    status, listing = hub.user_api(a, "GET", f"/assignments?course_id={course_id}")
    assert status == 200 and any(x["assignment_id"] == ASSIGNMENT and x["status"] == "released"
                                 for x in listing["value"]), listing

    # A fetches, writes the model answers (as JupyterLab saves a notebook) and submits
    started = time.perf_counter()
    _fetch(hub, a)
    path = f"/api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    status, model = hub.user_api(a, "GET", path + "?content=1")
    assert status == 200, model
    fetched = nbformat.from_dict(model["content"])
    solved = notebooks.model_submission(fetched, notebooks.read(notebooks.solution_notebook(ASSIGNMENT)))
    status, _ = hub.user_api(a, "PUT", path, {"type": "notebook", "format": "json", "content": solved})
    assert status in (200, 201)
    _submit(hub, a)
    TIMINGS["student fetch+save+submit"] = time.perf_counter() - started
    # B hands in the blank version
    _fetch(hub, b)
    _submit(hub, b)

    # the instructor: formgrader's Collect
    status, answer = hub.user_api(instructor, "POST", f"/formgrader/api/assignment/{ASSIGNMENT}/collect")
    assert status == 200 and answer.get("success"), answer
    course_dir = Path(hub.settings["course_dir"])
    for student in (a, b):
        collected = course_dir / "submitted" / student / ASSIGNMENT
        assert (collected / f"{ASSIGNMENT}.ipynb").is_file() and (collected / "timestamp.txt").is_file()
        assert (collected / "submission_secret.txt").is_file()

    # lossbook grade straight from the hub's course folder, feedback back through the exchange
    out = hub.tmp / "graded"
    started = time.perf_counter()
    result = subprocess.run(
        [str(VENV_BIN / "lossbook"), "grade", ASSIGNMENT, str(course_dir), "--out", str(out), "--jobs", "2",
         "--release-feedback", "--quiet"],
        capture_output=True, text=True, timeout=300, cwd=hub.tmp,
        env={**os.environ, "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}"})
    TIMINGS["grade 2 + release feedback"] = time.perf_counter() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert "피드백을 exchange로 돌려주었습니다: 2명" in result.stdout, result.stdout
    import csv
    with open(out / "grades.csv", encoding="utf-8-sig") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    release = notebooks.read(notebooks.assignment_notebook(ASSIGNMENT))
    full = sum(float(notebooks.nbgrader_meta(c)["points"]) for c in release.cells if notebooks.is_autograded_test(c))
    score_a, score_b = (float(rows[s]["auto_score"]) for s in (a, b))
    assert float(rows[a]["max_auto_score"]) == pytest.approx(full)
    assert score_a == pytest.approx(full) and full > 0, rows[a]
    assert score_b == 0, rows[b]

    # A fetches the feedback (the Assignments tab's Fetch Feedback) and reads it in Korean
    status, answer = hub.user_api(a, "POST", "/assignments/fetch_feedback",
                                  {"assignment_id": ASSIGNMENT, "course_id": course_id})
    assert status == 200 and answer.get("success"), answer
    status, folder = hub.user_api(a, "GET", f"/api/contents/{ASSIGNMENT}/feedback")
    assert status == 200 and folder["content"], folder
    stamp = folder["content"][0]["path"]
    status, page = hub.user_api(a, "GET", f"/api/contents/{quote(stamp)}/{ASSIGNMENT}.html?content=1&type=file&format=text")
    assert status == 200, page
    text = re.sub(r"<[^>]+>", " ", page["content"])
    assert "점수" in text and HANGUL.search(text)
    assert re.search(rf"{full:g}\s*/\s*{full:g}|{full:.1f}\s*/\s*{full:.1f}|{full:.2f}\s*/\s*{full:.2f}", text), \
        f"A's feedback does not show {full:g} / {full:g}:\n{text[:1500]}"

    # B, as B's own code could: A's work, the exchange's inboxes, the course folder stay closed
    exchange = Path(hub.settings["exchange"]) / course_id
    a_home = Path(pwd.getpwnam(a).pw_dir)
    probes = {
        "list inbound": f"os.listdir({str(exchange / 'inbound')!r})",
        "list feedback": f"os.listdir({str(exchange / 'feedback')!r})",
        "read A's notebook": f"open({str(a_home / ASSIGNMENT / (ASSIGNMENT + '.ipynb'))!r}).read()",
        "list A's home": f"os.listdir({str(a_home)!r})",
        "list A's nbgrader cache": f"os.listdir({str(a_home / '.local/share/jupyter/nbgrader_cache')!r})",
        "list the course folder": f"os.listdir({str(course_dir)!r})",
        "read A's collected notebook": f"open({str(course_dir / 'submitted' / a / ASSIGNMENT / (ASSIGNMENT + '.ipynb'))!r}).read()",
        "write into outbound": f"open({str(exchange / 'outbound' / ASSIGNMENT / 'x.txt')!r}, 'w')",
    }
    code = "import json, os\nr = {}\n" + "".join(
        f"try:\n    {expr}\n    r[{name!r}] = 'open'\nexcept PermissionError:\n    r[{name!r}] = 'denied'\n"
        f"except OSError as e:\n    r[{name!r}] = type(e).__name__\n" for name, expr in probes.items()) + "print(json.dumps(r))"
    seen = _as_user(b, code)
    assert seen == {name: "denied" for name in probes}, seen
    # and the names in the inbox are not guessable: nbgrader adds a random string to each
    assert all(re.fullmatch(rf"{re.escape(s)}\+{ASSIGNMENT}\+[^+]+\+[\w-]{{12}}", n)
               for n in os.listdir(exchange / "inbound") for s in (n.split("+")[0],))


def test_shutdown_leaves_no_process(hub):
    """Last in this module: stopping the hub stops the proxy and every user's server."""
    process = hub.process
    children = psutil.Process(process.pid).children(recursive=True)
    assert any("configurable-http-proxy" in " ".join(p.cmdline()) or "node" in p.name() for p in children)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        alive = [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        owned = [p.pid for p in psutil.process_iter(["username"]) if p.info["username"] in hub.users.values()]
        if not alive and not owned:
            break
        time.sleep(0.3)
    assert not alive and not owned, f"left running: {alive} {owned}"
