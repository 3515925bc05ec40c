"""Reading a class's submissions: an nbgrader folder, a zip of one, or an LMS download zip.

Every form becomes a list of `Submission`s (student id -> the files of that student's
assignment folder, as bytes). Nothing here writes into the course folder. Only input that
cannot be read at all (no such path, not a zip, no submission in it, more than
`MAX_UNCOMPRESSED` bytes) raises `SubmissionError`; anything wrong with one student's files
(odd names, symlinks, damaged zip entries, duplicates, an unusable id) becomes a Korean note
in that student's `problems`, and every student found gets a `Submission`.

- Folder or zip of a folder laid out as nbgrader's `submitted/` folder:
  `STUDENT_ID/ASSIGNMENT/*.ipynb` (the zip may wrap it in one top folder), with nbgrader's
  `timestamp.txt` (the submission time, for late penalties) and `submission_secret.txt` (to
  return the feedback through the exchange) beside the notebooks. An nbgrader course folder
  (the hub's, after `nbgrader collect`) is read through its `submitted/` folder.
- LMS download zip (or a flat folder): files named by nbgrader's `zip_collect`
  conventions. The default pattern `LMS_PATTERN` reads `STUDENTID_FILENAME.ipynb`,
  e.g. `s2024001_01_mse.ipynb`; change it with `--pattern` (a regular expression with
  `student_id` and `file_id` groups and optionally `timestamp`, matched against the path,
  exactly as nbgrader's `FileNameCollectorPlugin.named_regexp`).

Symlinks in submissions are never followed (a student's folder that links to the solutions
is not that student's work). File names that are not UTF-8 are read as UTF-8 or CP949 (zips
made by Korean Windows) where possible. Student ids are normalised (Unicode NFC, surrounding
whitespace removed); an id with a path separator or a control character is reported.
"""

import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from nbgrader.plugins.zipcollect import FileNameCollectorPlugin

LMS_PATTERN = r".*/(?P<student_id>[^/_]+)_(?P<file_id>[^/]+)$"
STUDENT_ID = re.compile(r"^[\w][\w.-]*$")
MAX_UNCOMPRESSED = 500 * 1024 * 1024   # a whole input bigger than this is a zip bomb, not a class
MAX_FILE = 64 * 1024 * 1024            # one file bigger than this is that student's problem
SKIP = {"__MACOSX", ".ipynb_checkpoints", ".DS_Store"}
_CHUNK = 1 << 20
SECRET = "submission_secret.txt"


class SubmissionError(Exception):
    """Input that cannot be graded at all (the message is Korean, for the instructor)."""


@dataclass
class Submission:
    student_id: str
    files: dict = field(default_factory=dict)      # relative path -> bytes
    timestamp: str | None = None
    secret: str | None = None                      # nbgrader's submission_secret.txt (hub submissions)
    problems: list = field(default_factory=list)   # Korean notes found while reading
    gradable: bool = True                          # False: the id cannot be used; a row only
    source: str = ""                               # where it came from (for duplicate notes)


class Submissions(list):
    """The submissions, plus `warnings`: notes about the input that belong to no student."""

    def __init__(self, items=(), warnings=()):
        super().__init__(items)
        self.warnings = list(warnings)


def shown(text):
    """`text` (a name from a submission) safe to print: control characters escaped."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
                   for c in str(text))


def _decode_name(raw):
    """A file name's bytes as text: UTF-8, else CP949 (Korean Windows), else with U+FFFD."""
    for encoding in ("utf-8", "cp949"):
        try:
            return raw.decode(encoding), encoding == "utf-8"
        except UnicodeDecodeError:
            pass
    return raw.decode("utf-8", "replace"), False


def _fs_name(name):
    """A name from os.listdir (surrogate-escaped if not UTF-8): (text, was it UTF-8)."""
    try:
        name.encode("utf-8")
        return name, True
    except UnicodeEncodeError:
        return _decode_name(os.fsencode(name))


def _visible(rel):
    return not any(part in SKIP or part.startswith(".") for part in PurePosixPath(rel).parts)


# ---------------------------------------------------------------- zip files

def _zip_name(info):
    """The entry's name as the student's computer meant it."""
    name = info.filename
    if not info.flag_bits & 0x800:   # zipfile decoded the bytes as CP437: try UTF-8 and CP949
        try:
            name = _decode_name(name.encode("cp437"))[0]
        except UnicodeEncodeError:
            pass
    return name


