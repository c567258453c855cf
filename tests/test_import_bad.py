"""``planlayers import`` against hostile and broken files.

Every file is generated at test time in pytest's ``tmp_path`` (no fixtures are committed, no
network). Each case ends in one of two answers:

* refused: ``report.ok`` is False and ``report.error`` is one plain sentence (one line, no
  traceback, no temporary path);
* accepted with a warning that names the problem (and, where it matters, the right result).

Limits that would need big files (file size, features, vertices, fields, value length) are
monkeypatched small instead.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from gis import crs as crsmod
from gis import importer
from gis.importer import import_file

pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # shapely on NaN

# -- helpers --------------------------------------------------------------------------------------
GOOD_POINT = {"type": "Point", "coordinates": [120.30, 31.57]}  # 无锡
BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8 + random.Random(7).randbytes(512)
HTML_VALUES = ("<img src=x onerror=alert(1)>", "<script>alert(2)</script>")


def feature(geometry, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def fc_text(*features: dict, extra: str = "") -> str:
    """A FeatureCollection as text (``extra`` lets a case splice in raw members)."""
    return '{"type": "FeatureCollection", %s"features": [%s]}' % (
        extra, ", ".join(json.dumps(f, ensure_ascii=False) for f in features))


def write(path: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    if isinstance(data, str):
        data = data.encode(encoding)
    path.write_bytes(data)
    return path


def write_zip(path: Path, entries: dict[str, bytes] | list[tuple[zipfile.ZipInfo | str, bytes]],
              compression: int = zipfile.ZIP_DEFLATED) -> Path:
    items = entries.items() if isinstance(entries, dict) else entries
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in items:
            zf.writestr(name, data)
    return path


def write_shapefile(folder: Path, records: list[tuple[dict, dict]], fields: dict[str, str],
                    crs: str | None = None, encoding: str | None = None, geometry: str = "Point",
                    stem: str = "plan") -> Path:
    """A Shapefile written by fiona (GDAL) in ``folder``; returns the .shp path."""
    import fiona

    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / f"{stem}.shp"
    kwargs = {"encoding": encoding} if encoding else {}
    with fiona.open(shp, "w", driver="ESRI Shapefile", crs=crs,
                    schema={"geometry": geometry, "properties": fields}, **kwargs) as dst:
        for geom, props in records:
            dst.write({"type": "Feature", "geometry": geom, "properties": props})
    return shp


def zip_shapefile(shp: Path, out: Path, drop: tuple[str, ...] = ()) -> Path:
    """Zip every sidecar of ``shp`` except the suffixes in ``drop``."""
    parts = {p.name: p.read_bytes() for p in shp.parent.glob(shp.stem + ".*") if p.suffix.lower() not in drop}
    assert f"{shp.stem}.shp" in parts
    return write_zip(out, parts)


def write_xlsx(path: Path, rows: list[list]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def gk_point(lon: float, lat: float, epsg: str) -> tuple[float, float]:
    return crsmod.transform_point(lon, lat, crsmod.WGS84, epsg)


def all_coords(collection: dict) -> list[tuple[float, ...]]:
    import shapely
    from shapely.geometry import shape

    out = []
    for f in collection["features"]:
        out.extend(map(tuple, shapely.get_coordinates(shape(f["geometry"]))))
    return out


def assert_clean_message(text: str, tmp_path: Path) -> None:
    assert isinstance(text, str) and text.strip(), "empty message"
    assert "\n" not in text and "\r" not in text, f"more than one line: {text!r}"
    assert "Traceback" not in text and 'File "' not in text, text
    for temp in {str(tmp_path), str(tmp_path.resolve()), "planlayers-import-"}:
        assert temp not in text, f"a temporary path leaks into {text!r}"


def assert_refused(layer, tmp_path: Path, pattern: str) -> None:
    report = layer.report
    assert report.ok is False, f"accepted, should be refused: {report}"
    assert layer.collection is None
    assert_clean_message(report.error, tmp_path)
    assert re.search(pattern, report.error, re.I), f"{report.error!r} does not match {pattern!r}"


def assert_warned(layer, tmp_path: Path, pattern: str) -> None:
    report = layer.report
    assert report.ok is True, f"refused, should be accepted: {report.error}"
    assert report.error is None
    assert layer.collection is not None and layer.collection["type"] == "FeatureCollection"
    assert report.features == len(layer.collection["features"]) > 0
    for w in report.warnings:
        assert_clean_message(w, tmp_path)
    assert any(re.search(pattern, w, re.I) for w in report.warnings), \
        f"no warning matches {pattern!r}: {report.warnings}"
    # what reaches the web map must be strict JSON in WGS84 degrees
    json.dumps(layer.collection, allow_nan=False, ensure_ascii=False)
    for x, y, *_ in all_coords(layer.collection):
        assert -180 <= x <= 180 and -90 <= y <= 90, (x, y)


# -- the cases ----------------------------------------------------------------------------------------
@dataclass
class Case:
    name: str
    build: Callable[[Path], Path]
    refused: str | None = None          # a regex the error must match
    warned: str | None = None           # a regex one warning must match
    crs: str | None = None
    patch: dict[str, int] = field(default_factory=dict)
    check: Callable | None = None       # extra assertions on (layer, path)


CASES: list[Case] = []


def case(refused: str | None = None, warned: str | None = None, *, crs: str | None = None,
         patch: dict[str, int] | None = None, check: Callable | None = None):
    assert (refused is None) != (warned is None)

    def deco(build: Callable[[Path], Path]) -> Callable[[Path], Path]:
        name = build.__name__
        assert all(c.name != name for c in CASES), name
        CASES.append(Case(name, build, refused, warned, crs, patch or {}, check))
        return build

    return deco


# ---- GeoJSON
@case(refused=r"empty")
def empty_file(d: Path) -> Path:
    return write(d / "empty.geojson", b"")


@case(refused=r"not a valid GeoJSON")
def truncated_geojson(d: Path) -> Path:
    text = fc_text(*(feature(GOOD_POINT, n=i) for i in range(20)))
    return write(d / "truncated.geojson", text[: len(text) // 2])


@case(refused=r"not a valid GeoJSON")
def json_not_geojson(d: Path) -> Path:
    return write(d / "config.json", json.dumps({"name": "规划", "items": [1, 2, 3], "nested": {"a": None}}))


@case(refused=r"not a valid GeoJSON")
def deeply_nested_json(d: Path) -> Path:
    return write(d / "nested.geojson", "[" * 200_000 + "]" * 200_000)


@case(warned=r"1 features without a usable geometry were left out")
def null_coordinates(d: Path) -> Path:
    return write(d / "null.geojson", fc_text(feature(GOOD_POINT, n="ok"),
                                             feature({"type": "Point", "coordinates": None}, n="null")))


@case(warned=r"2 features without a usable geometry were left out")
def empty_coordinates(d: Path) -> Path:
    return write(d / "emptycoords.geojson", fc_text(feature(GOOD_POINT, n="ok"),
                                                    feature({"type": "Point", "coordinates": []}),
                                                    feature({"type": "Polygon", "coordinates": []})))


def _check_nan(layer, path):
    props = [f["properties"] for f in layer.collection["features"]]
    assert props == [{"n": "ok", "v": 1.5, "w": 2.5}, {"n": "nan values", "v": None, "w": None}]  # NaN -> null


@case(warned=r"3 features without a usable geometry were left out", check=_check_nan)
def nan_coordinates(d: Path) -> Path:
    # JSON has no NaN, but Python's json and GDAL accept the literal: the importer must too
    nan_values = ('{"type": "Feature", "properties": {"n": "nan values", "v": NaN, "w": Infinity}, '
                  '"geometry": {"type": "Point", "coordinates": [120.31, 31.58]}}')
    nan_point = '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [NaN, 31.5]}}'
    nan_poly = ('{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": '
                '[[[120, 31], [NaN, 31], [121, 32], [120, 31]]]}}')
    nan_z = '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [120.3, 31.5, NaN]}}'
    text = fc_text(feature(GOOD_POINT, n="ok", v=1.5, w=2.5))
    return write(d / "nan.geojson", text[:-2] + ", " + ", ".join((nan_values, nan_point, nan_poly, nan_z)) + "]}")


@case(warned=r"2 features without a usable geometry were left out")
def infinity_coordinates(d: Path) -> Path:
    inf_line = ('{"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": '
                '[[Infinity, 31], [120, 31]]}}')
    inf_point = '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [120, -Infinity]}}'
    text = fc_text(feature(GOOD_POINT, n="ok"))
    return write(d / "inf.geojson", text[:-2] + ", " + inf_line + ", " + inf_point + "]}")


@case(refused=r"no feature has a usable geometry")
def only_unusable_geometries(d: Path) -> Path:
    return write(d / "nothing.geojson", fc_text(feature(None), feature({"type": "Point", "coordinates": []}),
                                                feature({"type": "Polygon", "coordinates": [[[120, 31], [121, 32]]]})))


@case(refused=r"no features")
def no_features(d: Path) -> Path:
    return write(d / "nofeatures.geojson", fc_text())


def _check_bowtie(layer, path):
    from shapely.geometry import shape

    geom = shape(layer.collection["features"][0]["geometry"])
    assert geom.is_valid and geom.geom_type == "MultiPolygon" and len(geom.geoms) == 2
    assert layer.collection["features"][0]["properties"]["n"] == "bowtie"


@case(warned=r"^1 invalid geometries were repaired", check=_check_bowtie)
def self_intersecting_polygon(d: Path) -> Path:
    bowtie = {"type": "Polygon", "coordinates": [[[120, 31], [121, 32], [121, 31], [120, 32], [120, 31]]]}
    return write(d / "bowtie.geojson", fc_text(feature(bowtie, n="bowtie")))


def _check_mixed(layer, path):
    assert layer.report.geometry_types == ["LineString", "Point", "Polygon"]


@case(warned=r"mixed geometry types: LineString, Point, Polygon", check=_check_mixed)
def mixed_geometry_types(d: Path) -> Path:
    square = {"type": "Polygon", "coordinates": [[[120, 31], [120.1, 31], [120.1, 31.1], [120, 31.1], [120, 31]]]}
    line = {"type": "LineString", "coordinates": [[120, 31], [120.5, 31.5]]}
    return write(d / "mixed.geojson", fc_text(feature(GOOD_POINT), feature(line), feature(square)))


# ---- binary files with a geographic extension: extension -> what the answer must say
BINARY_RENAMED = {"geojson": r"not JSON", "gpkg": r"not a GeoPackage", "zip": r"not a readable zip",
                  "kml": r"not a valid KML", "xlsx": r"not a readable zip", "csv": r"neither UTF-8 nor GB18030"}
for _ext, _refused in BINARY_RENAMED.items():
    CASES.append(Case(f"binary_renamed_{_ext}", lambda d, ext=_ext: write(d / f"photo.{ext}", BINARY), _refused))


@case(refused=r"not a valid GeoPackage")
def sqlite_without_geopackage_tables(d: Path) -> Path:
    path = d / "plain.gpkg"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (name TEXT)")
    con.execute("INSERT INTO t VALUES ('x')")
    con.commit()
    con.close()
    return path


# ---- archives
@case(refused=r"not a readable zip")
def corrupt_zip(d: Path) -> Path:
    # a local-file header, then garbage and no central directory
    return write(d / "corrupt.zip", b"PK\x03\x04" + b"\x14\x00" * 20 + BINARY)


@case(refused=r"not a readable zip")
def truncated_zip(d: Path) -> Path:
    shp = write_shapefile(d / "src_trunc", [(GOOD_POINT, {"name": "a"})], {"name": "str"}, crs="EPSG:4326")
    data = zip_shapefile(shp, d / "full.zip").read_bytes()
    (d / "full.zip").unlink()
    return write(d / "truncated.zip", data[: len(data) * 2 // 3])


@case(refused=r"'plan\.dbf' cannot be extracted \(Bad CRC-32")
def zip_with_bad_crc(d: Path) -> Path:
    shp = write_shapefile(d / "src_crc", [(GOOD_POINT, {"name": "abcdefgh"})], {"name": "str"}, crs="EPSG:4326")
    parts = {p.name: p.read_bytes() for p in shp.parent.glob("plan.*")}
    path = write_zip(d / "badcrc.zip", parts, compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    at = data.find(b"abcdefgh")  # the attribute, stored uncompressed inside the .dbf entry
    assert at > 0
    data[at:at + 8] = b"ABCDEFGH"
    return write(path, bytes(data))


def _patch_zip_headers(path: Path, local_offset: int, central_offset: int, value: bytes) -> None:
    """Overwrite one field in every local and central-directory header of a zip."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", local_offset), (b"PK\x01\x02", central_offset)):
        at = data.find(signature)
        while at >= 0:
            data[at + offset:at + offset + len(value)] = value
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


