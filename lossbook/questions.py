"""The optional question cell at the end of every assignment ("질문 (선택)").

The problem sheet asks students to say precisely what they don't understand; this cell is where
they do, in the notebook they hand in. It carries no nbgrader metadata (nbgrader would make a
written cell a graded one), so it never counts towards a score; `lossbook grade` reads what the
student wrote into report.md, grouped by the 문제 it names.
"""

import re

from nbformat.v4 import new_markdown_cell

QUESTION_ID = "question"
HEADING = "## 질문 (선택, 채점하지 않음)"
PROMPT = """\
모르는 것이 있으면 아래 `질문:` 다음 줄부터 적으세요. 점수와 상관없고, 강사가 채점 보고서에서 문제별로 모아 읽습니다. 책의 부록 "질문하는 법"의 순서로 쓰면 답이 빨리 옵니다.

1. 어느 문제인지 (예: 문제 2)
2. 무엇을 기대했고, 실제로 무엇이 나왔는지 (테스트 메시지는 그대로 붙여 넣기)
3. 그것을 보여 주는 가장 짧은 코드
4. 이미 해 본 것
5. 정확히 무엇을 모르는지"""
ANSWER_LINE = "질문:"
PROBLEM = re.compile(r"문제\s*(\d+)")


def question_cell():
    """The cell as released: heading, prompt, and the line after which the student writes."""
    cell = new_markdown_cell(f"{HEADING}\n\n{PROMPT}\n\n{ANSWER_LINE}\n")
    cell.id = QUESTION_ID
    return cell


def is_question_cell(cell):
    return cell.get("cell_type") == "markdown" and cell.get("source", "").lstrip().startswith(HEADING)


def asked(nb):
    """What the student wrote in the question cell of `nb`, or "" (no cell, or left as released)."""
    template = {line.strip() for line in question_cell().source.splitlines() if line.strip()}
    written = []
    for cell in nb.get("cells", []):
        if not is_question_cell(cell):
            continue
        for line in cell["source"].splitlines():
            if line.strip().startswith(ANSWER_LINE):   # "질문: 왜 …" on the prompt's own line
                line = line.strip()[len(ANSWER_LINE):]
            elif line.strip() in template:
                continue
            written.append(line)
    return "\n".join(written).strip()


def problems_named(text):
    """The 문제 numbers a question names ("문제 2", "문제2"), in order, once each."""
    return list(dict.fromkeys(int(n) for n in PROBLEM.findall(text)))
