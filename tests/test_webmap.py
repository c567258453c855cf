"""gis.webmap: what reaches the browser is escaped, slim, styled from the one table."""

from __future__ import annotations

import json

from gis.io import read_geojson
from gis.paths import LAYERS
from gis.style import style_for, table
from gis.webmap import POPUP_JS, POPUP_KEYS, MapView, build_map, display_collection, legend_html

HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>"{{7*7}}'


def features():
    return read_geojson(LAYERS / "wujiang-14.geojson")["features"]


def test_browser_data_is_plain_text_and_popups_use_textcontent():
    props = dict(features()[0]["properties"], name=HOSTILE, quote=HOSTILE, members=[HOSTILE], basis=HOSTILE)
    fc = display_collection([dict(features()[0], properties=props)])
    slim = fc["features"][0]["properties"]
    assert slim["n"] == HOSTILE and slim["q"] == HOSTILE  # kept as text, never turned into markup
    assert "innerHTML" not in POPUP_JS and "textContent" in POPUP_JS


def test_browser_gets_only_display_properties():
    fc = display_collection(features()[:3])
    allowed = {"id", "kind", "status", "pl", "m", *POPUP_KEYS.values()}
    for feat in fc["features"]:
        assert set(feat["properties"]) <= allowed and "n" in feat["properties"]
    assert fc["plans"] and "吴江" in fc["plans"][0]


def test_display_geometry_is_lighter_and_trimmed():
    raw = features()
    fc = display_collection(raw)
    assert len(json.dumps(fc["features"][0]["geometry"])) <= len(json.dumps(raw[0]["geometry"]))
    coords = json.dumps(fc["features"][0]["geometry"])
    assert all(len(tok.split(".")[-1].rstrip("]} ,")) <= 5 for tok in coords.replace("[", " ").split(",") if "." in tok)


def test_status_changes_the_stroke_and_kind_the_colour():
    assert style_for("railway", "planned").dash != style_for("railway", "built").dash
    assert style_for("railway", "planned").colour != style_for("zone", None).colour
    assert set(table()["kinds"]) >= {"core", "railway", "station"}


def test_legend_lists_exactly_what_is_drawn():
    feats = [f for f in features() if f["properties"]["kind"] == "railway"]
    legend = legend_html(feats)
    assert "铁路" in legend and "核心" not in legend


def test_hostile_names_do_not_reach_the_page_unescaped():
    feat = dict(features()[0])
    feat["properties"] = dict(feat["properties"], name=HOSTILE)
    page = build_map(MapView(layers={HOSTILE: [feat]}, boundaries=[], labels=True)).get_root().render()
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert "49" not in page.split("{{7*7}}")[0][-5:]  # no template evaluation of attribute text


def test_amap_basemap_shifts_overlays_to_gcj02():
    feat = next(f for f in features() if f["geometry"]["type"] == "Point")
    wgs = display_collection([feat])["features"][0]["geometry"]["coordinates"]
    gcj = display_collection([feat], to_crs="gcj02")["features"][0]["geometry"]["coordinates"]
    assert 0.002 < abs(gcj[0] - wgs[0]) < 0.01


def test_legend_and_crs_note_are_in_the_rendered_page():
    page = build_map(MapView(layers={"x": features()}, boundaries=[])).get_root().render()
    assert page.count("pl-legend") >= 1 and "pl-crs" in page