@case(refused=r"'plan\.\w+' is encrypted \(password protected\)$")
def zip_encrypted_entry(d: Path) -> Path:
    shp = write_shapefile(d / "src_enc", [(GOOD_POINT, {"name": "a"})], {"name": "str"}, crs="EPSG:4326")
    path = zip_shapefile(shp, d / "encrypted.zip")
    _patch_zip_headers(path, 6, 8, b"\x01\x00")  # general-purpose flag bit 0: encrypted
    return path


@case(refused=r"cannot be extracted .*compression method")
def zip_unknown_compression(d: Path) -> Path:
    shp = write_shapefile(d / "src_method", [(GOOD_POINT, {"name": "a"})], {"name": "str"}, crs="EPSG:4326")
    path = zip_shapefile(shp, d / "method.zip")
    _patch_zip_headers(path, 8, 10, b"\x63\x00")  # method 99 (AES, WinZip): not supported
    return path


@case(refused=r"zip bomb")
def zip_bomb(d: Path) -> Path:
    # 8 MB of zeros deflate to ~8 KB (ratio ~1000:1, limit 200:1); the file on disk stays small
    path = d / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("plan.shp", bytes(8 * 2**20))
    assert path.stat().st_size < 100_000
    return path


@case(refused=r"entries \(limit")
def zip_too_many_entries(d: Path) -> Path:
    n = importer.MAX_ZIP_ENTRIES + 1
    return write_zip(d / "many.zip", [(f"f{i}.txt", b"") for i in range(n)], compression=zipfile.ZIP_STORED)


