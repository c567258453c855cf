"""Static figures: valid PNG and PDF, set in a CJK font, styled from the one table."""

from __future__ import annotations

import pytest

from gis.boundaries import jurisdiction_features
from gis.figure import cjk_font, render_figure
from gis.io import read_geojson
from gis.paths import LAYERS


@pytest.fixture(scope="module")
def feats():
    return read_geojson(LAYERS / "jingkou-14.geojson")["features"]


def test_png_figure(feats):
    data = render_figure(feats, jurisdiction_features(), title="一带三片多点", bounds=(119.35, 32.1, 119.65, 32.3))
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000


def test_pdf_figure_embeds_the_cjk_font(feats):
    data = render_figure(feats, jurisdiction_features(), title="一带三片多点", fmt="pdf")
    assert data[:5] == b"%PDF-" and b"NotoSansCJK" in data


def test_the_font_covers_the_plans_characters():
    from matplotlib.ft2font import FT2Font

    face = FT2Font(cjk_font().get_file())
    charmap = face.get_charmap()
    assert all(ord(ch) in charmap for ch in "苏南规划图层一核一区轴两带锡澄协同发展京口吴江")


def test_unknown_format_is_a_clear_error(feats):
    with pytest.raises(ValueError, match="format must be one of"):
        render_figure(feats, [], fmt="bmp")
