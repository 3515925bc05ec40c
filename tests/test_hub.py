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

from conftest import BUILD, free_port, needs_chromium
from lossbook import notebooks

pytestmark = [pytest.mark.hub]
ASSIGNMENT = "01_mse"
DEPLOY = notebooks.ROOT / "deploy" / "jupyterhub"
VENV_BIN = Path(sys.executable).parent
HANGUL = re.compile(r"[\uac00-\ud7a3]")
TOKEN = secrets.token_hex(16)
PASSWORD = secrets.token_urlsafe(8)
TIMINGS = {}
SCREENSHOTS = BUILD / "screenshots"


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


def _kill_users_processes(names, timeout=10):
    """Every process of these throwaway users (their servers, kernels, anything they left)."""
    deadline = time.monotonic() + timeout
    while True:
        left = [p for p in psutil.process_iter(["username"]) if p.info["username"] in names]
        if not left or time.monotonic() > deadline:
            return left
        for p in left:
            try:
                p.kill()
            except psutil.Error:
                pass
        time.sleep(0.2)


def _stop_hub(process, state):
    """The hub and what it started: its process tree, and the proxy by its pid file (a hub that
    died leaves its proxy behind, reparented)."""
    tree = []
    if process.poll() is None:
        try:
            tree = psutil.Process(process.pid).children(recursive=True)
        except psutil.Error:
            pass
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    pid_file = Path(state) / "proxy.pid"
    if pid_file.is_file():
        try:
            proxy = psutil.Process(int(pid_file.read_text().strip()))
            if "configurable-http-proxy" in " ".join(proxy.cmdline()):
                tree.append(proxy)
        except (ValueError, psutil.Error):
            pass
    for p in tree:   # only what this hub started
        try:
            p.kill()
        except psutil.Error:
            pass


def _skip(reason):
    """Skip, visibly; in .ci/run (LOSSBOOK_REQUIRE_HUB=1, which installs what the hub needs) fail."""
    if os.environ.get("LOSSBOOK_REQUIRE_HUB"):
        pytest.fail(f"LOSSBOOK_REQUIRE_HUB is set but {reason}")
    pytest.skip(reason)


def _assert_removed(names, group, folders):
    import grp
    left = [n for n in names if _course_module().user_exists(n)]
    try:
        grp.getgrnam(group)
        left.append(f"group {group}")
    except KeyError:
        pass
    for folder in folders:
        acl = subprocess.run(["getfacl", "-cp", str(folder)], capture_output=True, text=True).stdout
        if f"group:{group}:" in acl:
            left.append(f"ACL of {folder}")
    assert not left, f"left behind: {left}"


