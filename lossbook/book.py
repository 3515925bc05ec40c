"""Helpers for the book's pages: numbers in prose come from glue, never typed."""

from myst_nb import glue


def glue_number(name, value):
    """Glue a scalar for `{glue:text}` in the prose. NumPy scalars become plain Python
    numbers first: glue cannot format their repr (`np.float64(...)`)."""
    number = value.item() if hasattr(value, "item") else value
    glue(name, number, display=False)  # returns nothing: a cell ending in this call shows no output
