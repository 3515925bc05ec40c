"""Shared fixtures: the chapters (every folder of solutions/) and their test data, the built
book, and the browser."""

import contextlib
import importlib.util
import os
import subprocess
import sys
import time
import urllib.request
from functools import lru_cache
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))  # `support` is importable from the chapter data files

from lossbook import notebooks  # noqa: E402

CHAPTERS = notebooks.chapter_ids()


@lru_cache(maxsize=None)
def chapter_data(chapter):
    """The `CHAPTER` object of tests/chapters/<chapter>.py."""
    path = TESTS / "chapters" / f"{chapter}.py"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: every chapter in solutions/ needs its test data")
    spec = importlib.util.spec_from_file_location(f"chapter_data_{chapter}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CHAPTER


def chapter_params(attribute):
    """pytest params (chapter, item) for every item of one list in every chapter's data."""
    params = []
    for chapter in CHAPTERS:
        try:
            items = getattr(chapter_data(chapter), attribute)
        except FileNotFoundError:
            continue  # reported by test_layout
        for index, item in enumerate(items):
            label = getattr(item, "name", "") or getattr(item, "function", "")
            params.append(pytest.param(chapter, item, id=f"{chapter}-{index}-{label}"))
    return params


# --- The built book, shared by every test that looks at it (test_book, test_links, test_browser).
# LOSSBOOK_BOOK_OUTPUT=DIR builds into DIR/_build (its own execution cache) instead of the
# repository's _build; screenshots go to <that>/_build/screenshots.
BOOK_OUTPUT = Path(os.environ.get("LOSSBOOK_BOOK_OUTPUT", notebooks.ROOT)).resolve()
BUILD = BOOK_OUTPUT / "_build"
HTML = BUILD / "html"


@pytest.fixture(scope="session")
def build_log():
    """Build the book once per test run (cached execution: unchanged pages are not re-run).
    Under pytest-xdist the workers share one build: the first takes a file lock and builds,
    the others wait for it and reuse its log (keyed by the run's id)."""
    from filelock import FileLock

    from lossbook.maintain import run_tool

    BUILD.mkdir(parents=True, exist_ok=True)
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"
    stamp, saved_log = BUILD / "book-build.run", BUILD / "book-build.log"
    with FileLock(str(BUILD / "book-build.lock")):
        if stamp.exists() and stamp.read_text() == run_id:
            log, returncode = saved_log.read_text(encoding="utf-8"), 0
        else:
            args = ["build", str(notebooks.ROOT), "--warningiserror", "--nitpick", "--keep-going"]
            if BOOK_OUTPUT != notebooks.ROOT:
                args += ["--path-output", str(BOOK_OUTPUT)]
            result = run_tool(
                "jupyter-book", *args,
                unset=("MPLBACKEND",),  # a non-inline backend would make every figure silently vanish
                capture_output=True, text=True,
            )
            log, returncode = result.stdout + result.stderr, result.returncode
            if returncode == 0:
                saved_log.write_text(log, encoding="utf-8")
                stamp.write_text(run_id)
    assert returncode == 0, f"book build failed:\n{log[-5000:]}"
    return log



# --- Debian's chromium driven by Playwright (test_browser, test_jupyterlab); no browser download.
CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Debian's chromium is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def browser():
    """A headless chromium for one test module."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


# --- A JupyterLab server on localhost (test_jupyterlab: Validate; test_grade_hostile_class: formgrader).
def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab_server(root, token, log_path, extra_args=()):
    """JupyterLab (with the nbgrader extensions of this environment) serving and started in
    `root`, with config, runtime and settings folders of its own; yields its base URL."""
    port = free_port()
    home = Path(root) / ".jupyter-home"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("MPLBACKEND", None)
    log = open(log_path, "w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter-lab"), "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
         "--ServerApp.allow_root=True", *extra_args],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("JupyterLab did not start:\n" + Path(log_path).read_text()[-3000:])
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
