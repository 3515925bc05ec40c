"""Shared fixtures: the chapters (every folder of solutions/) and their test data."""

import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))  # `support` is importable from the chapter data files

from lossbook import notebooks  # noqa: E402

CHAPTERS = notebooks.chapter_ids()


@lru_cache(maxsize=None)
def chapter_data(chapter):
    """The `CHAPTER` object of tests/chapters/<chapter>.py."""
    path = TESTS / "chapters" / f"{chapter}.py"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: every chapter in solutions/ needs its test data")
    spec = importlib.util.spec_from_file_location(f"chapter_data_{chapter}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CHAPTER


def chapter_params(attribute):
    """pytest params (chapter, item) for every item of one list in every chapter's data."""
    params = []
    for chapter in CHAPTERS:
        try:
            items = getattr(chapter_data(chapter), attribute)
        except FileNotFoundError:
            continue  # reported by test_layout
        for index, item in enumerate(items):
            label = getattr(item, "name", "") or getattr(item, "function", "")
            params.append(pytest.param(chapter, item, id=f"{chapter}-{index}-{label}"))
    return params
