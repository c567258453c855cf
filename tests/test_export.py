"""planlayers export: every format read back through GDAL (fiona), atomic, clear about bad input."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import fiona
import pytest

from gis.export import ExportError, export
from gis.validate import layer_files
from gis.io import read_geojson

TOTAL = sum(len(read_geojson(p)["features"]) for p in layer_files())


def test_gpkg_has_every_feature_and_a_default_style_per_table(tmp_path):
    out = tmp_path / "x.gpkg"
    export("gpkg", out)
    layers = fiona.listlayers(out)
    plan_tables = [name for name in layers if name not in ("jurisdictions", "counties", "layer_styles")]
    assert sum(len(fiona.open(out, layer=name)) for name in plan_tables) == TOTAL
    with fiona.open(out, layer="layer_styles") as styles:
        rows = [dict(f["properties"]) for f in styles]
    assert {r["f_table_name"] for r in rows} >= set(plan_tables)
    assert all(r["useAsDefault"] and "categorizedSymbol" in r["styleQML"] for r in rows)
    with fiona.open(out, layer=plan_tables[0]) as src:
        assert src.crs.to_epsg() == 4326
        assert any("\u4e00" <= ch <= "\u9fff" for f in src for ch in f["properties"]["name"])


@pytest.mark.parametrize("target,epsg", [("EPSG:4490", 4490), ("EPSG:4549", 4549), ("gcj02", 4326)])
def test_gpkg_crs_as_asked(tmp_path, target, epsg):
    out = tmp_path / "x.gpkg"
    export("gpkg", out, target, plans=["jingkou-14"])
    with fiona.open(out, layer="jingkou_14_polygons") as src:
        assert src.crs.to_epsg() == epsg
        x = next(iter(src))["geometry"]["coordinates"][0][0][0]
    assert (400_000 < x < 700_000) if epsg == 4549 else (119 < x < 120)


def test_shapefile_zip_has_cpg_mapping_and_chinese(tmp_path):
    out = tmp_path / "x.zip"
    export("shp", out, plans=["wujiang-14"])
    names = zipfile.ZipFile(out).namelist()
    shps = [n for n in names if n.endswith(".shp")]
    assert shps and all(n[:-4] + ".cpg" in names for n in shps)
    assert {"fields.csv", "attributes.csv", "README.txt"} <= set(names)
    with fiona.open(f"zip://{out}!{shps[0]}") as src:
        assert all(len(k) <= 10 for k in src.schema["properties"])
        assert any("\u4e00" <= ch <= "\u9fff" for f in src for ch in (f["properties"]["name"] or ""))


@pytest.mark.parametrize("fmt", ["geojson", "kml", "kmz", "csv"])
def test_other_formats_read_back(tmp_path, fmt):
    out = tmp_path / f"x.{fmt}"
    export(fmt, out, plans=["jingkou-14"])
    n = len(read_geojson(Path(__file__).parents[1] / "layers" / "jingkou-14.geojson")["features"])
    if fmt == "csv":
        with fiona.open(out) as src:  # GDAL's CSV driver
            rows = [dict(f["properties"]) for f in src]
        assert len(rows) == n and all(r["jurisdiction"] == "京口区" for r in rows)
    elif fmt == "geojson":
        with fiona.open(out) as src:
            assert len(src) == n
    else:
        path = f"zip://{out}!doc.kml" if fmt == "kmz" else str(out)
        driver = "LIBKML" if "LIBKML" in fiona.drvsupport.supported_drivers else "KML"
        fiona.drvsupport.supported_drivers.setdefault(driver, "r")  # GDAL reads it; fiona lists it off by default
        total = 0
        for name in fiona.listlayers(path):
            with fiona.open(path, layer=name, driver=driver) as src:
                total += len(src)
        assert total == n


def test_exports_are_reproducible(tmp_path):
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    export("shp", a, plans=["jingkou-14"])
    export("shp", b, plans=["jingkou-14"])
    assert a.read_bytes() == b.read_bytes()


def test_refuses_to_overwrite_and_leaves_no_partial_files(tmp_path):
    out = tmp_path / "x.gpkg"
    out.write_text("keep me")
    with pytest.raises(ExportError, match="--overwrite"):
        export("gpkg", out)
    assert out.read_text() == "keep me"
    export("gpkg", out, overwrite=True, plans=["jingkou-14"])
    assert fiona.listlayers(out)
    assert [p.name for p in tmp_path.iterdir()] == ["x.gpkg"]  # no temporary folder left behind


@pytest.mark.parametrize("kwargs,message", [
    ({"fmt": "dwg"}, "unknown format"),
    ({"fmt": "gpkg", "target_crs": "EPSG:3857"}, "unsupported CRS"),
    ({"fmt": "gpkg", "target_crs": "mars"}, "unknown coordinate system"),
    ({"fmt": "kml", "target_crs": "EPSG:4549"}, "longitude/latitude"),
    ({"fmt": "gpkg", "plans": ["nope"]}, "unknown plan"),
    ({"fmt": "gpkg", "jurisdictions": ["南京市"]}, "unknown jurisdiction"),
    ({"fmt": "gpkg", "kinds": ["spaceship"]}, "unknown kind"),
    ({"fmt": "gpkg", "plans": ["jingkou-14"], "kinds": ["airport"]}, "selection is empty"),
])
def test_bad_arguments_are_clear(tmp_path, kwargs, message):
    fmt = kwargs.pop("fmt")
    with pytest.raises(ExportError, match=message):
        export(fmt, tmp_path / ("x.zip" if fmt == "shp" else f"x.{fmt}"), **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_cli_one_line_and_exit_code(tmp_path):
    out = subprocess.run(["planlayers", "export", "--format", "gpkg", "--out", str(tmp_path / "x.txt")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "must end in .gpkg" in out.stderr
