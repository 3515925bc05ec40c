"""A student without this repository, from the built book alone.

Fresh virtual environments outside the clone are installed with the very commands the
assignment pages show (read from the built HTML), the downloads are the files those pages link,
and the self-check (`python -m lossbook check`) is what the student runs. Two students:

- "own machine": a new venv, then the page's install line. The page's first step for a machine
  without PyTorch (the CPU build from download.pytorch.org) is stood in for by this machine's
  CPU wheel, `torch==2.13.0`: the tests have no network but the package registries;
- "Colab-like": numpy, SciPy and scikit-learn at the lowest versions the package admits
  (read from pyproject.toml), torch and the Jupyter pieces already there, as in Colab; then
  the page's Colab line must install the course package and nothing else.

pip uses this machine's configuration (its local wheel folders and registries).
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from conftest import CHAPTERS, HTML
from lossbook import notebooks, student_install

pytestmark = [pytest.mark.book, pytest.mark.student_env]

NUMPY_ONLY, WITH_CNN = "03_bce", "05_softmax_ce"
REPO = notebooks.ROOT
FINGERPRINT = Path(__file__).resolve().parent / "support" / "data_fingerprint.py"
# what Colab has before the student types anything (besides numpy, SciPy, scikit-learn)
COLAB_PREINSTALLED = ["torch==2.13.0", "tqdm", "nbformat", "nbclient", "ipykernel"]


def page(chapter):
    return HTML / "assignments" / chapter / f"{chapter}.html"


def page_downloads(chapter):
    """(own-machine line, Colab line, wheel file, notebook file) as the chapter's page shows them."""
    path = page(chapter)
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    own = soup.select_one("div.student-install pre").get_text().strip()
    colab = soup.select_one("div.colab-install pre").get_text().strip()
    wheel = soup.select_one('a[download][href$=".whl"]')["href"]
    notebook = soup.select_one(f'a.download[href$="{chapter}.ipynb"]')["href"]
    return own, colab, (path.parent / wheel).resolve(), (path.parent / notebook).resolve()


def clean_env():
    """The environment of a student's terminal: nothing pointing into this repository or its venv."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "JPY_SESSION_NAME") and not k.startswith("PYTEST")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(REPO)))
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run(args, cwd, check=True, timeout=1200):
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=clean_env(), capture_output=True,
                            text=True, timeout=timeout)
    if check:
        assert result.returncode == 0, f"{args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def new_venv(folder):
    base = getattr(sys, "_base_executable", sys.executable)
    run([base, "-m", "venv", folder], cwd=folder.parent)
    return folder / "bin"


def page_command(line, bin_dir):
    """A page's `pip install …` (or Colab's `!pip install …`) as argv for this venv's pip."""
    argv = shlex.split(line.removeprefix("!"))
    assert argv[:2] == ["pip", "install"], line
    return [bin_dir / "pip", *argv[1:]]


def student_folder(root, chapter):
    """The chapter's two downloads, copied where the student keeps them."""
    _, _, wheel, notebook = page_downloads(chapter)
    root.mkdir(exist_ok=True)
    shutil.copy(wheel, root / wheel.name)
    shutil.copy(notebook, root / notebook.name)
    return root


def model_answers(work, chapter):
    """The downloaded notebook with the model answers typed in, saved under its own name."""
    path = work / f"{chapter}.ipynb"
    filled = notebooks.model_submission(notebooks.read(path), notebooks.read(notebooks.solution_notebook(chapter)))
    nbformat.write(filled, str(path))
    return path


