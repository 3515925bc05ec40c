"""What the instructor reads after grading: grades.csv, report.md, score_histogram.png.

Everything is read back from the gradebook (so manual scores from the formgrader are in
it once given), plus the problems recorded for each student at grading time."""

import csv
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

CSV_FIELDS = ["student_id", "score", "max_score", "auto_score", "max_auto_score",
              "manual_score", "max_manual_score", "needs_manual_grade", "problems"]


def collect(db_url, assignment):
    """Per-student rows and per-question (grade cell) scores from the gradebook."""
    rows, questions = [], {}
    cells = {}   # student id -> grade id -> (score or None while a person has not graded it, max score)
    with Gradebook(db_url, "lossbook") as gb:
        try:
            subs = gb.assignment_submissions(assignment)
        except MissingEntry:
            subs = []
        for sub in sorted(subs, key=lambda s: s.student_id):
            auto = manual = 0.0
            max_auto = max_manual = 0.0
            for nb in sub.notebooks:
                for grade in nb.grades:
                    cell = grade.cell
                    kind = "manual" if cell.cell_type == "markdown" else "auto"
                    q = questions.setdefault(f"{nb.name}:{cell.name}", {
                        "notebook": nb.name, "question": cell.name, "kind": kind,
                        "max_score": float(cell.max_score), "scores": []})
                    waiting = kind == "manual" and grade.manual_score is None and grade.auto_score is None
                    cells.setdefault(sub.student_id, {})[cell.name] = (None if waiting else float(grade.score),
                                                                       float(cell.max_score))
                    if kind == "manual":
                        max_manual += float(cell.max_score)
                        if grade.manual_score is not None or grade.auto_score is not None:
                            manual += float(grade.score)
                            q["scores"].append(float(grade.score))
                    else:
                        max_auto += float(cell.max_score)
                        auto += float(grade.score)
                        q["scores"].append(float(grade.score))
            rows.append({"student_id": sub.student_id, "score": float(sub.score), "max_score": float(sub.max_score),
                         "auto_score": auto, "max_auto_score": max_auto, "manual_score": manual,
                         "max_manual_score": max_manual, "needs_manual_grade": bool(sub.needs_manual_grade),
                         "cells": cells.get(sub.student_id, {})})
    return rows, list(questions.values())


def _fmt(x):
    return f"{x:g}"


def csv_safe(value):
    """A text field that a spreadsheet will not run as a formula (CSV injection): a leading
    '=', '+', '-', '@', tab or carriage return gets a leading apostrophe."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def md_safe(text):
    """Student-controlled text (ids, file names) in report.md: no raw HTML, no table breaks."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _max_scores(db_url, assignment):
    """(max_score, max_auto, max_manual) of the assignment, for students with no submission."""
    with Gradebook(db_url, "lossbook") as gb:
        try:
            a = gb.find_assignment(assignment)
        except MissingEntry:
            return 0.0, 0.0, 0.0
        auto = manual = 0.0
        for nb in a.notebooks:
            for cell in nb.grade_cells:
                if cell.cell_type == "markdown":
                    manual += float(cell.max_score)
                else:
                    auto += float(cell.max_score)
        return auto + manual, auto, manual


