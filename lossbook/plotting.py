"""One look for every figure in the book, with Hangul glyphs."""

import matplotlib

import koreanize_matplotlib  # noqa: F401  (registers a Hangul font and selects it)

COURSE_RC = {
    "figure.figsize": (6.4, 3.8),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    # Hangul fonts often lack U+2212; the ASCII hyphen keeps negative ticks readable.
    "axes.unicode_minus": False,
}


def use_course_style():
    """Apply the course's matplotlib settings (call once at the top of a page)."""
    font_family = list(matplotlib.rcParams["font.family"])  # set by koreanize_matplotlib
    matplotlib.rcParams.update(COURSE_RC)
    matplotlib.rcParams["font.family"] = font_family