def _evil_zip(d: Path, file_name: str, entry: str) -> Path:
    shp = write_shapefile(d / f"src_{file_name}", [(GOOD_POINT, {"name": "a"})], {"name": "str"}, crs="EPSG:4326")
    entries = [(p.name, p.read_bytes()) for p in shp.parent.glob("plan.*")]
    info = zipfile.ZipInfo(entry)  # ZipInfo keeps the name as given (ZipFile.write would sanitise it)
    entries.append((info, b"overwrite me"))
    return write_zip(d / f"{file_name}.zip", entries)


#: archive entries that would land outside the extraction folder (POSIX and Windows spellings)
ZIP_ESCAPES = {"zip_slip_parent": "../evil.shp", "zip_absolute_path": "/tmp/evil.shp",
               "zip_windows_path": "C:\\evil.shp", "zip_windows_parent": "..\\..\\evil.shp"}
for _name, _entry in ZIP_ESCAPES.items():
    CASES.append(Case(_name, lambda d, name=_name, entry=_entry: _evil_zip(d, name, entry),
                      r"points outside the archive folder"))


@case(refused=r"symbolic link")
def zip_symlink_entry(d: Path) -> Path:
    shp = write_shapefile(d / "src_link", [(GOOD_POINT, {"name": "a"})], {"name": "str"}, crs="EPSG:4326")
    entries = [(p.name, p.read_bytes()) for p in shp.parent.glob("plan.*") if p.suffix != ".prj"]
    link = zipfile.ZipInfo("plan.prj")
    link.create_system = 3  # unix
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    entries.append((link, b"/etc/passwd"))
    return write_zip(d / "symlink.zip", entries)