def lowest_versions(names):
    """`name==X` for `name>=X` in pyproject.toml's dependencies."""
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = dict(re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", d).groups() for d in deps)
    return [f"{name}=={pins[name]}" for name in names]


def installed(bin_dir):
    lines = run([bin_dir / "pip", "list", "--format=json"], cwd=bin_dir).stdout
    return {p["name"].lower(): p["version"] for p in json.loads(lines)}


def test_every_assignment_page_shows_the_same_install_lines(build_log):
    own, colab, wheel, _ = page_downloads(NUMPY_ONLY)
    assert wheel.is_file() and wheel.name == student_install.WHEEL
    for chapter in CHAPTERS:
        own_here, colab_here, wheel_here, notebook = page_downloads(chapter)
        assert (own_here, colab_here, wheel_here) == (own, colab, wheel), chapter
        assert notebook.is_file(), chapter
        text = BeautifulSoup(page(chapter).read_text(encoding="utf-8"), "html.parser").get_text()
        assert student_install.TORCH_CPU in text, chapter


@pytest.fixture(scope="module")
def own_machine(build_log, tmp_path_factory):
    """(venv bin folder, work folder) of a student who followed the page on a new laptop."""
    home = tmp_path_factory.mktemp("laptop")
    assert not str(home).startswith(str(REPO))
    bin_dir = new_venv(home / "venv")
    run([bin_dir / "pip", "install", "--quiet", "torch==2.13.0"], cwd=home)   # the page's CPU-build step
    work = home / "과제"
    for chapter in (NUMPY_ONLY, WITH_CNN):
        student_folder(work, chapter)
    own, _, _, _ = page_downloads(NUMPY_ONLY)
    run(page_command(own, bin_dir), cwd=work)
    return bin_dir, work


def test_the_package_comes_from_the_wheel_not_the_clone(own_machine):
    bin_dir, work = own_machine
    where = run([bin_dir / "python", "-c", "import lossbook; print(lossbook.__file__)"], cwd=work).stdout.strip()
    assert where.startswith(str(bin_dir.parent)) and not where.startswith(str(REPO)), where
    packages = installed(bin_dir)
    assert packages["lossbook"] == student_install.WHEEL.split("-")[1]
    assert "jupyterlab" in packages and "nbgrader" not in packages and "jupyter-book" not in packages
    # the instructor's command says in Korean what is missing instead of a traceback
    grade = run([bin_dir / "python", "-m", "lossbook", "grade", NUMPY_ONLY, "x.zip"], cwd=work, check=False)
    assert grade.returncode == 2 and "강사용 설치" in grade.stderr and "Traceback" not in grade.stderr


@pytest.mark.parametrize("chapter", [NUMPY_ONLY, WITH_CNN])
def test_model_answers_pass_the_self_check(own_machine, chapter, tmp_path):
    bin_dir, work = own_machine
    folder = student_folder(tmp_path / "model", chapter)
    model_answers(folder, chapter)
    result = run([bin_dir / "python", "-m", "lossbook", "check", f"{chapter}.ipynb"], cwd=folder, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✘" not in result.stdout and "모두 통과했습니다" in result.stdout
    assert result.stderr.strip() == "", result.stderr


@pytest.mark.parametrize("chapter", [NUMPY_ONLY, WITH_CNN])
def test_the_blank_notebook_reports_each_problem_in_korean(own_machine, chapter):
    bin_dir, work = own_machine
    result = run([bin_dir / "python", "-m", "lossbook", "check", f"{chapter}.ipynb"], cwd=work, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    failed = re.findall(r"^✘ 문제 (\d+)\.", result.stdout, re.MULTILINE)
    release = notebooks.read(work / f"{chapter}.ipynb")
    from lossbook.problems import problems
    assert failed == [str(p.number) for p in problems(release)]   # blank: every test fails, nothing is written
    assert "아직 답을 쓰지 않았습니다" in result.stdout and "Traceback" not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def colab_like(build_log, tmp_path_factory):
    """(venv bin folder, work folder, packages before, packages after) of a Colab student who
    ran the page's Colab line."""
    home = tmp_path_factory.mktemp("colab")
    bin_dir = new_venv(home / "venv")
    run([bin_dir / "pip", "install", "--quiet",
         *lowest_versions(["numpy", "scipy", "scikit-learn"]), *COLAB_PREINSTALLED], cwd=home)
    work = student_folder(home / "content", WITH_CNN)
    before = installed(bin_dir)
    _, colab, _, _ = page_downloads(WITH_CNN)
    run(page_command(colab, bin_dir), cwd=work)
    return bin_dir, work, before, installed(bin_dir)


def test_colab_line_installs_only_the_course_package(colab_like):
    bin_dir, work, before, after = colab_like
    assert set(after) - set(before) == {"lossbook"}
    assert {name: after[name] for name in before} == before, "the Colab line changed what Colab had"
    model_answers(work, WITH_CNN)
    result = run([bin_dir / "python", "-m", "lossbook", "check", f"{WITH_CNN}.ipynb"], cwd=work, check=False)
    assert result.returncode == 0 and "모두 통과했습니다" in result.stdout, result.stdout + result.stderr


def test_oldest_numpy_makes_the_graders_data(colab_like):
    import numpy
    bin_dir, work, _, after = colab_like
    assert after["numpy"] != numpy.__version__, "the student's numpy should differ from the grader's"
    theirs = json.loads(run([bin_dir / "python", FINGERPRINT], cwd=work).stdout)
    ours = json.loads(run([sys.executable, FINGERPRINT], cwd=work).stdout)
    assert theirs == ours
