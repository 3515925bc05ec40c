"""Is a submitted notebook the assignment being graded? Recognised by its cells' grade ids.

Every nbgrader cell of an assignment has a grade id ("bce_loss", "test_sigmoid_value", ...), and
the eleven assignments share almost none. A notebook that keeps (almost) none of the graded
assignment's ids is another notebook: it is not graded (it would be renamed, "restored" cell by
cell and score 0), and the note says which assignment it looks like. If most of a class is like
that, the instructor gave the wrong assignment id and `lossbook grade` stops before writing.
"""

import json
from functools import cache
from pathlib import Path

from lossbook import notebooks

MATCHING = 0.2   # below this share of the assignment's grade ids, the notebook is not this assignment


def marks(nb_json):
    """What identifies a notebook's cells, from parsed JSON (no validation: any dict will do):
    nbgrader grade ids, cell ids, and the sources of its cells (for a notebook whose metadata
    was lost, e.g. copied into a new notebook)."""
    found = set()
    cells = nb_json.get("cells", []) if isinstance(nb_json, dict) else []
    if isinstance(nb_json, dict) and isinstance(nb_json.get("worksheets"), list):   # nbformat 3
        cells = [c for sheet in nb_json["worksheets"] if isinstance(sheet, dict)
                 for c in sheet.get("cells", []) if isinstance(sheet.get("cells"), list)]
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        meta = cell.get("metadata", {})
        nbgrader = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
        for key in (nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None, cell.get("id")):
            if isinstance(key, str):
                found.add(("id", key))
        source = cell.get("source", cell.get("input", ""))   # nbformat 3 calls a code cell's source "input"
        source = "".join(source) if isinstance(source, list) else source
        if isinstance(source, str) and len(source.strip()) > 40:
            found.add(("source", source.strip()))
    return found


@cache
def course_marks(root=notebooks.ROOT):
    """{assignment: the marks of its release notebook(s) that no other assignment has} (not the
    shared ones: "setup", "answer_formula", the self-check cell ...)."""
    found = {}
    for chapter in notebooks.chapter_ids(root):
        marked = set()
        for path in sorted((root / "assignments" / chapter).glob("*.ipynb")):
            marked |= marks(json.loads(path.read_text(encoding="utf-8")))
        found[chapter] = marked
    shared = {m for chapter in found for m in found[chapter]
              if sum(m in other for other in found.values()) > 1}
    return {chapter: frozenset(marked - shared) for chapter, marked in found.items()}


def _parsed(data):
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, AttributeError):
        return None


def _share(submitted, release):
    """The larger of: the share of the release's ids the submission has, the share of its sources."""
    shares = []
    for kind in ("id", "source"):
        wanted = {m for m in release if m[0] == kind}
        if wanted:
            shares.append(len(submitted & wanted) / len(wanted))
    return max(shares, default=0.0)


def mismatch(files, assignment, root=notebooks.ROOT):
    """None if the student's notebooks (`files`: name -> bytes) are this assignment's, or none can
    be read (reported elsewhere); else the Korean note, naming the assignment they look like."""
    course = course_marks(Path(root))
    parsed = [nb for nb in (_parsed(data) for name, data in files.items() if name.endswith(".ipynb")) if nb is not None]
    if not course.get(assignment) or not parsed:   # no release to compare with: nothing to say
        return None
    submitted = set().union(*(marks(nb) for nb in parsed))
    if not submitted:   # not a notebook with cells at all ({} or empty): the intake says what it is
        return None
    if _share(submitted, course[assignment]) >= MATCHING:
        return None
    likely = max(course, key=lambda other: _share(submitted, course[other]))
    looks = f" ({likely}의 노트북으로 보입니다)" if _share(submitted, course[likely]) >= MATCHING else ""
    return f"이 과제({assignment})의 노트북이 아닙니다{looks}. 채점하지 않았습니다(0점)."
