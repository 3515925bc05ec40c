"""The book's own helpers, without building the book: the Korean search language (index and
query sides agree), the solution loader, and the performance appendix's table for a course in
which some chapters have no solution yet."""

import shutil

import numpy as np

import pytest

from conftest import CHAPTERS
from lossbook import implementation_bench, notebooks
from lossbook.sphinx_korean_search import JS_STEMMER, PARTICLES, SearchKorean, strip_particle


@pytest.fixture(scope="module")
def korean():
    return SearchKorean({})


@pytest.mark.parametrize("inflected,stem", [("함수를", "함수"), ("손실은", "손실"), ("확률로", "확률"),
                                            ("모델에서는", "모델"), ("평가", "평가"), ("결과", "결과")])
def test_particle_is_stripped_but_two_syllables_stay(inflected, stem):
    assert strip_particle(inflected) == stem


def test_index_has_morphemes_of_inflected_and_compound_words(korean):
    words = {korean.stem(w) for w in korean.split("손실함수를 보정된 확률로 바꾸고 최대우도추정과 Huber losses를 씁니다")}
    for expected in ("손실", "함수", "보정", "확률", "우도", "추정", "huber", "loss"):
        assert expected in words, f"{expected!r} is not indexed; got {sorted(words)}"


def test_browser_stemmer_uses_the_same_particles():
    for particle in PARTICLES:
        assert f'"{particle}"' in JS_STEMMER, f"the JS stemmer lacks the particle {particle!r}"
    assert "var Stemmer = function" in JS_STEMMER and "PorterStemmer" in JS_STEMMER


def test_answer_functions_load_from_the_solution_notebook():
    chapter = next(c for c in CHAPTERS if notebooks.solution_notebook(c).exists())
    functions = notebooks.load_answer_functions(chapter)
    names = [notebooks.grade_id(c) for c in notebooks.read(notebooks.solution_notebook(chapter)).cells
             if notebooks.is_answer_cell(c) and c.cell_type == "code"]
    assert names and all(callable(functions.get(n)) for n in names if n in functions)
    assert any(callable(functions.get(n)) for n in names), f"none of {names} was defined"


def test_performance_table_lists_chapters_without_solution_as_not_yet_available(tmp_path, monkeypatch):
    """A course with only 01_mse: its row is measured, every other chapter says 아직 준비되지 않음."""
    (tmp_path / "solutions").mkdir()
    shutil.copytree(notebooks.ROOT / "solutions" / "01_mse", tmp_path / "solutions" / "01_mse")
    monkeypatch.setattr(implementation_bench, "N_ELEMENTS", 10_000)
    rows = implementation_bench.report(root=tmp_path)
    measured = [r for r in rows if r.available]
    assert [r.comparison.chapter for r in measured] == ["01_mse"]
    assert measured[0].ratio > 0 and measured[0].worst_gap == 0.0
    table = implementation_bench.markdown_table(rows)
    assert table.count("아직 준비되지 않음") == len(rows) - 1
    assert {r.comparison.chapter for r in rows} == {f"{i:02d}_{n}" for i, n in enumerate(
        ["mse", "mae", "bce", "hinge", "softmax_ce", "log_loss", "huber", "focal", "msle",
         "categorical_ce", "contrastive"], start=1)}, "the appendix must cover all eleven chapters"


def test_the_stability_metrics_mean_what_the_page_says():
    difference, normwise = implementation_bench.difference, implementation_bench.normwise_difference
    assert difference(1e-7, 0.0) == 1e-7                      # absolute below 1, not a relative 1.0
    assert abs(difference(1e10, 1e10 * (1 + 1e-9)) - 1e-9) < 1e-15   # relative above 1
    assert difference(float("inf"), float("inf")) == 0 and difference(float("inf"), 1.0) == float("inf")
    assert normwise(np.array([2e-6, 0.0]), np.array([1e-6, 0.0])) == 0.5   # tiny gradients, wrong by 2x
    # the contrastive reference uses the exact distance: identical embeddings, dissimilar pair -> m^2 / 2
    a = np.ones((1, 3))
    assert implementation_bench.COMPARISONS[-1].builtin(a, a, np.array([0.0]), margin=2.0) == 2.0


