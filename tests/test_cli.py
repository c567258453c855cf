"""The planlayers command line as a user runs it (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["planlayers", *args], capture_output=True, text=True, timeout=120)


def test_geocode_json_has_the_documented_keys():
    out = run("geocode", "青阳镇", "--json")
    assert out.returncode == 0, out.stderr
    items = json.loads(out.stdout)
    assert items and {"name", "lon", "lat", "jurisdiction", "score", "source", "ambiguous"} <= set(items[0])
    assert items[0]["jurisdiction"] == "江阴市" and 0 <= items[0]["score"] <= 1


def test_geocode_unknown_is_an_empty_array():
    out = run("geocode", "不存在的地方名", "--json")
    assert out.returncode == 0 and json.loads(out.stdout) == []


def test_geocode_homonym_without_hint_is_flagged():
    items = json.loads(run("geocode", "周庄", "--json").stdout)
    assert sum(1 for i in items if i["ambiguous"]) >= 2
    hinted = json.loads(run("geocode", "周庄", "--within", "江阴市", "--json").stdout)
    assert hinted[0]["jurisdiction"] == "江阴市" and not hinted[0]["ambiguous"]


def test_reverse_with_baidu_coordinates():
    from gis import crs

    lon, lat = crs.transform_point(120.2263, 31.8268, "wgs84", "bd09")  # near 青阳
    out = run("geocode", "--reverse", f"{lon},{lat}", "--crs", "bd09", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["county"] == "江阴市"


def test_bad_input_gets_one_clear_line_and_no_traceback():
    for args in (["geocode", "--reverse", "abc"], ["geocode", "--reverse", "120,31", "--crs", "mars"],
                 ["geocode"], ["extract", "/no/such/plan.txt"], ["validate", "/no/such.geojson"]):
        out = run(*args)
        assert out.returncode != 0, args
        assert "Traceback" not in out.stderr and out.stderr.strip(), args


def test_python_m_gis_is_the_same_command():
    out = subprocess.run([sys.executable, "-m", "gis", "list", "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert isinstance(json.loads(out.stdout), list)
