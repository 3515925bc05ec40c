"""Each contract function of each solution against independent references:
random inputs (hypothesis), fixed extreme inputs, and the ValueError cases."""

from functools import lru_cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from conftest import chapter_params
from lossbook import notebooks
from support.cells import solution_namespace


@lru_cache(maxsize=None)
def solution(chapter):
    return solution_namespace(notebooks.read(notebooks.solution_notebook(chapter)))


def assert_matches(actual, expected, rtol, atol, what):
    actual_arr, expected_arr = np.asarray(actual), np.asarray(expected)
    assert actual_arr.shape == expected_arr.shape, f"{what}: shape {actual_arr.shape}, expected {expected_arr.shape}"
    assert np.allclose(actual_arr, expected_arr, rtol=rtol, atol=atol), f"{what}: got {actual}, expected {expected}"


@pytest.mark.parametrize("chapter, case", chapter_params("agrees"))
def test_agrees_with_reference_on_random_inputs(chapter, case):
    function = solution(chapter)[case.function]

    @settings(max_examples=60, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(case.inputs)
    def check(args):
        assert_matches(function(*args), case.reference(*args), case.rtol, case.atol,
                       f"{case.function} vs {case.name}")

    check()


@pytest.mark.parametrize("chapter, case", chapter_params("exact"))
def test_exact_value_on_fixed_input(chapter, case):
    result = solution(chapter)[case.function](*case.args)
    assert_matches(result, case.expected, case.rtol, case.atol, f"{case.function} ({case.name})")


@pytest.mark.parametrize("chapter, case", chapter_params("raises"))
def test_bad_input_raises(chapter, case):
    with pytest.raises(case.error):
        solution(chapter)[case.function](*case.args)
