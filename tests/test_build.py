"""planlayers build: the committed layers are exactly what the specs build to."""

from __future__ import annotations

import pytest
import shapely

from gis.build import (SpecError, build_all, chaikin, layer_text, load_spec, make_geometry, spec_files,
                       unplaced_text)
from gis.paths import LAYERS


def test_a_fresh_build_reproduces_the_committed_layers():
    results, errors = build_all(write=False)
    assert not errors, errors
    assert len(results) == len(spec_files()) >= 4
    for result in results:
        committed = (LAYERS / f"{result.plan['id']}.geojson").read_text(encoding="utf-8")
        assert layer_text(result) == committed, f"{result.plan['id']}: run planlayers build and commit"
    assert unplaced_text(results) == (LAYERS / "unplaced.json").read_text(encoding="utf-8")


def test_chaikin_keeps_the_ends_and_smooths_corners():
    pts = [(0.0, 0.0), (1.0, 1.0), (2.0, 0.0)]
    out = chaikin(pts)
    assert out[0] == pts[0] and out[-1] == pts[-1]
    assert len(out) > len(pts) and max(y for _, y in out) < 1.0


PLAN = {"id": "t", "source": "004_a62dc47a6ad077d3.txt", "title": "t", "title_en": "t", "jurisdiction": "吴江区",
        "period": "2021"}


def test_area_is_the_union_of_member_township_cells():
    geom, method = make_geometry({"geometry": {"type": "area", "members": ["盛泽镇", "七都镇"]}}, PLAN)
    from geocoding.gazetteer import default_gazetteer

    gaz = default_gazetteer()
    for town in ("盛泽镇", "七都镇"):
        p = gaz.resolve_one(town, within="吴江区")
        assert geom.contains(shapely.Point(p.lon, p.lat))
    p = gaz.resolve_one("松陵街道", within="吴江区")
    assert not geom.contains(shapely.Point(p.lon, p.lat))
    assert "Voronoi" in method and "clipped to 吴江区" in method


def test_line_runs_from_first_to_last_waypoint():
    geom, method = make_geometry({"geometry": {"type": "line", "waypoints": ["松陵街道", "盛泽镇"]}}, PLAN)
    from geocoding.gazetteer import default_gazetteer

    start = default_gazetteer().resolve_one("松陵街道", within="吴江区")
    assert geom.coords[0] == pytest.approx((start.lon, start.lat))
    assert geom.coords[-1][1] < geom.coords[0][1]  # 盛泽 is south of 松陵
    assert "waypoints" in method


@pytest.mark.parametrize("recipe,message", [
    ({"type": "area"}, "members or around"),
    ({"type": "line", "waypoints": ["松陵街道"]}, "at least two"),
    ({"type": "point", "at": "不存在的地方"}, "not in the gazetteer"),
    ({"type": "blob"}, "unknown geometry type"),
    ({"type": "area", "members": ["盛泽镇"], "clip": "sometimes"}, "clip must be"),
    ({"type": "line", "waypoints": [[120.6, 31.1], "盛泽镇"]}, "needs a basis"),
])
def test_bad_recipes_are_clear_errors(recipe, message):
    with pytest.raises(SpecError, match=message):
        make_geometry({"geometry": recipe}, PLAN)


def test_bad_spec_files_are_clear_errors(tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text("plan: [unclosed", encoding="utf-8")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_spec(bad)
    bad.write_text("plan: {id: x}\nfeatures: []\n", encoding="utf-8")
    with pytest.raises(SpecError, match="plan lacks"):
        load_spec(bad)
