"""The benchmark's own logic (the benchmark itself runs with `planlayers bench`, not in tests)."""

from __future__ import annotations

import math
import re

from bench.cases import baseline_html, growth, ours_html, replicate_layers
from bench.run import table
from gis.io import read_geojson
from gis.paths import LAYERS


def small_layers():
    return {"京口": read_geojson(LAYERS / "jingkou-14.geojson")["features"][:5]}


def test_growth_exponent():
    assert growth([(100, 1.0), (10_000, 100.0)]) == 1.0
    assert growth([(100, 1.0), (10_000, 10.0)]) == 0.5
    assert math.isnan(growth([(100, 1.0)]))


def test_replicas_are_shifted_copies_with_unique_ids():
    layers = replicate_layers(small_layers(), 4)
    feats = layers["京口"]
    assert len(feats) == 20 and len({f["properties"]["id"] for f in feats}) == 20
    assert feats[0]["geometry"] != feats[5]["geometry"]


def test_ours_is_lighter_than_the_naive_baseline_on_the_same_data():
    layers = small_layers()
    page, _left_out = baseline_html(layers)
    assert len(ours_html(layers)) < len(baseline_html(layers, default_assets=False)[0]) < len(page)


def test_the_baseline_is_plain_folium_with_its_assets_inlined_not_fetched():
    page, left_out = baseline_html(small_layers())
    assert not re.search(r'<(script[^>]*src|link[^>]*href)="https?://', page)  # nothing for the browser to fetch
    assert "jQuery" in page and "Bootstrap" in page and "Font Awesome" in page  # CI installs the local copies
    assert set(left_out) == {"awesome_markers", "awesome_markers_css", "glyphicons_css", "awesome_rotate_css"}


def test_table_lists_the_headline_figures():
    text = table({"map.payload_ratio": 0.2, "map.first_paint_ratio": 0.4, "export.gpkg.seconds": 0.1,
                  "export.gpkg.bytes": 10})
    assert "payload ratio" in text and "first-paint ratio" in text and "export gpkg" in text