@case(refused=r"no \.shp")
def zip_without_shp(d: Path) -> Path:
    return write_zip(d / "noshp.zip", {"readme.txt": "规划图层".encode(), "plan.dbf": b"\x03" + bytes(40)})


def _check_gbk(layer, path):
    props = [f["properties"] for f in layer.collection["features"]]
    assert [p["名称"] for p in props] == ["苏州工业园区", "江阴市青阳镇"]
    assert props[0]["类型"] == "开发区"


@case(warned=r"GB18030", check=_check_gbk)
def shapefile_gbk_without_cpg(d: Path) -> Path:
    shp = write_shapefile(d / "src_gbk", [(GOOD_POINT, {"名称": "苏州工业园区", "类型": "开发区"}),
                                          ({"type": "Point", "coordinates": [120.23, 31.83]},
                                           {"名称": "江阴市青阳镇", "类型": "镇"})],
                          {"名称": "str:40", "类型": "str:20"}, crs="EPSG:4326", encoding="gb18030")
    dbf = shp.with_suffix(".dbf").read_bytes()
    assert "苏州工业园区".encode("gb18030") in dbf  # really GBK bytes in the .dbf
    return zip_shapefile(shp, d / "gbk.zip", drop=(".cpg",))


def _check_near_wuxi(expected_crs):
    def check(layer, path):
        assert layer.report.crs == expected_crs
        (x, y), = all_coords(layer.collection)
        assert abs(x - 120.0) < 0.01 and abs(y - 31.0) < 0.01, (x, y)
    return check


