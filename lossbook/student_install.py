"""How a student without this repository gets the course's helper package.

The book ships the package as a wheel next to its pages (built at `make book`, so a book hosted
at any address, or opened from files, serves its own copy); the assignment pages show the
commands below, and the fresh-venv test runs the ones it reads from those pages. A wheel and not
a zip per assignment: one file serves all eleven notebooks, pip checks its dependencies against
what the student has (Colab keeps its numpy and torch), and `pip install` is a line a student
can run anywhere, a Colab cell included.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lossbook import __version__

WHEEL = f"lossbook-{__version__}-py3-none-any.whl"
WHEEL_FOLDER = "_static/lossbook"   # in the built book

# the student's own machine: the package with JupyterLab (extra "lab"); Colab has its own front end
OWN_MACHINE = f'pip install "{WHEEL}[lab]"'
COLAB = f"!pip install {WHEEL}"
# asked for by the package, torch would come from PyPI, which on Linux is a CUDA build of several GB
TORCH_CPU = "pip install torch --index-url https://download.pytorch.org/whl/cpu"

PROJECT = Path(__file__).resolve().parent.parent


def build_wheel(dest, project=PROJECT):
    """Build the wheel into folder `dest` from a clean copy of the package (no build folders or
    egg-info left in the working tree), offline (no build isolation: setuptools of this
    environment). Returns the wheel's path."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lossbook-wheel-") as tmp:
        shutil.copy(project / "pyproject.toml", tmp)
        shutil.copytree(project / "lossbook", Path(tmp) / "lossbook",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                        "--wheel-dir", str(dest), tmp], check=True, stdout=subprocess.DEVNULL)
    wheel = dest / WHEEL
    if not wheel.is_file():
        raise RuntimeError(f"pip wheel did not produce {wheel}")
    return wheel