def _clean_zip_path(name):
    """(relative posix path or None, note): backslashes as separators, no absolute paths,
    no '..'."""
    path = name.replace("\\", "/")
    note = None
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        path = re.sub(r"^[A-Za-z]:", "", path).lstrip("/")
        note = "절대 경로"
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None, "상위 폴더(..)를 가리키는 경로"
    return "/".join(parts), note


def _safe_extract(archive, into):
    """Extract `archive` into `into`; returns {relative path: Korean note} for entries that
    were skipped or changed (attributed to students by the caller)."""
    notes = {}
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError, UnicodeDecodeError, NotImplementedError) as error:
        raise SubmissionError(f"zip 파일을 열 수 없습니다: {archive} ({type(error).__name__}: {error})") from None
    total = 0
    with zf:
        for info in zf.infolist():
            original = _zip_name(info)
            rel, how = _clean_zip_path(original)
            label = shown(original)
            if rel is None:
                notes[original] = f"zip 안의 '{label}'은(는) {how}라서 풀지 않았습니다."
                continue
            if not rel or info.is_dir():
                continue
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                notes[rel] = f"zip 안의 '{label}'은(는) 심볼릭 링크라서 따라가지 않았습니다."
                continue
            if how:
                notes[rel] = f"zip 안의 '{label}'은(는) {how}여서 '{shown(rel)}'(으)로 풀었습니다."
            target = into / rel
            written = 0
            try:
                if target.exists():
                    notes[rel] = f"zip 안에 '{shown(rel)}'이(가) 여러 번 있습니다. 마지막 것을 읽었습니다."
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as dst:
                    while chunk := src.read(_CHUNK):
                        written += len(chunk)
                        if written > MAX_FILE:
                            raise _TooBig()
                        if total + written > MAX_UNCOMPRESSED:
                            raise SubmissionError(
                                f"zip을 풀면 {MAX_UNCOMPRESSED // 2**20} MB를 넘습니다(압축 폭탄?): {archive}")
                        dst.write(chunk)
            except SubmissionError:
                raise
            except _TooBig:
                target.unlink(missing_ok=True)
                notes[rel] = (f"zip 안의 '{label}'은(는) 풀면 {MAX_FILE // 2**20} MB를 넘어서(압축 폭탄?) "
                              "읽지 않았습니다.")
                written = 0
            except Exception as error:   # noqa: BLE001 - a damaged entry is that student's problem
                with _quiet_os():
                    target.unlink(missing_ok=True)
                notes[rel] = (f"zip 안의 '{label}'이(가) 손상되어 읽지 않았습니다"
                              f"({type(error).__name__}: {shown(error)[:120]}).")
                written = 0
            total += written
    return notes


class _TooBig(Exception):
    pass


class _quiet_os:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], OSError)


# ---------------------------------------------------------------- reading a folder

def _walk(folder):
    """(files {relative posix path: Path}, notes {relative path: Korean note}) under `folder`,
    never following symlinks."""
    files, notes = {}, {}
    for current, dirs, names in os.walk(folder, followlinks=False):
        base = Path(current)
        rel_parent = base.relative_to(folder).as_posix()
        keep = []
        for name in sorted(dirs + names):
            path = base / name
            text, utf8 = _fs_name(name)
            rel = text if rel_parent == "." else f"{rel_parent}/{text}"
            if not _visible(rel):
                continue
            try:
                mode = path.lstat().st_mode
            except OSError:
                continue
            if stat.S_ISLNK(mode):
                notes[rel] = f"'{shown(rel)}'은(는) 심볼릭 링크라서 따라가지 않았습니다."
                continue
            if not utf8:
                notes[rel] = f"파일 이름이 UTF-8이 아니어서 '{shown(rel)}'(으)로 읽었습니다."
            if stat.S_ISDIR(mode):
                keep.append(name)
            elif stat.S_ISREG(mode):
                if path.lstat().st_size > MAX_FILE:
                    notes[rel] = f"'{shown(rel)}'은(는) {MAX_FILE // 2**20} MB보다 커서 읽지 않았습니다."
                else:
                    files[rel] = path
        dirs[:] = keep
    return files, notes


def _read_file(path):
    try:
        return path.read_bytes(), None
    except OSError as error:
        return None, f"'{shown(path.name)}'을(를) 읽을 수 없습니다({type(error).__name__})."


def is_course_folder(folder):
    """An nbgrader course folder: submitted/ beside nbgrader_config.py, source/ or release/."""
    folder = Path(folder)
    return (folder / "submitted").is_dir() and not (folder / "submitted").is_symlink() and any(
        (folder / name).exists() for name in ("nbgrader_config.py", "source", "release", "gradebook.db"))