@case(warned=r"zone 40 .*EPSG:4528", check=_check_near_wuxi("EPSG:4528"))
def shapefile_no_prj_zone_prefix(d: Path) -> Path:
    x, y = gk_point(120.0, 31.0, "EPSG:4528")
    assert 40_400_000 < x < 40_600_000
    shp = write_shapefile(d / "src_zone", [({"type": "Point", "coordinates": [x, y]}, {"name": "a"})], {"name": "str"})
    assert not shp.with_suffix(".prj").exists()
    return zip_shapefile(shp, d / "zone40.zip")


@case(warned=r"EPSG:4549", check=_check_near_wuxi("EPSG:4549"))
def shapefile_no_prj_without_zone(d: Path) -> Path:
    x, y = gk_point(120.0, 31.0, "EPSG:4549")
    assert 400_000 < x < 600_000
    shp = write_shapefile(d / "src_nozone", [({"type": "Point", "coordinates": [x, y]}, {"name": "a"})], {"name": "str"})
    return zip_shapefile(shp, d / "cm120.zip")


@case(refused=r"neither degrees nor CGCS2000")
def shapefile_no_prj_unknown_units(d: Path) -> Path:
    shp = write_shapefile(d / "src_units", [({"type": "Point", "coordinates": [5000.0, 300.0]}, {"name": "a"})],
                          {"name": "str"})
    return zip_shapefile(shp, d / "units.zip")


@case(refused=r"neither degrees nor CGCS2000")
def geojson_without_crs_unknown_units(d: Path) -> Path:
    # GDAL reports EPSG:4326 for every GeoJSON; values far beyond ±180/±90 are not degrees all the same
    return write(d / "units.geojson", fc_text(feature({"type": "Point", "coordinates": [5000.0, 300.0]})))


@case(warned=r"zone 40", check=_check_near_wuxi("EPSG:4528"))
def geojson_without_crs_gauss_kruger(d: Path) -> Path:
    x, y = gk_point(120.0, 31.0, "EPSG:4528")
    return write(d / "gk.geojson", fc_text(feature({"type": "Point", "coordinates": [x, y]})))


@case(warned=r"1 features without a usable geometry", crs="EPSG:4528", check=_check_near_wuxi("EPSG:4528"))
def projected_file_with_a_malformed_polygon(d: Path) -> Path:
    # one broken feature must not sink the conversion of the others
    x, y = gk_point(120.0, 31.0, "EPSG:4528")
    two_points = {"type": "Polygon", "coordinates": [[[x, y], [x + 100, y]]]}
    return write(d / "gk_broken.geojson", fc_text(feature({"type": "Point", "coordinates": [x, y]}), feature(two_points)))