def write_report(out, db_url, assignment, problems, ungraded=None, warnings=()):
    """Writes grades.csv, report.md and score_histogram.png into `out`; returns the rows.
    `ungraded`: {shown id: problems} of students whose id could not be used (a row each, 0
    points); `warnings`: notes about the input that belong to no student."""
    out = Path(out)
    rows, questions = collect(db_url, assignment)
    if ungraded:
        top, auto, manual = _max_scores(db_url, assignment)
        for sid in sorted(ungraded):
            rows.append({"student_id": sid, "score": 0.0, "max_score": top, "auto_score": 0.0,
                         "max_auto_score": auto, "manual_score": 0.0, "max_manual_score": manual,
                         "needs_manual_grade": False})
        problems = {**problems, **ungraded}
    for row in rows:
        row["problems"] = " / ".join(problems.get(row["student_id"], []))
    parts = problem_list(out, assignment)
    tmp = out / "grades.csv.tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as handle:
        columns = [f"문제 {p.number}" for p in parts]   # after the LMS columns, which stay as they were
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS + columns)
        writer.writeheader()
        for row in rows:
            line = {k: (_fmt(v) if isinstance(v, float) else csv_safe(v) if isinstance(v, str) else v)
                    for k, v in row.items() if k in CSV_FIELDS}
            for part, column in zip(parts, columns):
                got = problem_score(row.get("cells", {}), part)
                line[column] = "" if got is None else _fmt(got)   # empty: a written answer not graded yet
            writer.writerow(line)
    tmp.replace(out / "grades.csv")
    histogram(rows, out / "score_histogram.png", assignment)

    lines = [f"# 채점 보고서: {assignment}", "",
             f"학생 {len(rows)}명. 점수 분포: `score_histogram.png`, 학생별 점수: `grades.csv`, "
             "학생별 피드백: `feedback/학생ID/" + assignment + "/`.", "",
             "## 문제별 평균 점수", ""]
    lines += problem_section(rows, parts, failure_messages(out, assignment, [r["student_id"] for r in rows], parts))
    if warnings:
        lines += ["", "## 제출물 전체에 대한 주의", ""] + [f"- {md_safe(w)}" for w in warnings]
    lines += ["", "## 채점 중 문제가 있었던 학생", ""]
    flagged = [(sid, msgs) for sid, msgs in sorted(problems.items()) if msgs]
    if not flagged:
        lines.append("없음.")
    for sid, msgs in flagged:
        lines.append(f"- **{md_safe(sid)}**")
        lines += [f"  - {md_safe(m)}" for m in msgs]
    waiting = [r["student_id"] for r in rows if r["needs_manual_grade"]]
    if waiting:
        lines += ["", f"## 수동 채점이 남은 학생 ({len(waiting)}명)", "",
                  "`nbgrader formgrader`로 서술형 답을 채점한 뒤 `lossbook grade`를 다시 실행하면 "
                  "`grades.csv`에 수동 점수가 들어갑니다.", "", ", ".join(md_safe(w) for w in waiting)]
    lines += questions_section(student_questions(out, assignment, [r["student_id"] for r in rows]),
                               {p.number: p.title for p in parts})
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows, questions


def problem_list(out, assignment):
    """The problems (lossbook.problems) of the released notebook in `out`."""
    import nbformat

    from lossbook.problems import problems
    found = []
    for path in sorted((Path(out) / "release" / assignment).glob("*.ipynb")):
        found += problems(nbformat.read(str(path), as_version=4))
    return found


def problem_score(cells, problem):
    """A student's points on one problem (`cells`: grade id -> (score or None, max)); None while a
    written answer waits for a person."""
    got = 0.0
    for grade_id in problem.tests + problem.written:
        score, _ = cells.get(grade_id, (0.0, 0.0))
        if score is None:
            return None
        got += score
    return got


def failure_messages(out, assignment, student_ids, parts):
    """{problem number: Counter of the Korean messages of its failed tests}, over the class's
    autograded notebooks (one count per student and message)."""
    from collections import Counter

    import nbformat

    from lossbook.notebooks import grade_id
    from lossbook.selfcheck import cell_error, explain
    owner = {g: p.number for p in parts for g in p.tests}
    counts = {p.number: Counter() for p in parts}
    for sid in student_ids:
        seen = set()
        for path in sorted((Path(out) / "autograded" / sid / assignment).glob("*.ipynb")):
            try:
                nb = nbformat.read(str(path), as_version=4)
            except Exception:   # noqa: BLE001 - reported for that student elsewhere
                continue
            for cell in nb.cells:
                number = owner.get(grade_id(cell))
                error = cell_error(cell) if number else None
                if error:
                    seen.add((number, explain(*error)))
        for number, message in seen:
            counts[number][message] += 1
    return counts


