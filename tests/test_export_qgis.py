"""Exports opened in real QGIS (Debian's qgis + python3-qgis, headless, /usr/bin/python3)."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from gis.export import export
from gis.io import read_geojson
from gis.validate import layer_files

pytestmark = pytest.mark.qgis
SCRIPT = Path(__file__).parent / "qgis" / "check_exports.py"
TOTAL = sum(len(read_geojson(p)["features"]) for p in layer_files())


def has_pyqgis() -> bool:
    try:
        return subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="module", autouse=True)
def qgis_available():
    if not has_pyqgis():
        if os.environ.get("CI"):
            pytest.fail("CI must run the QGIS tests: Debian's qgis / python3-qgis are not installed")
        pytest.skip("Debian's python3-qgis is not installed")


def qgis(*args: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH="")
    out = subprocess.run(["/usr/bin/python3", str(SCRIPT), *args], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def plan_layers(layers: dict) -> dict:
    return {k: v for k, v in layers.items() if "jurisdictions" not in k and "counties" not in k and "区县" not in k
            and "行政边界" not in k}


def test_gpkg_in_epsg4549_opens_valid_styled_and_complete(tmp_path):
    out = tmp_path / "planlayers.gpkg"
    export("gpkg", out, "EPSG:4549")
    layers = qgis("gpkg", str(out))["layers"]
    assert all(v["valid"] and v["crs"] == "EPSG:4549" for v in layers.values())
    assert all(v["renderer"] == "categorizedSymbol" and v["categories"] > 0 for v in layers.values())
    assert sum(v["features"] for v in plan_layers(layers).values()) == TOTAL
    assert all(v["chinese_names"] == v["features"] for v in layers.values())


def test_qgz_project_opens_grouped_styled_with_boundaries_underneath_and_renders(tmp_path):
    out = tmp_path / "planlayers.qgz"
    export("qgz", out)
    result = qgis("qgz", str(out), str(tmp_path / "render.png"))
    assert result["read"] and result["crs"] == "EPSG:4549"
    assert result["groups"][:5] == ["江阴市", "江阴高新区", "京口区", "无锡市", "吴江区"]
    assert result["groups"][-1].startswith("行政边界")
    layers = result["layers"]
    assert all(v["valid"] and v["renderer"] == "categorizedSymbol" for v in layers.values())
    assert sum(v["features"] for v in plan_layers(layers).values()) == TOTAL
    png = (tmp_path / "render.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and result["png_bytes"] > 20_000


def test_shapefiles_open_in_qgis_with_chinese_attributes(tmp_path):
    out = tmp_path / "planlayers.zip"
    export("shp", out)
    folder = tmp_path / "shp"
    zipfile.ZipFile(out).extractall(folder)
    assert all((folder / n.replace(".shp", ".cpg")).exists() for n in os.listdir(folder) if n.endswith(".shp"))
    layers = qgis("shp", str(folder))["layers"]
    assert layers and all(v["valid"] for v in layers.values())
    assert sum(v["features"] for v in plan_layers(layers).values()) == TOTAL
    assert all(v["chinese_names"] == v["features"] for v in layers.values())