@case(warned=r"projected CRS but its coordinates look like degrees")
def degrees_in_projected_file(d: Path) -> Path:
    member = '"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4549"}}, '
    return write(d / "declared4549.geojson", fc_text(feature(GOOD_POINT), extra=member))


@case(warned=r"projected CRS but its coordinates look like degrees")
def degrees_in_projected_shapefile(d: Path) -> Path:
    shp = write_shapefile(d / "src_deg", [(GOOD_POINT, {"name": "a"})], {"name": "str"}, crs="EPSG:4549")
    assert shp.with_suffix(".prj").exists()
    return zip_shapefile(shp, d / "deg4549.zip")


@case(warned=r"outside China")
def points_outside_china(d: Path) -> Path:
    paris = {"type": "Point", "coordinates": [2.35, 48.85]}
    return write(d / "paris.geojson", fc_text(feature(paris, name="Paris"), feature(
        {"type": "Point", "coordinates": [-74.0, 40.7]}, name="New York")))


# ---- KML / KMZ
@case(refused=r"no \.kml")
def kmz_without_kml(d: Path) -> Path:
    return write_zip(d / "nokml.kmz", {"doc.txt": b"hello", "images/icon.png": BINARY})


@case(refused=r"points outside the archive folder")
def kmz_with_slip(d: Path) -> Path:
    return write_zip(d / "slip.kmz", [(zipfile.ZipInfo("../../doc.kml"), b"<kml/>")])


# ---- CSV / XLSX
@case(refused=r"no longitude/latitude columns")
def csv_without_lonlat(d: Path) -> Path:
    return write(d / "table.csv", "name,address,area\n青阳镇,江阴市,12.5\n周庄镇,昆山市,38\n")


def _check_gbk_csv(layer, path):
    names = [f["properties"]["名称"] for f in layer.collection["features"]]
    assert names == ["青阳镇", "周庄镇"]


@case(warned=r"GB18030", check=_check_gbk_csv)
def csv_gbk_chinese_columns(d: Path) -> Path:
    return write(d / "gbk.csv", "名称,经度,纬度\n青阳镇,120.2263,31.8268\n周庄镇,120.8447,31.1166\n", "gbk")


@case(warned=r"2 rows without a numeric longitude/latitude were skipped")
def csv_non_numeric_coordinates(d: Path) -> Path:
    return write(d / "bad_numbers.csv", "name,lon,lat\na,120.3,31.5\nb,东经120度,31.5\nc,120.4,nan\nd,120.5,31.6\n")


@case(refused=r"no rows")
def csv_header_only(d: Path) -> Path:
    return write(d / "header.csv", "name,lon,lat\n")


def _check_offset(src):
    def check(layer, path):
        assert layer.report.crs == src
        (x, y), = all_coords(layer.collection)
        ex, ey = crsmod.transform_point(120.3, 31.57, src)
        assert abs(x - ex) < 1e-7 and abs(y - ey) < 1e-7
        assert abs(x - 120.3) > 1e-4  # really converted (the offset is a few hundred metres)
    return check


@case(warned=r"1 rows without a numeric", crs="gcj02", check=_check_offset("gcj02"))
def csv_gcj02(d: Path) -> Path:
    return write(d / "amap.csv", "name,gcj_lng,gcj_lat\n无锡,120.3,31.57\n空,,\n")


@case(warned=r"1 rows without a numeric", crs="bd09", check=_check_offset("bd09"))
def csv_bd09(d: Path) -> Path:
    return write(d / "baidu.csv", "name,bd_lng,bd_lat\n无锡,120.3,31.57\n空,-,-\n")


def _check_xlsx(layer, path):
    assert layer.report.format == "xlsx" and layer.report.features == 2
    assert [f["properties"]["name"] for f in layer.collection["features"]] == ["青阳镇", "周庄镇"]


@case(warned=r"1 rows without a numeric", check=_check_xlsx)
def xlsx_with_lonlat(d: Path) -> Path:
    return write_xlsx(d / "points.xlsx", [["name", "lon", "lat"], ["青阳镇", 120.2263, 31.8268],
                                          ["周庄镇", "120.8447", 31.1166], ["空", None, None]])