def test_a_wrong_gradient_shows_in_the_stability_table(monkeypatch):
    monkeypatch.setattr(implementation_bench, "N_ELEMENTS", 1000)
    functions = notebooks.load_answer_functions("01_mse")
    right = implementation_bench.compare(implementation_bench.COMPARISONS[0], functions)
    functions["mse_grad"] = lambda y, p: 4 * (np.asarray(p) - np.asarray(y)) / np.size(p)   # twice too big
    wrong = implementation_bench.compare(implementation_bench.COMPARISONS[0], functions)
    assert right.grad_gap < 1e-12 and abs(wrong.grad_gap - 0.5) < 1e-12
    assert "| 5.0e-01 | 보통 입력 |" in implementation_bench.markdown_stability_table([wrong])


READINGS = "영일이삼사오육칠팔구"   # how each digit is read; a particle follows the reading


def _expected(number_text, particle):
    """The particle for a number, from the Korean reading of its last digit (or 퍼센트)."""
    last = number_text.rstrip()[-1]
    syllable = "퍼센트"[-1] if last == "%" else READINGS[int(last)]
    final = (ord(syllable) - 0xAC00) % 28
    pairs = {"이": ("이", "가"), "가": ("이", "가"), "은": ("은", "는"), "는": ("은", "는"), "을": ("을", "를"),
             "를": ("을", "를"), "과": ("과", "와"), "와": ("과", "와"), "으로": ("으로", "로"), "로": ("으로", "로")}
    consonant, vowel = pairs[particle]
    if consonant == "으로":
        return vowel if final in (0, 8) else consonant     # 8 = ㄹ: 일로, 칠로, 팔로
    return vowel if final == 0 else consonant


def test_particles_follow_the_glued_number():
    from docutils import nodes
    from lossbook.sphinx_particles import fix_particles
    cases = [("0.894", "이 "), ("0.860", "가 "), ("16", "로 "), ("17", "으로 "), ("90.0%", "으로 "),
             ("12", "을 "), ("3", "는 "), ("2.5", "과 ")]
    for number, after in cases:
        paragraph = nodes.paragraph("", "", nodes.inline(number, number, classes=["pasted-text"]), nodes.Text(after + "x"))
        fix_particles(None, paragraph)
        particle = after.strip()
        assert paragraph.astext() == f"{number}{_expected(number, particle)} x", (number, paragraph.astext())


@pytest.mark.book
def test_every_glued_number_in_the_book_has_the_right_particle(build_log):
    import re
    from conftest import HTML
    pattern = re.compile(r'<span class="pasted-text">([^<]*[0-9%])</span>(으로|로|이|가|은|는|을|를|과|와)(?![가-힣])')
    seen = 0
    for page in HTML.rglob("*.html"):
        for number, particle in pattern.findall(page.read_text(encoding="utf-8")):
            seen += 1
            assert particle == _expected(number, particle), f"{page.name}: {number}{particle}"
    assert seen > 50


def test_executing_a_solution_records_no_timing(tmp_path):
    """`make solutions` saves outputs, not the four timestamps per cell that nbclient records by
    default (an earlier run's timing is dropped too), so an unchanged chapter re-executes to an
    unchanged file."""
    import nbformat
    from lossbook.maintain import execute_solution
    folder = tmp_path / "solutions" / "00_tiny"
    folder.mkdir(parents=True)
    cell = nbformat.v4.new_code_cell("print(6 * 7)")
    cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00.000000Z"}
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), str(folder / "00_tiny.ipynb"))
    execute_solution("00_tiny", root=tmp_path)
    nb = nbformat.read(str(folder / "00_tiny.ipynb"), as_version=4)
    assert nb.cells[0].outputs[0]["text"] == "42\n"
    assert "execution" not in nb.cells[0].metadata, nb.cells[0].metadata


@pytest.mark.parametrize("tex,shown", [(r"\varepsilon = 0.1, 0.2", "ε = 0.1, 0.2"), (r"\hat{y} = \sigma(z)", "ŷ = σ(z)"),
                                       (r"\frac{1}{n}\sum_i (y_i - \hat y_i)^2", "1/n Σ_i (y_i - ŷ_i)^2"),
                                       (r"\log\frac{p}{1-p}", "log p/(1-p)"), (r"p_{\text{model}}", "p_model")])
def test_search_snippets_show_math_without_tex(tex, shown):
    from lossbook.sphinx_korean_search import readable_tex
    assert readable_tex(tex) == shown


def test_search_vocabulary_joins_compounds_written_together():
    from lossbook.sphinx_korean_search import vocabulary
    words = vocabulary("교통량을 예측합니다. 재현율과 예측값, 손실함수를 보정하는 방법")
    assert {"교통량", "재현율", "예측값", "손실", "함수", "보정", "예측"} <= words, sorted(words)
    assert not {"을", "하는", "방법을"} & words
