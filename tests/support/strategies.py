"""Hypothesis strategies shared by the chapters' contract data."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def finite_floats(bound=1e6):
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False, width=64)


def same_shape_pair(bound=1e6, max_dims=3, max_side=8):
    """Two float64 arrays of one random shape (1-`max_dims` dims, at least one element)."""
    shapes = hnp.array_shapes(min_dims=1, max_dims=max_dims, min_side=1, max_side=max_side)
    return shapes.flatmap(lambda shape: st.tuples(
        hnp.arrays(np.float64, shape, elements=finite_floats(bound)),
        hnp.arrays(np.float64, shape, elements=finite_floats(bound)),
    ))
