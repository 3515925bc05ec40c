"""Reading one student's notebook file before grading, as a student who wants to break the
grader might have written it.

`read_notebook(data, name, release_nb)` returns a clean nbformat-4 notebook and Korean notes,
or raises `Unreadable` (Korean message: the notebook scores 0). It accepts what an honest
student's tools produce (a UTF-8 byte-order mark, nbformat 3, missing `metadata`, outputs of
any kind: outputs are dropped, the grader runs the notebook again) and repairs what would
otherwise take nbgrader down for the whole class or cost the student every point:
- `metadata.nbgrader` that is not a dict, or marks a graded cell the assignment does not
  have: removed (a locked cell is then restored from the release when it is graded);
- nbgrader metadata of the assignment's cells: always the release's (students never edit it);
- the same cell twice (a copy-pasted test or answer cell; nbgrader's DeduplicateIds would
  keep the last copy and can zero the notebook): a locked cell is kept once, at the place the
  release has it; a copied answer cell stays as an ordinary cell;
- duplicate or invalid cell ids: made unique.
"""

import copy
import json

import nbformat

from lossbook.notebooks import nbgrader_meta

MAX_NOTEBOOK = 50 * 1024 * 1024


class Unreadable(Exception):
    """The file is not a notebook that can be graded (Korean message)."""


def _fail(name, why):
    raise Unreadable(f"{name}: 노트북(JSON) 형식이 아니어서 읽을 수 없습니다({why}). 이 노트북은 0점입니다.")


def _meta(cell):
    meta = cell.get("metadata")
    return meta if isinstance(meta, dict) else {}


def read_notebook(data, name, release_nb):
    """(notebook, notes). Raises Unreadable."""
    notes = []
    if len(data) > MAX_NOTEBOOK:
        _fail(name, f"{len(data) // 2**20} MB로 {MAX_NOTEBOOK // 2**20} MB보다 큽니다")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail(name, "UTF-8 텍스트가 아닙니다")
    try:
        raw = json.loads(text)
    except RecursionError:
        _fail(name, "JSON이 너무 깊게 중첩되어 있습니다")
    except ValueError as error:
        _fail(name, f"JSON 오류: {str(error)[:80]}")
    if not isinstance(raw, dict) or not isinstance(raw.get("cells", raw.get("worksheets")), list):
        _fail(name, "JSON이지만 노트북이 아닙니다")
    major = raw.get("nbformat")
    if major not in (3, 4):
        _fail(name, f"지원하지 않는 nbformat {str(major)[:20]}입니다")
    try:
        if major == 3:
            nb = nbformat.convert(nbformat.from_dict(raw), 4)
            notes.append(f"{name}: nbformat 3 노트북을 nbformat 4로 바꿔 채점했습니다.")
        else:
            nb = nbformat.from_dict(raw)
        _repair_structure(nb)
        nb = nbformat.from_dict(nb)
        nbformat.validate(nb)
    except Unreadable:
        raise
    except Exception as error:   # noqa: BLE001 - any structure nbformat rejects is the student's problem
        _fail(name, f"노트북 구조 오류 {type(error).__name__}")
    notes += _repair_nbgrader(nb, name, release_nb)
    return nb, notes


def _repair_structure(nb):
    """What nbformat requires and the grader does not use: outputs (the notebook runs again),
    missing metadata, an old minor version without cell ids."""
    if not isinstance(nb.get("metadata"), dict):
        nb["metadata"] = {}
    nb["nbformat"] = 4
    if not isinstance(nb.get("nbformat_minor"), int) or nb["nbformat_minor"] < 5:
        nb["nbformat_minor"] = 5
    cells = []
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = {}
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        cell["source"] = source if isinstance(source, str) else ""
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            if not isinstance(cell.get("attachments", {}), dict):
                cell.pop("attachments")
        cid = cell.get("id")
        if not (isinstance(cid, str) and 0 < len(cid) <= 64 and all(c.isalnum() or c in "-_" for c in cid)
                and cid.isascii()):
            cell.pop("id", None)
        cells.append(cell)
    nb["cells"] = cells
    ids = set()
    for cell in nb["cells"]:
        if "id" not in cell or cell["id"] in ids:
            cell["id"] = nbformat.v4.new_code_cell().id
        ids.add(cell["id"])


def _is_locked(meta):
    return bool(meta.get("locked") or (meta.get("grade") and not meta.get("solution")))


def _repair_nbgrader(nb, name, release_nb):
    notes = []
    release = {}
    order = []
    for cell in release_nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid:
            release[gid] = nbgrader_meta(cell)
            order.append(gid)
    for index, cell in enumerate(nb.cells):
        meta = _meta(cell)
        if "nbgrader" not in meta:
            continue
        nbg = meta["nbgrader"]
        if not isinstance(nbg, dict) or not isinstance(nbg.get("grade_id", ""), str):
            del meta["nbgrader"]
            cell["id"] = nbformat.v4.new_code_cell().id   # the restored original takes its id
            notes.append(f"{name}: 셀 {index + 1}의 nbgrader 메타데이터가 손상되어 지웠습니다"
                         "(잠긴 셀이었다면 원래 셀로 되살려 채점했습니다).")
            continue
        gid = nbg.get("grade_id")
        if gid in release:
            if nbg != release[gid]:
                meta["nbgrader"] = copy.deepcopy(release[gid])
        elif nbg.get("grade") or nbg.get("solution") or nbg.get("locked") or nbg.get("task"):
            del meta["nbgrader"]
            notes.append(f"{name}: 과제에 없는 채점 셀 '{str(gid)[:40]}'의 nbgrader 표시를 지웠습니다.")
    # duplicates: the same grade_id more than once
    positions = {}
    for index, cell in enumerate(nb.cells):
        gid = _meta(cell).get("nbgrader", {}).get("grade_id")
        if gid:
            positions.setdefault(gid, []).append(index)
    drop = set()
    for gid, where in positions.items():
        if len(where) < 2:
            continue
        keep = _best_place(nb, gid, where, order, positions)
        locked = _is_locked(release.get(gid, {}))
        for index in where:
            if index == keep:
                continue
            if locked:
                drop.add(index)
            else:
                del nb.cells[index].metadata["nbgrader"]
        what = ("잠긴 셀이라 한 번만 채점했습니다" if locked else
                "답으로는 하나만 채점하고 나머지는 보통 셀로 두었습니다")
        notes.append(f"{name}: 셀 '{gid}'이(가) {len(where)}번 있습니다(복사해 붙여 넣었나요?). {what}.")
    if drop:
        nb.cells = [c for i, c in enumerate(nb.cells) if i not in drop]
    return notes


def _best_place(nb, gid, where, order, positions):
    """Of the copies of `gid`, the one whose preceding graded cell is the one the release has
    before it (else the first)."""
    if gid not in order:
        return where[0]
    before = order[order.index(gid) - 1] if order.index(gid) > 0 else None
    singles = {positions[g][0]: g for g in positions if len(positions[g]) == 1}
    for index in where:
        previous = next((singles[i] for i in range(index - 1, -1, -1) if i in singles), None)
        if previous == before:
            return index
    return where[0]
