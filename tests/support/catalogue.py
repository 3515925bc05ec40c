"""Data types the per-chapter files in tests/chapters/ fill in."""

from dataclasses import dataclass, field
from typing import Any, Callable

from hypothesis.strategies import SearchStrategy


@dataclass(frozen=True)
class Answer:
    """A student's answer: new sources for some answer cells, by grade_id.
    For a wrong answer, `caught_by` names test cells that must fail on it."""
    name: str
    cells: dict
    why: str = ""
    caught_by: tuple = ()


@dataclass(frozen=True)
class Agrees:
    """`function(*args)` matches an independent `reference(*args)` on random inputs."""
    function: str
    reference: Callable
    inputs: SearchStrategy   # draws the argument tuple
    rtol: float = 1e-9
    atol: float = 1e-12
    name: str = ""


@dataclass(frozen=True)
class Exact:
    """`function(*args)` equals `expected` (a closed form or library value) on a fixed, often extreme, input."""
    function: str
    args: tuple
    expected: Any
    rtol: float = 1e-9
    atol: float = 1e-12
    name: str = ""


@dataclass(frozen=True)
class Raises:
    """`function(*args)` raises `error` (bad shapes, values outside the loss's domain)."""
    function: str
    args: tuple
    error: type = ValueError
    name: str = ""


@dataclass
class Chapter:
    """Everything the generic tests need to know about one chapter."""
    agrees: list = field(default_factory=list)
    exact: list = field(default_factory=list)
    raises: list = field(default_factory=list)
    wrong_answers: list = field(default_factory=list)
    right_answers: list = field(default_factory=list)
