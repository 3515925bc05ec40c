"""Reading a class's submissions: an nbgrader folder, a zip of one, or an LMS download zip.

Every form becomes a list of `Submission`s (student id -> the files of that student's
assignment folder, as bytes). Nothing here writes into the course folder; a bad input
raises `SubmissionError` before anything is touched.

- Folder or zip of a folder laid out as nbgrader's `submitted/` folder:
  `STUDENT_ID/ASSIGNMENT/*.ipynb` (the zip may wrap it in one top folder).
- LMS download zip (or a flat folder): files named by nbgrader's `zip_collect`
  conventions. The default pattern `LMS_PATTERN` reads `STUDENTID_FILENAME.ipynb`,
  e.g. `s2024001_01_mse.ipynb`; change it with `--pattern` (a regular expression with
  `student_id` and `file_id` groups and optionally `timestamp`, matched against the path,
  exactly as nbgrader's `FileNameCollectorPlugin.named_regexp`).
"""

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.plugins.zipcollect import FileNameCollectorPlugin

LMS_PATTERN = r".*/(?P<student_id>[^/_]+)_(?P<file_id>[^/]+)$"
STUDENT_ID = re.compile(r"^[\w.-]+$")
MAX_UNCOMPRESSED = 500 * 1024 * 1024   # a zip bomb is bad input, not a class
SKIP = {"__MACOSX", ".ipynb_checkpoints", ".DS_Store"}


class SubmissionError(Exception):
    """Input that cannot be graded at all (the message is Korean, for the instructor)."""


@dataclass
class Submission:
    student_id: str
    files: dict = field(default_factory=dict)      # relative path -> bytes
    timestamp: str | None = None


def _visible(rel):
    return not any(part in SKIP or part.startswith(".") for part in Path(rel).parts)


def _safe_extract(archive, into):
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        raise SubmissionError(f"zip 파일을 열 수 없습니다: {archive} ({error})") from None
    with zf:
        total = 0
        for info in zf.infolist():
            name = info.filename.replace("\\", "/")
            target = (into / name).resolve()
            if not target.is_relative_to(into.resolve()):
                raise SubmissionError(f"zip 안의 경로가 폴더 밖을 가리킵니다: {info.filename}")
            total += info.file_size
            if total > MAX_UNCOMPRESSED:
                raise SubmissionError(f"zip을 풀면 {MAX_UNCOMPRESSED // 2**20} MB를 넘습니다: {archive}")
            if info.is_dir() or (info.external_attr >> 16) & 0o170000 == 0o120000:   # skip symlinks
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)


def _layout_root(folder, assignment):
    """The folder whose children are STUDENT_ID/ASSIGNMENT, or None."""
    candidates = [folder] + [p for p in folder.iterdir() if p.is_dir() and _visible(p.name)]
    for root in candidates:
        if any((s / assignment).is_dir() for s in root.iterdir() if s.is_dir()):
            return root
    return None


def _read_layout(root, assignment):
    submissions = []
    for student in sorted(p for p in root.iterdir() if p.is_dir() and _visible(p.name)):
        folder = student / assignment
        if not folder.is_dir():
            continue
        files = {}
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_file() and not path.is_symlink() and _visible(rel):
                files[rel] = path.read_bytes()
        stamp = files.pop("timestamp.txt", None)
        submissions.append(Submission(student.name, files,
                                      stamp.decode("utf-8", "replace").strip() if stamp else None))
    return submissions


def _read_lms(folder, pattern):
    collector = FileNameCollectorPlugin(named_regexp=pattern, valid_ext=[".ipynb"])
    by_student = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.is_symlink() or not _visible(path.relative_to(folder).as_posix()):
            continue
        info = collector.collect(str(path))
        if not info:
            continue
        file_id = info["file_id"] if info["file_id"].endswith(".ipynb") else info["file_id"] + ".ipynb"
        sub = by_student.setdefault(info["student_id"], Submission(info["student_id"]))
        sub.files[Path(file_id).name] = path.read_bytes()
        if info.get("timestamp"):
            sub.timestamp = info["timestamp"]
    return [by_student[k] for k in sorted(by_student)]


def read_submissions(source, assignment, pattern=LMS_PATTERN):
    """All submissions in `source` (folder or zip). Raises SubmissionError on bad input."""
    source = Path(source)
    if not source.exists():
        raise SubmissionError(f"제출물 경로가 없습니다: {source}")
    with tempfile.TemporaryDirectory(prefix="lossbook-submissions-") as tmp:
        if source.is_dir():
            folder = source
        else:
            folder = Path(tmp)
            _safe_extract(source, folder)
        root = _layout_root(folder, assignment)
        submissions = _read_layout(root, assignment) if root else _read_lms(folder, pattern)
    if not submissions:
        raise SubmissionError(
            f"{source}에서 과제 '{assignment}'의 제출물을 찾지 못했습니다. "
            f"'학생ID/{assignment}/*.ipynb' 폴더 구조이거나, LMS zip이라면 파일 이름이 "
            f"패턴 {pattern!r}에 맞아야 합니다(--pattern으로 바꿀 수 있습니다).")
    bad = [s.student_id for s in submissions if not STUDENT_ID.match(s.student_id)]
    if bad:
        raise SubmissionError(f"학생 ID로 쓸 수 없는 이름입니다(글자, 숫자, '.', '-', '_'만): {', '.join(bad)}")
    return submissions
