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
                         "max_manual_score": max_manual, "needs_manual_grade": bool(sub.needs_manual_grade)})
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
    tmp = out / "grades.csv.tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (_fmt(v) if isinstance(v, float) else csv_safe(v) if isinstance(v, str) else v)
                             for k, v in row.items()})
    tmp.replace(out / "grades.csv")
    histogram(rows, out / "score_histogram.png", assignment)

    lines = [f"# 채점 보고서: {assignment}", "",
             f"학생 {len(rows)}명. 점수 분포: `score_histogram.png`, 학생별 점수: `grades.csv`, "
             "학생별 피드백: `feedback/학생ID/" + assignment + "/`.", "",
             "## 문제별 평균 점수", "", "| 노트북 | 문제 | 종류 | 평균 | 배점 | 채점된 학생 |", "|---|---|---|---|---|---|"]
    for q in questions:
        mean = sum(q["scores"]) / len(q["scores"]) if q["scores"] else None
        kind = "자동" if q["kind"] == "auto" else "수동(formgrader)"
        lines.append(f"| {q['notebook']} | {q['question']} | {kind} | "
                     f"{'-' if mean is None else f'{mean:.2f}'} | {_fmt(q['max_score'])} | {len(q['scores'])} |")
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
                               problem_titles(out, assignment))
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows, questions


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


def problem_titles(out, assignment):
    """{문제 number: title} of the released notebook."""
    import nbformat

    from lossbook.problems import problems
    titles = {}
    for path in sorted((Path(out) / "release" / assignment).glob("*.ipynb")):
        titles.update({p.number: p.title for p in problems(nbformat.read(str(path), as_version=4))})
    return titles


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
    ax.set_title(f"{assignment} 점수 분포 ({len(scores)}명)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
