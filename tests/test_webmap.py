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


def _decode(rings):
    """The page's PL_GEOMETRY, in Python: running sums of the delta-encoded integers."""
    out, x, y = [], 0, 0
    for i in range(0, len(rings), 2):
        x, y = x + rings[i], y + rings[i + 1]
        out.append([x / 1e4, y / 1e4])
    return out


def test_encoded_geometry_decodes_to_the_display_coordinates():
    from gis.webmap import encode_geometry

    for feat in features():
        geom = display_collection([feat])["features"][0]["geometry"]
        enc = encode_geometry(geom)
        if geom["type"] == "Point":
            assert enc == geom
        elif geom["type"] == "LineString":
            assert _decode(enc["d"]) == [list(c) for c in geom["coordinates"]]
        elif geom["type"] == "Polygon":
            assert [_decode(r) for r in enc["d"]] == [[list(c) for c in r] for r in geom["coordinates"]]


def test_legend_symbols_take_the_shape_of_what_is_drawn():
    from gis.webmap import _dash_gradient

    line = legend_html([f for f in features() if f["properties"]["kind"] == "railway"])
    point = legend_html([f for f in features() if f["geometry"]["type"] == "Point"][:1])
    area = legend_html([f for f in features() if "Polygon" in f["geometry"]["type"]][:1])
    assert "border-radius:50%" in point and "border-radius:50%" not in line and "no-repeat" in area
    assert "<svg" not in line  # CSS only: inline SVG per row was the costly part of a page's layout
    # a dash array "8 4" is drawn exactly: 8 px on, 4 px off, repeated
    assert _dash_gradient("#000", "8 4") == "repeating-linear-gradient(90deg,#000 0px 8px,transparent 8px 12px)"


def test_overview_outlines_are_simpler_and_the_finer_ones_travel_beside_them():
    import math

    import shapely
    from shapely.geometry import shape

    from gis.webmap import OVERVIEW_MAX_ZOOM, OVERVIEW_SIMPLIFY_DEG, SMOOTH_FACTOR, encode_geometry, overview_and_finer

    def numbers(d):  # integers in nested encoded rings: two per vertex
        return sum(numbers(x) for x in d) if d and isinstance(d[0], list) else len(d)

    shown = display_collection(features())
    overview, detail = overview_and_finer(shown)
    assert len(detail) == len(overview["features"]) == len(shown["features"])
    coarser = 0
    for f, enc, fine in zip(shown["features"], overview["features"], detail):
        n = shapely.get_num_coordinates(shape(f["geometry"]))
        if f["geometry"]["type"] == "Point":
            assert fine is None and enc["geometry"] == f["geometry"]
        elif fine is None:  # nothing to drop: the overview draws the display geometry itself
            assert enc["geometry"] == encode_geometry(f["geometry"])
        else:  # the finer geometry is the display geometry, the overview keeps fewer of its vertices
            assert fine == encode_geometry(f["geometry"]) and numbers(fine["d"]) == 2 * n
            assert numbers(enc["geometry"]["d"]) < 2 * n and enc["geometry"]["type"] == f["geometry"]["type"]
            coarser += 1
    assert coarser > len(shown["features"]) // 4
    # at the overview's zoom the simplification stays inside Leaflet's own on-screen smoothing
    metres_per_px = 40_075_016 * math.cos(math.radians(32)) / (256 * 2 ** OVERVIEW_MAX_ZOOM)
    assert OVERVIEW_SIMPLIFY_DEG * 111_320 / metres_per_px <= SMOOTH_FACTOR


def test_popup_only_properties_travel_apart_from_what_drawing_needs():
    from gis.webmap import DRAW_KEYS, split_popup_properties

    shown = display_collection(features())
    drawn, popup = split_popup_properties(shown)
    assert len(popup) == len(drawn["features"]) == len(shown["features"])
    for whole, d, rest in zip(shown["features"], drawn["features"], popup):
        assert set(d["properties"]) <= set(DRAW_KEYS) and "n" in d["properties"]
        assert {**d["properties"], **rest} == whole["properties"]  # nothing lost, nothing twice
        assert not set(d["properties"]) & set(rest)
    assert any("q" in rest for rest in popup)  # quotes wait for the popup
