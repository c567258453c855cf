"""planlayers validate passes on what is committed and fails clearly on broken layers."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest

from gis.paths import LAYERS
from gis.validate import layer_files, validate, validate_collection


def committed() -> dict:
    return json.loads((LAYERS / "wujiang-14.geojson").read_text(encoding="utf-8"))


def first_polygon_feature(data: dict) -> dict:
    return next(f for f in data["features"] if f["geometry"]["type"] == "Polygon")


def problems_of(data: dict, with_quotes: bool = False) -> list[str]:
    return [p.message for p in validate_collection("broken.geojson", data, {}, with_quotes)]


def test_committed_layers_are_valid():
    problems, counts = validate()
    assert not problems, "\n".join(map(str, problems[:20]))
    assert counts["files"] == len(layer_files()) >= 4 and counts["features"] > 100


def test_committed_quotes_stand_at_their_lines(seeds):
    problems, counts = validate()
    assert not problems and counts["quotes_checked"] == counts["features"] + counts["unplaced"]


def test_cli_exit_codes(tmp_path):
    ok = subprocess.run(["planlayers", "validate"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    data = committed()
    data["features"][0]["properties"]["kind"] = "spaceship"
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run(["planlayers", "validate", str(bad)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "kind 'spaceship' is not in the vocabulary" in out.stdout
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("breakage,message", [
    (lambda d: d["features"][0]["properties"].pop("quote"), "missing property 'quote'"),
    (lambda d: d["features"][0]["properties"].update(accuracy="exact"), "accuracy 'exact'"),
    (lambda d: d["features"][0]["properties"].update(status="done"), "status 'done'"),
    (lambda d: d["features"][0]["properties"].update(jurisdiction="南京市"), "jurisdiction '南京市'"),
    (lambda d: d["features"][0]["properties"].update(id="Bad ID"), "lowercase ascii"),
    (lambda d: d["features"][0]["properties"].update(lines="12-3"), "increasing"),
    (lambda d: d["features"].append(copy.deepcopy(d["features"][0])), "id is used again"),
    (lambda d: d["features"][0].update(geometry=None), "no geometry"),
    (lambda d: d.update(crs={"type": "name"}), "'crs' member"),
    (lambda d: d.update(features=[]), "has no features"),
])
def test_broken_layers_are_reported(breakage, message):
    data = committed()
    breakage(data)
    assert any(message in p for p in problems_of(data)), problems_of(data)


def test_clockwise_exterior_ring_is_reported():
    data = committed()
    feat = first_polygon_feature(data)
    feat["geometry"]["coordinates"][0].reverse()
    assert any("right-hand" in p for p in problems_of(data))


def test_self_intersecting_polygon_is_reported():
    data = committed()
    feat = first_polygon_feature(data)
    feat["geometry"]["coordinates"] = [[[120.6, 31.0], [120.7, 31.1], [120.7, 31.0], [120.6, 31.1], [120.6, 31.0]]]
    assert any("invalid" in p for p in problems_of(data))


def test_feature_outside_its_jurisdiction_is_reported():
    data = committed()
    feat = next(f for f in data["features"] if f["geometry"]["type"] == "Point")
    feat["geometry"]["coordinates"] = [116.4, 39.9]  # Beijing
    assert any("does not intersect 吴江区" in p for p in problems_of(data))


def test_a_quote_not_in_the_cited_lines_is_reported(seeds):
    data = committed()
    data["features"][0]["properties"]["quote"] = "这句话不在规划里"
    assert any("is not in 004_" in p for p in problems_of(data, with_quotes=True))
    data = committed()
    data["features"][0]["properties"]["lines"] = "1"
    assert any("(found at line" in p for p in problems_of(data, with_quotes=True))


def test_unreadable_file_is_one_clear_problem(tmp_path: Path):
    bad = tmp_path / "x.geojson"
    bad.write_text("{not json", encoding="utf-8")
    problems, _ = validate(tmp_path, [bad])
    assert len(problems) == 1 and "cannot be read as JSON" in str(problems[0])