def _layout_root(folder, assignment):
    """The folder whose children are STUDENT_ID/ASSIGNMENT, or None (symlinks not followed
    to find it)."""
    def real_dirs(parent):
        try:
            return [p for p in sorted(parent.iterdir()) if p.is_dir() and not p.is_symlink()]
        except OSError:
            return []
    candidates = [folder] + [p for p in real_dirs(folder) if _visible(_fs_name(p.name)[0])]
    if is_course_folder(folder):   # its source/ and release/ have ASSIGNMENT folders too
        candidates = [folder / "submitted"]
    for root in candidates:
        for s in real_dirs(root) + [p for p in sorted(root.iterdir()) if p.is_symlink()]:
            if (s / assignment).is_dir() or (s / assignment).is_symlink():
                return root
    return None


def _read_layout(root, assignment, zip_notes):
    """`zip_notes`: {path relative to `root`: note} of the zip entries that were skipped."""
    submissions = []
    # students whose every entry was skipped have no folder: a submission with the notes only
    folders = {p.name for p in root.iterdir()}
    for raw_id in sorted({e.split("/")[0] for e in zip_notes if "/" in e} - folders):
        if _visible(raw_id):
            submissions.append(Submission(raw_id, source=f"{raw_id}/{assignment}", problems=[
                n for e, n in zip_notes.items() if e.split("/")[0] == raw_id]))
    for student in sorted(root.iterdir()):
        raw_id, utf8 = _fs_name(student.name)
        if not _visible(raw_id) or not (student.is_dir() or student.is_symlink()):
            continue
        sub = Submission(raw_id, source=f"{raw_id}/{assignment}")
        if not utf8:
            sub.problems.append(f"폴더 이름이 UTF-8이 아니어서 '{shown(raw_id)}'(으)로 읽었습니다.")
        sub.problems += [n for entry, n in zip_notes.items() if entry.split("/")[0] == raw_id]
        folder = student / assignment
        if student.is_symlink() or folder.is_symlink():
            link = student if student.is_symlink() else folder
            sub.problems.append(f"'{shown(_fs_name(link.relative_to(root).as_posix())[0])}'은(는) 심볼릭 링크라서 "
                                "따라가지 않았습니다(다른 곳의 파일은 이 학생의 제출물이 아닙니다).")
            submissions.append(sub)
            continue
        if not folder.is_dir():
            if sub.problems:
                submissions.append(sub)
            continue
        paths, notes = _walk(folder)
        sub.problems += list(notes.values())
        for rel, path in paths.items():
            data, note = _read_file(path)
            if note:
                sub.problems.append(note)
            else:
                sub.files[rel] = data
        stamp = sub.files.pop("timestamp.txt", None)
        sub.timestamp = stamp.decode("utf-8", "replace").strip() if stamp else None
        secret = sub.files.pop(SECRET, None)   # what nbgrader's submit and collect put beside the notebooks
        sub.secret = secret.decode("ascii", "replace").strip() if secret else None
        submissions.append(sub)
    return submissions


def _read_lms(folder, pattern, zip_notes):
    """Every file named by `pattern` is one Submission of one file (merged per student later);
    skipped files whose name still names a student become notes of that student."""
    collector = FileNameCollectorPlugin(named_regexp=pattern, valid_ext=[".ipynb"])
    paths, notes = _walk(folder)
    found = []
    for rel in sorted(set(paths) | set(notes) | set(zip_notes)):
        info = collector.collect(str(folder / rel))
        if not info:
            continue
        sub = Submission(info["student_id"], source=rel, timestamp=info.get("timestamp") or None)
        for note in (notes.get(rel), zip_notes.get(rel)):
            if note:
                sub.problems.append(note)
        if rel in paths:
            data, note = _read_file(paths[rel])
            file_id = info["file_id"] if info["file_id"].endswith(".ipynb") else info["file_id"] + ".ipynb"
            if note:
                sub.problems.append(note)
            else:
                sub.files[PurePosixPath(file_id).name] = data
        found.append(sub)
    return found


# ---------------------------------------------------------------- ids and duplicates

def normalize_id(raw):
    """(student id, Korean problem or None)."""
    sid = unicodedata.normalize("NFC", raw).strip()
    if not sid or any(c in sid for c in "/\\") or any(not c.isprintable() for c in sid) or not STUDENT_ID.match(sid):
        return shown(raw), (f"학생 ID '{shown(raw)}'에는 경로 구분자, 제어 문자나 쓸 수 없는 글자가 있어 "
                            "채점하지 않았습니다(글자, 숫자, '.', '-', '_'만 쓸 수 있고 글자나 숫자로 시작합니다). "
                            "폴더나 파일 이름을 고쳐 다시 실행하세요.")
    return sid, None


