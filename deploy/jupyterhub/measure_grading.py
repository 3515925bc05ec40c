"""One class of 40 submissions of 01_mse graded with `lossbook grade --jobs 2` from a hub-style
course folder (submitted/STUDENT/01_mse/ with timestamp.txt and submission_secret.txt, as
`nbgrader collect` leaves it) and from a zip of the same submissions: the time of each and
whether the grades are the same. Run once by hand (not part of `make test`):

    OMP_NUM_THREADS=1 .venv/bin/python deploy/jupyterhub/measure_grading.py [--students 40]
"""
import argparse
import csv
import os
import secrets
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import nbformat

from lossbook import notebooks
from lossbook.grading.cli import grade

ASSIGNMENT = "01_mse"


def rows(out):
    with open(Path(out) / "grades.csv", encoding="utf-8") as handle:
        return {r["student_id"]: r for r in csv.DictReader(handle)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    release = notebooks.read(notebooks.assignment_notebook(ASSIGNMENT))
    model = notebooks.model_submission(release, notebooks.read(notebooks.solution_notebook(ASSIGNMENT)))
    base = Path(tempfile.mkdtemp(prefix="lbk-measure-"))
    try:
        course = base / "course"
        (course / "source").mkdir(parents=True)
        (course / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = 'm'\n")
        for i in range(args.students):
            folder = course / "submitted" / f"s{2026000 + i}" / ASSIGNMENT
            folder.mkdir(parents=True)
            nbformat.write(model if i % 4 else release, str(folder / f"{ASSIGNMENT}.ipynb"))   # 1 in 4 blank
            (folder / "timestamp.txt").write_text(f"2026-12-03 10:{i % 60:02d}:00.000000 UTC")
            (folder / "submission_secret.txt").write_text(secrets.token_hex(64))
        archive = base / "class.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for path in sorted((course / "submitted").rglob("*.ipynb")):
                zf.write(path, path.relative_to(course).as_posix())
        times = {}
        for name, source in (("course folder", course), ("zip", archive)):
            started = time.perf_counter()
            grade(ASSIGNMENT, source, out=base / name.replace(" ", "_"), jobs=args.jobs, progress=False)
            times[name] = time.perf_counter() - started
            print(f"{name}: {args.students} submissions, --jobs {args.jobs}: {times[name]:.1f} s "
                  f"({times[name] / args.students:.2f} s each; load average {os.getloadavg()[0]:.1f})", flush=True)
        a, b = rows(base / "course_folder"), rows(base / "zip")
        same = {k: {f: v for f, v in r.items() if f != "problems"} for k, r in a.items()} == \
               {k: {f: v for f, v in r.items() if f != "problems"} for k, r in b.items()}
        print(f"same scores: {same} ({len(a)} rows; full auto score: "
              f"{sum(float(r['auto_score']) == float(r['max_auto_score']) for r in a.values())} students)")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