@case(refused=r"not a readable \.xlsx")
def xlsx_corrupt(d: Path) -> Path:
    # a zip with the right entry names whose XML is garbage
    return write_zip(d / "corrupt.xlsx", {"[Content_Types].xml": b"<Types", "xl/workbook.xml": BINARY[:300]})


@case(refused=r"zip bomb")
def xlsx_bomb(d: Path) -> Path:
    path = d / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", bytes(4 * 2**20))
    return path


# ---- limits (monkeypatched small)
@case(refused=r"MB \(limit", patch={"MAX_FILE_BYTES": 2**20})
def oversized_file(d: Path) -> Path:
    return write(d / "big.geojson", fc_text(feature(GOOD_POINT, text="x" * (2**20 + 4096))))


@case(refused=r"more than 5 features", patch={"MAX_FEATURES": 5})
def too_many_features(d: Path) -> Path:
    return write(d / "many.geojson", fc_text(*(feature(GOOD_POINT, i=i) for i in range(12))))


@case(refused=r"more than 50 vertices", patch={"MAX_VERTICES": 50})
def too_many_vertices(d: Path) -> Path:
    line = {"type": "LineString", "coordinates": [[120 + i / 1000, 31 + (i % 2) / 1000] for i in range(80)]}
    return write(d / "vertices.geojson", fc_text(feature(line)))


@case(refused=r"8 fields \(limit 5\)", patch={"MAX_FIELDS": 5})
def too_many_fields(d: Path) -> Path:
    return write(d / "fields.geojson", fc_text(feature(GOOD_POINT, **{f"f{i}": i for i in range(8)})))


@case(refused=r"8 columns \(limit 5\)", patch={"MAX_FIELDS": 5})
def too_many_csv_columns(d: Path) -> Path:
    return write(d / "columns.csv", "lon,lat,a,b,c,d,e,f\n120.3,31.5,1,2,3,4,5,6\n")


def _check_cut(layer, path):
    props = layer.collection["features"][0]["properties"]
    assert props["long"] == "长" * 50 and props["short"] == "短"


@case(warned=r"longer than 50 characters were cut", patch={"MAX_VALUE_CHARS": 50}, check=_check_cut)
def value_too_long(d: Path) -> Path:
    return write(d / "long.geojson", fc_text(feature(GOOD_POINT, long="长" * 500, short="短")))


# ---- attribute content
def _check_html(layer, path):
    props = layer.collection["features"][0]["properties"]
    assert (props["img"], props["script"]) == HTML_VALUES  # verbatim text, neither escaped nor removed
    assert props["mixed"] == 'a & b < c > "d"'


@case(warned=r"southern Jiangsu|outside", check=_check_html)
def html_in_attributes(d: Path) -> Path:
    # one point outside the map region so that the case has a warning to assert on
    return write(d / "html.geojson", fc_text(feature({"type": "Point", "coordinates": [113.3, 23.1]},
                                                     img=HTML_VALUES[0], script=HTML_VALUES[1],
                                                     mixed='a & b < c > "d"')))


def _check_control(layer, path):
    props = layer.collection["features"][0]["properties"]
    assert props["name"] == "青阳镇规划"
    assert props["note"] == "line1\nline2\tend"  # newline and tab are text, not control garbage
    for value in props.values():
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value)


@case(warned=r"southern Jiangsu|outside", check=_check_control)
def control_characters_in_attributes(d: Path) -> Path:
    return write(d / "control.geojson", fc_text(feature({"type": "Point", "coordinates": [113.3, 23.1]},
                                                        name="青阳\x07镇\x1b规\x08划\x7f",
                                                        note="line1\nline2\t\x0cend")))


# ---- paths, names and options
@case(refused=r"unsupported file type \.dwg")
def unknown_extension(d: Path) -> Path:
    return write(d / "plan.dwg", BINARY)


@case(refused=r"not a regular file")
def directory_path(d: Path) -> Path:
    folder = d / "a folder.geojson"
    folder.mkdir()
    return folder