@pytest.fixture(scope="module")
def hub():
    """One hub for the module (every test here shares it: starting it is most of the cost)."""
    if os.geteuid() != 0:
        _skip("the hub test needs root (it creates throwaway Unix users; the spawner switches to them)")
    if not shutil.which("configurable-http-proxy"):
        _skip("configurable-http-proxy is missing (npm install -g configurable-http-proxy; .ci/run does it)")
    if not shutil.which("useradd") or not shutil.which("runuser"):
        _skip("useradd/runuser are missing")
    course = _course_module()
    tag = secrets.token_hex(2)
    users = {"instructor": f"lbk{tag}i", "a": f"lbk{tag}a", "b": f"lbk{tag}b"}
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
    group = settings["student_group"]
    hub_process = log = None
    granted = []
    try:
        for name in users.values():
            course.create_user(name, group)   # the instructor too, as `make hub`
        if shutil.which("setfacl"):   # e.g. Python in ~root/.pyenv: let these users enter /root, only
            granted = course.closed_folders(group)   # before granting: teardown revokes even a partial grant
            course.grant_environment(group)
        probe = subprocess.run(["runuser", "-u", users["a"], "--", sys.executable, "-c", "import nbgrader, jupyterhub"],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            _skip(f"the course environment {VENV_BIN} cannot be used by other Unix users "
                        f"(a folder above it is closed; apt-get install acl): {probe.stderr[-300:]}")
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
        the_hub.start_servers(*users.values())
        TIMINGS["3 servers start"] = time.perf_counter() - started
        yield the_hub
    finally:
        # each step on its own: a failure of one never leaves the next undone
        steps = []
        if hub_process is not None:
            steps.append(lambda: _stop_hub(hub_process, settings["state"]))
        steps += [lambda: log and log.close(),
                  lambda: _kill_users_processes(set(users.values())),
                  *[(lambda n=name: course.remove_user(n)) for name in users.values()],
                  lambda: course.revoke_environment(group, granted),
                  lambda: subprocess.run(["groupdel", group], capture_output=True),
                  lambda: _assert_removed(users.values(), group, granted)]
        errors = []
        for step in steps:
            try:
                step()
            except Exception as error:   # noqa: BLE001 - reported after every step has run
                errors.append(repr(error))
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if TIMINGS:
            print("\nhub timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in TIMINGS.items()))
        shutil.rmtree(tmp, ignore_errors=True)
        assert not errors, f"hub teardown: {errors}"


def _release(hub):
    """formgrader's Release button, as the instructor; once."""
    if (Path(hub.settings["exchange"]) / hub.settings["course_id"] / "outbound" / ASSIGNMENT).is_dir():
        return
    status, answer = hub.user_api(hub.users["instructor"], "POST", f"/formgrader/api/assignment/{ASSIGNMENT}/release")
    assert status == 200 and answer.get("success"), f"{status} {answer}\n{hub.log_tail()}"


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


@needs_chromium
@pytest.mark.browser
def test_student_view_fetch_validate_submit_in_the_browser(hub, browser):
    """Student B as a student works: logs in on the hub's page (the hub sends them to their
    JupyterLab), opens Nbgrader > Assignment List, sees 01_mse released, presses Fetch,
    Validate (the blank notebook fails, with the course's Korean messages) and Submit.
    Screenshots of the Validate dialog and of the submitted list go to _build/screenshots/."""
    student = hub.users["b"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1300, "height": 850})
    page = context.new_page()
    _release(hub)
    step = "login"
    started = time.perf_counter()
    try:
        page.goto(f"{hub.base}/hub/login", timeout=30_000)
        page.fill("#username_input", student)
        page.fill("#password_input", PASSWORD)
        page.click("#login_submit")
        page.wait_for_url(re.compile(rf"/user/{student}/lab"), timeout=60_000)
        step = "JupyterLab"
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").wait_for(timeout=60_000)
        menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        items = page.locator(".lm-Menu-itemLabel").all_inner_texts()
        assert "Assignment List" in items and "Formgrader" not in items, items   # formgrader: not the students'
        page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
        step = "Assignments tab"
        tab = page.locator("#nbgrader-assignment-list")
        released = tab.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
        released.wait_for(timeout=30_000)
        assert hub.settings["course_id"] in released.inner_text()
        released.get_by_role("button", name="Fetch").click()
        step = "Fetch"
        fetched = tab.locator("#fetched_assignments_list > .list_item", has_text=ASSIGNMENT)
        fetched.wait_for(timeout=30_000)
        fetched.locator("a.assignment-notebooks-link").click()   # the notebooks of it, folded at first
        step = "Validate"
        fetched.get_by_role("button", name="Validate").click()
        dialog = page.locator(".jp-Dialog #validation-message")
        dialog.wait_for(timeout=120_000)   # nbgrader runs the notebook on B's server
        classes, text = dialog.get_attribute("class"), dialog.inner_text()
        assert "validation-failed" in classes, f"the blank notebook passed Validate: {text[:1500]}"
        assert "NotImplementedError" in text and HANGUL.search(text), text[:1500]
        page.screenshot(path=str(SCREENSHOTS / "hub-validate.png"))
        page.locator(".jp-Dialog .jp-mod-accept").click()
        dialog.wait_for(state="detached", timeout=10_000)
        step = "Submit"
        fetched.get_by_role("button", name="Submit").click()
        submitted = tab.locator("#submitted_assignments_list > .list_item", has_text=ASSIGNMENT)
        submitted.wait_for(timeout=30_000)
        page.screenshot(path=str(SCREENSHOTS / "hub-assignments-tab.png"))
    except Exception as error:
        shot = hub.tmp / "failure-student-view.png"
        page.screenshot(path=str(shot))
        dump = SCREENSHOTS / "hub-failure.html"
        dump.write_text(page.content(), encoding="utf-8")
        raise AssertionError(f"student view failed at {step}: {error}\nscreenshot {shot}, page {dump}\n"
                             f"hub log:\n{hub.log_tail()}") from None
    finally:
        context.close()
    TIMINGS["browser: login, fetch, validate, submit"] = time.perf_counter() - started
    inbound = Path(hub.settings["exchange"]) / hub.settings["course_id"] / "inbound"
    assert any(n.startswith(f"{student}+{ASSIGNMENT}+") for n in os.listdir(inbound))
    assert menus


def test_release_fetch_submit_collect_grade_return(hub):
    users, course_id = hub.users, hub.settings["course_id"]
    instructor, a, b = users["instructor"], users["a"], users["b"]

    # the instructor: formgrader's Release (done already when the browser test ran first)
    _release(hub)

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
    # B hands in the blank version (through the browser when the test before this one ran)
    inbound = Path(hub.settings["exchange"]) / course_id / "inbound"
    if not any(n.startswith(f"{b}+{ASSIGNMENT}+") for n in os.listdir(inbound)):
        if hub.user_api(b, "GET", f"/api/contents/{ASSIGNMENT}")[0] != 200:
            _fetch(hub, b)
        _submit(hub, b)

    # B forges a later hand-in in A's name (inbound/ is writable by every student): B's blank
    # notebook in `A+01_mse+<2099>+...`; nbgrader's own collect would take it as A's latest
    forged = inbound / f"{a}+{ASSIGNMENT}+2099-01-01 00:00:00.000000 UTC+forgedforged"
    b_notebook = Path(pwd.getpwnam(b).pw_dir) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    _as_user(b, f"import os, shutil\nos.mkdir({str(forged)!r})\nshutil.copy({str(b_notebook)!r}, {str(forged)!r})\n"
                f"open({str(forged / 'timestamp.txt')!r}, 'w').write('2099-01-01 00:00:00.000000 UTC')\nprint('{{}}')")

    # the instructor: formgrader's Collect
    status, answer = hub.user_api(instructor, "POST", f"/formgrader/api/assignment/{ASSIGNMENT}/collect")
    assert status == 200 and answer.get("success"), answer
    course_dir = Path(hub.settings["course_dir"])
    for student in (a, b):
        collected = course_dir / "submitted" / student / ASSIGNMENT
        assert (collected / f"{ASSIGNMENT}.ipynb").is_file() and (collected / "timestamp.txt").is_file()
        assert (collected / "submission_secret.txt").is_file()
    assert "2099" not in (course_dir / "submitted" / a / ASSIGNMENT / "timestamp.txt").read_text(), \
        "B's forged hand-in was collected as A's"

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
