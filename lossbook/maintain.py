"""Maintainer commands (`make solutions`, `make assignments`).

    python -m lossbook.maintain execute-solutions [CHAPTER ...]
    python -m lossbook.maintain generate-assignments [CHAPTER ...]

Solutions are executed in place so that their committed outputs are what nbval
compares; student versions are only ever nbgrader's output, never edited by hand.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from lossbook import authoring
from lossbook.notebooks import ROOT, assignment_notebook, chapter_ids, solution_notebook


ENV_BIN = Path(sys.executable).parent


def run_tool(name, *args, unset=(), **kwargs):
    """Run a command-line tool of this Python environment (nbgrader, jupyter-book) with the
    environment's bin folder first on PATH (nbgrader itself calls `alembic` from PATH).
    `unset` names environment variables the tool must not see; kwargs go to subprocess.run."""
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env["PATH"] = f"{ENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([str(ENV_BIN / name), *args], env=env, **kwargs)


def execute_solution(chapter, root=ROOT, timeout=300):
    """Run a solution notebook top to bottom and save it with its new outputs, and nothing that
    changes on every run: no saved widget state (it would make every rendered copy load the
    widget JS from a CDN) and no execution timing (nbclient's `record_timing` writes four
    timestamps into every code cell: noise in every diff; nothing reads them)."""
    path = solution_notebook(chapter, root)
    nb = nbformat.read(str(path), as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=False, record_timing=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)   # timing recorded by an earlier run
    nbformat.write(nb, str(path))


def end_with_course_cells(chapter, root=ROOT):
    """Make the solution notebook end with the course's closing cells (`authoring.course_end`:
    the question cell and the self-check), once: every assignment gets them without a chapter
    writing them."""
    path = solution_notebook(chapter, root)
    nb = nbformat.read(str(path), as_version=4)
    wanted = authoring.course_end(chapter)
    ids = {cell.id for cell in wanted}
    cells = [cell for cell in nb.cells if cell.get("id") not in ids] + wanted
    def shown(cell_list):
        return [(c.cell_type, c.source, c.metadata) for c in cell_list]
    if shown(cells) != shown(nb.cells):
        nb.cells = cells
        nbformat.write(nb, str(path))


def generate_assignment(chapter, root=ROOT):
    """Run `nbgrader generate_assignment` in course root `root`; returns the student notebook's path.
    Uses no gradebook: releasing to a class records the assignment at grading time."""
    end_with_course_cells(chapter, root)
    run_tool("nbgrader", "generate_assignment", chapter, "--force", "--no-db", "--log-level=WARN",
             cwd=root, check=True)
    return assignment_notebook(chapter, root)


def generate_assignment_copy(chapter, course_root):
    """Generate the student version from a copy of this repository's solution, in `course_root`."""
    course_root = Path(course_root)
    shutil.copy(ROOT / "nbgrader_config.py", course_root / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions" / chapter, course_root / "solutions" / chapter)
    return generate_assignment(chapter, course_root)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m lossbook.maintain", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["execute-solutions", "generate-assignments"])
    parser.add_argument("chapters", nargs="*", help="chapter ids (default: all in solutions/)")
    args = parser.parse_args(argv)
    chapters = args.chapters or chapter_ids()
    unknown = sorted(set(chapters) - set(chapter_ids()))
    if unknown:
        parser.error(f"no such chapter in solutions/: {', '.join(unknown)}")
    for chapter in chapters:
        start = time.perf_counter()
        if args.command == "execute-solutions":
            execute_solution(chapter)
        else:
            generate_assignment(chapter)
        print(f"{args.command} {chapter}: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
