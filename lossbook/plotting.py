"""One look for every figure in the book, with Hangul glyphs and no tofu boxes."""

from functools import cache
from pathlib import Path

import koreanize_matplotlib  # registers NanumGothic, shipped inside the package (no download)
import matplotlib
from fontTools.ttLib import TTFont
from matplotlib import font_manager

FAMILY = "NanumGothic Course"
MINUS_SIGN = 0x2212

COURSE_RC = {
    "figure.figsize": (6.4, 3.8),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    # plain tick labels use the ASCII hyphen; mathtext (log axes, $...$ labels) always draws U+2212
    "axes.unicode_minus": False,
}


@cache  # once per process: fontManager.addfont would append the same font again on every call
def _font_with_minus_sign():
    """NanumGothic has no U+2212, which mathtext draws for every minus (log-axis ticks like
    10^-3, labels like $\\hat y - y$). Register a copy, under its own family name, whose
    U+2212 is NanumGothic's hyphen glyph. Built once into matplotlib's cache folder."""
    target = Path(matplotlib.get_cachedir()) / "NanumGothic-course.ttf"
    if not target.exists():
        source = Path(koreanize_matplotlib.__file__).parent / "fonts" / "NanumGothic.ttf"
        font = TTFont(source)
        for table in font["cmap"].tables:
            if table.isUnicode():
                table.cmap[MINUS_SIGN] = table.cmap.get(ord("-"), "hyphen")
        for record in font["name"].names:
            if record.nameID in (1, 4, 6, 16):
                record.string = FAMILY if record.nameID != 6 else FAMILY.replace(" ", "-")
        tmp = target.with_suffix(".tmp")
        font.save(tmp)
        tmp.replace(target)  # atomic: parallel workers never read a half-written font
    font_manager.fontManager.addfont(str(target))


def use_course_style():
    """Apply the course's matplotlib settings (call once at the top of a page or notebook)."""
    _font_with_minus_sign()
    matplotlib.rcParams.update(COURSE_RC)
    matplotlib.rcParams["font.family"] = [FAMILY]