def _parse_time(stamp):
    if not stamp:
        return None
    from nbgrader.utils import parse_utc
    try:
        return parse_utc(stamp)
    except Exception:   # noqa: BLE001 - an unreadable timestamp is no timestamp
        return None


def _merge(student_id, subs):
    """One submission from several for one student: the newest by timestamp, otherwise the
    last in name order; the choice is noted."""
    if len(subs) == 1:
        return subs[0]
    timed = [(t, s.source, s) for s in subs if (t := _parse_time(s.timestamp)) is not None]
    if timed:
        chosen = max(timed, key=lambda x: (x[0], x[1]))[2]
        why = "제출 시각이 가장 늦은"
    else:
        chosen = max(subs, key=lambda s: s.source)
        why = "제출 시각이 없어 이름 순서로 마지막인"
    sources = ", ".join(f"'{shown(s.source)}'" for s in sorted(subs, key=lambda s: s.source))
    chosen.problems.insert(0, f"같은 학생의 제출물이 {len(subs)}개 있습니다({sources}). "
                              f"{why} '{shown(chosen.source)}'을(를) 채점했습니다.")
    for other in subs:
        if other is not chosen:
            chosen.problems += [p for p in other.problems if p not in chosen.problems]
    return chosen


def _merge_lms(student_id, subs):
    """LMS files of one student are one submission; several files for the same notebook are
    duplicates (the newest, or the last in name order, is graded)."""
    by_file = {}
    merged = Submission(student_id, source=", ".join(s.source for s in subs))
    for s in subs:
        if s.files:
            by_file.setdefault(next(iter(s.files)), []).append(s)
        else:
            merged.problems += [p for p in s.problems if p not in merged.problems]
    newest = None
    for name, group in sorted(by_file.items()):
        chosen = _merge(student_id, group)
        merged.files[name] = chosen.files[name]
        merged.problems += [p for p in chosen.problems if p not in merged.problems]
        stamp = _parse_time(chosen.timestamp)
        if stamp is not None and (newest is None or stamp > newest):
            newest, merged.timestamp = stamp, chosen.timestamp
    return merged


def read_submissions(source, assignment, pattern=LMS_PATTERN):
    """All submissions in `source` (folder or zip). Raises SubmissionError on unreadable input."""
    source = Path(source)
    if not source.exists():
        raise SubmissionError(f"제출물 경로가 없습니다: {source}")
    warnings = []
    with tempfile.TemporaryDirectory(prefix="lossbook-submissions-") as tmp:
        zip_notes = None
        if source.is_dir():
            folder = source
        else:
            folder = Path(tmp)
            zip_notes = _safe_extract(source, folder)
        zip_notes = zip_notes or {}
        root = _layout_root(folder, assignment)
        if root is None and is_course_folder(folder):
            raise SubmissionError(f"강의 폴더 {source}의 submitted/에 과제 '{assignment}'의 제출물이 없습니다. "
                                  f"먼저 모아 오세요: nbgrader collect {assignment} (formgrader의 Collect).")
        if root:
            prefix = "" if root == folder else f"{root.relative_to(folder).as_posix()}/"
            inside = {k[len(prefix):]: v for k, v in zip_notes.items() if k.startswith(prefix)}
            found = _read_layout(root, assignment, inside)
            lms = False
        else:
            found = _read_lms(folder, pattern, zip_notes)
            lms = True
    if not found:
        raise SubmissionError(
            f"{source}에서 과제 '{assignment}'의 제출물을 찾지 못했습니다. "
            f"'학생ID/{assignment}/*.ipynb' 폴더 구조이거나, LMS zip이라면 파일 이름이 "
            f"패턴 {pattern!r}에 맞아야 합니다(--pattern으로 바꿀 수 있습니다).")
    attributed = {p for s in found for p in s.problems}
    warnings += [n for n in zip_notes.values() if n not in attributed]
    groups = {}
    for sub in found:
        sid, problem = normalize_id(sub.student_id)
        if problem:
            sub.gradable = False
            sub.problems.insert(0, problem)
            sub.files = {}
        elif sid != sub.student_id:
            sub.problems.insert(0, f"학생 ID '{shown(sub.student_id)}'을(를) '{sid}'(으)로 고쳐 읽었습니다"
                                   "(앞뒤 공백이나 유니코드 정규화).")
        sub.student_id = sid
        groups.setdefault(sid, []).append(sub)
    merge = _merge_lms if lms else _merge
    return Submissions([merge(sid, groups[sid]) for sid in sorted(groups)], warnings)