def problem_section(rows, parts, failures):
    """report.md's table per 문제: mean, share of full marks, the most common failure."""
    lines = ["| 문제 | 배점 | 평균 | 만점 | 가장 흔한 실패 (학생 수) |", "|---|---:|---:|---:|---|"]
    for part in parts:
        scores = [problem_score(r.get("cells", {}), part) for r in rows]
        graded = [x for x in scores if x is not None]
        waiting = len(scores) - len(graded)
        mean = f"{sum(graded) / len(graded):.2f}" if graded else "-"
        full = f"{sum(x >= part.points for x in graded)}/{len(graded)}명" if graded else "-"
        if waiting:
            mean += f" (채점 전 {waiting}명)"
        common = failures.get(part.number)
        top = f"{md_safe(common.most_common(1)[0][0])} ({common.most_common(1)[0][1]}명)" if common else ""
        kind = " (서술형)" if part.is_written else ""
        lines.append(f"| {md_safe(part.title)}{kind} | {_fmt(part.points)} | {mean} | {full} | {top} |")
    return lines


def student_questions(out, assignment, student_ids):
    """{student_id: question} from the question cell (`lossbook.questions`) of each submitted
    notebook; students who left it as released are not listed. Never part of a score."""
    import nbformat

    from lossbook.questions import asked
    found = {}
    for sid in student_ids:
        texts = []
        for path in sorted((Path(out) / "submitted" / sid / assignment).glob("*.ipynb")):
            try:
                texts.append(asked(nbformat.read(str(path), as_version=4)))
            except Exception:   # noqa: BLE001 - an unreadable notebook is reported elsewhere, not here
                continue
        text = "\n\n".join(t for t in texts if t)
        if text:
            found[sid] = text
    return found


def questions_section(asked, titles):
    """report.md's section of the students' questions: how many ask about each 문제 (the
    instructor sees which problem confuses the class), then each question as written."""
    from lossbook.questions import problems_named
    lines = ["", "## 학생 질문 (점수와 무관)", ""]
    if not asked:
        return lines + ["없음."]
    by_problem = {}
    for sid, text in sorted(asked.items()):
        for number in problems_named(text) or [None]:
            by_problem.setdefault(number, []).append(sid)
    lines += ["| 문제 | 질문한 학생 | 학생 ID |", "|---|---|---|"]
    for number in sorted(by_problem, key=lambda n: (n is None, n or 0)):
        title = "문제를 적지 않은 질문" if number is None else titles.get(number, f"문제 {number}")
        sids = by_problem[number]
        lines.append(f"| {md_safe(title)} | {len(sids)}명 | {', '.join(md_safe(s) for s in sids)} |")
    lines += ["", "### 질문 내용", ""]
    for sid, text in sorted(asked.items()):
        named = ", ".join(f"문제 {n}" for n in problems_named(text)) or "문제를 적지 않음"
        lines.append(f"- **{md_safe(sid)}** ({named})")
        lines += [f"  > {md_safe(line)}" if line.strip() else "  >" for line in text.splitlines()]
    return lines


def histogram(rows, path, assignment):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    try:
        import koreanize_matplotlib  # noqa: F401  (Hangul labels)
    except ImportError:
        pass
    scores = [r["score"] for r in rows]
    top = max([r["max_score"] for r in rows] + [1.0])
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(scores, bins=min(20, max(5, int(top))), range=(0, top), color="#4C72B0", edgecolor="white")
    ax.set_xlabel("점수")
    ax.set_ylabel("학생 수")
    from matplotlib.ticker import MaxNLocator
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))   # students are counted in whole numbers
    ax.set_title(f"{assignment} 점수 분포 ({len(scores)}명)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
