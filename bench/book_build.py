"""Book build times: cold (empty output folder and execution cache) and warm (rebuild, nothing changed).

    python bench/book_build.py [--output DIR] [--keep]

Builds into a temporary folder (not the repository's _build), with the same flags as
`make book`, and prints both times against the targets of issue 8 on the 2-core course
machine: cold under 6 minutes with all chapters, warm under 30 seconds. Exits non-zero if a
build fails; the times themselves are reported, not enforced.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lossbook.maintain import run_tool  # noqa: E402
from lossbook.notebooks import chapter_ids  # noqa: E402

TARGETS = {"cold": 360.0, "warm": 30.0}


def build(output):
    start = time.perf_counter()
    result = run_tool("jupyter-book", "build", str(ROOT), "--path-output", str(output),
                      "--warningiserror", "--nitpick", "--keep-going",
                      unset=("MPLBACKEND",), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"book build failed:\n{(result.stdout + result.stderr)[-4000:]}")
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", help="build folder (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the build folder")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    output = Path(args.output or tempfile.mkdtemp(prefix="book-bench-"))
    shutil.rmtree(output / "_build", ignore_errors=True)
    pages = len([p for p in (ROOT / "book").glob("[0-9][0-9]_*.md")])
    try:
        times = {"cold": build(output), "warm": build(output)}
    finally:
        if not args.keep and not args.output:
            shutil.rmtree(output, ignore_errors=True)
    print(f"책 빌드 시간 (장 {pages}개, 해답 {len(chapter_ids())}개, cpu {os.cpu_count()}개):")
    for kind, seconds in times.items():
        verdict = "목표 이내" if seconds <= TARGETS[kind] else "목표 초과"
        print(f"  {kind:>4}: {seconds:7.1f} s   (목표 {TARGETS[kind]:.0f} s, {verdict})")
    print(json.dumps({"book_build_seconds": {k: round(v, 1) for k, v in times.items()}}))


if __name__ == "__main__":
    main()
