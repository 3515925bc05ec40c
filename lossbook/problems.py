"""The 문제 of an assignment notebook: which cells belong to which problem, and its points.

Read from the notebook alone: a problem starts at a markdown heading `## 문제 N. 제목 (k점…)`
and owns the cells up to the next level-2 heading; nbgrader's metadata says which of them are answers,
autograded tests and written answers. The student's self-check and the grader's report use
this one reading, so both name the problems the way the assignment does.
"""

import re
from dataclasses import dataclass, field

from lossbook.notebooks import grade_id, is_answer_cell, is_autograded_test, is_manual_answer, points

HEADING = re.compile(r"^##\s+(문제\s*(\d+)\.\s*(.+?))\s*$", re.MULTILINE)
SECTION = re.compile(r"^##\s", re.MULTILINE)
POINTS_NOTE = re.compile(r"\s*\([^()]*점[^()]*\)\s*$")   # "(4점)", "(2점, 수동 채점)"
SELF_CHECK_ID = "self_check"


@dataclass
class Problem:
    number: int            # 0: cells before the first heading
    title: str             # "문제 2. `bce_loss`" (the heading without its points note)
    answers: list = field(default_factory=list)    # grade_ids of the cells the student writes
    runs: list = field(default_factory=list)       # grade_ids of the locked code that uses them (a training run)
    tests: list = field(default_factory=list)      # grade_ids of the autograded test cells
    written: list = field(default_factory=list)    # grade_ids of the written answers (graded by a person)
    points: float = 0.0    # autograded and written points of this problem

    @property
    def is_written(self):
        return bool(self.written) and not self.tests


def problems(nb):
    """The problems of notebook `nb` in order; only those with a graded cell."""
    found, current = [], Problem(0, "문제 밖의 셀")
    for cell in nb["cells"]:
        markdown = cell["cell_type"] == "markdown"
        heading = HEADING.search(cell["source"]) if markdown else None
        if heading:
            found.append(current)
            current = Problem(int(heading[2]), POINTS_NOTE.sub("", heading[1]))
            continue
        if markdown and SECTION.search(cell["source"]):   # another section ("## 자체 점검") ends the problem
            found.append(current)
            current = Problem(0, "문제 밖의 셀")
            continue
        if is_self_check(cell):
            continue
        cell_id = grade_id(cell)
        if is_autograded_test(cell):
            current.tests.append(cell_id)
        elif is_manual_answer(cell):
            current.written.append(cell_id)
        elif is_answer_cell(cell):
            current.answers.append(cell_id)
            continue
        else:
            if cell["cell_type"] == "code" and current.number:
                current.runs.append(cell_id)
            continue
        current.points += points(cell)
    found.append(current)
    return [p for p in found if p.tests or p.written]


def is_self_check(cell):
    """The notebook's last cell, which runs the self-check (`lossbook.selfcheck.check`)."""
    return grade_id(cell) == SELF_CHECK_ID