@case(refused=r"no such file")
def missing_file(d: Path) -> Path:
    return d / "missing.geojson"


@case(refused=r"unknown coordinate system 'EPSG:999999'", crs="EPSG:999999")
def unknown_crs_code(d: Path) -> Path:
    return write(d / "ok.geojson", fc_text(feature(GOOD_POINT)))


def _check_chinese_name(layer, path):
    assert layer.name == "苏州 规划 图层 (2024 版)"
    assert layer.collection["features"][0]["properties"]["名称"] == "园区"


@case(warned=r"1 features without a usable geometry", check=_check_chinese_name)
def chinese_file_name_with_spaces(d: Path) -> Path:
    return write(d / "苏州 规划 图层 (2024 版).geojson", fc_text(feature(GOOD_POINT, 名称="园区"), feature(None)))


# -- the tests ------------------------------------------------------------------------------------------
def run_case(c: Case, folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    path = c.build(folder)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in c.patch.items():
            mp.setattr(importer, key, value)
        return path, import_file(path, crs=c.crs)


def test_enough_cases():
    assert len(CASES) >= 35


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_bad_input(c: Case, tmp_path: Path):
    path, layer = run_case(c, tmp_path)
    if c.refused:
        assert_refused(layer, tmp_path, c.refused)
    else:
        assert_warned(layer, tmp_path, c.warned)
    if c.check:
        c.check(layer, path)


def _planlayers() -> list[str]:
    beside = Path(sys.executable).with_name("planlayers")  # the entry point of this interpreter
    exe = str(beside) if beside.exists() else shutil.which("planlayers")
    return [exe] if exe else [sys.executable, "-m", "gis"]


def _leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("planlayers-import-*")}


def test_cli_never_shows_a_traceback(tmp_path: Path):
    """``planlayers import --json`` over every generated file (limits are not patched here)."""
    jobs = []
    for c in CASES:
        folder = tmp_path / c.name
        folder.mkdir()
        path = c.build(folder)
        args = [*_planlayers(), "import", str(path), "--json"] + (["--crs", c.crs] if c.crs else [])
        jobs.append((c, args))

    def run(job):
        c, args = job
        return c, subprocess.run(args, capture_output=True, text=True, timeout=60, cwd=tmp_path)

    before_tmp = _leftovers()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, jobs))
    assert _leftovers() - before_tmp == set(), "a planlayers-import-* folder was left behind"
    for c, out in results:
        assert out.returncode in (0, 1), (c.name, out.returncode, out.stderr[-2000:])
        assert "Traceback" not in out.stdout and "Traceback" not in out.stderr, (c.name, out.stderr[-2000:])
        report = json.loads(out.stdout)
        assert {"ok", "features", "crs", "warnings", "error"} <= set(report), c.name
        assert out.returncode == (0 if report["ok"] else 1), c.name
        if not c.patch:  # the same answer as the in-process import
            assert report["ok"] is (c.refused is None), (c.name, report)


def test_nothing_written_outside_tmp_path(tmp_path: Path):
    def names(folder: Path) -> set[str]:
        return {str(p.relative_to(folder)) for p in folder.rglob("*")}

    inputs = tmp_path / "in"
    built = []
    for c in CASES:
        folder = inputs / c.name
        folder.mkdir(parents=True)
        built.append((c, c.build(folder)))
    cwd = Path.cwd()
    evil = Path(tempfile.gettempdir(), "evil.shp")
    before_cwd, before_in, before_tmp, before_evil = set(os.listdir(cwd)), names(inputs), _leftovers(), evil.exists()
    for c, path in built:
        with pytest.MonkeyPatch.context() as mp:
            for key, value in c.patch.items():
                mp.setattr(importer, key, value)
            import_file(path, crs=c.crs)
    assert set(os.listdir(cwd)) == before_cwd
    assert names(inputs) == before_in
    assert _leftovers() - before_tmp == set(), "a planlayers-import-* folder was left behind"
    assert evil.exists() == before_evil  # no zip entry escaped
    assert not (tmp_path / "evil.shp").exists() and not (inputs / "evil.shp").exists()
