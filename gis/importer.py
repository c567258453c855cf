"""``planlayers import``: planners' own files, read safely, with a clear answer for every bad input.

Accepted: GeoJSON, zipped Shapefile (GBK / GB18030 .dbf without .cpg included), GeoPackage,
KML / KMZ, and CSV / XLSX with longitude and latitude columns. Everything is read inside a
temporary folder that is removed afterwards; archives are checked before anything is
extracted (entry count, sizes, compression ratio, paths escaping the folder, links). Files
are parsed by GDAL (through fiona) or the csv / openpyxl readers, never executed, and every
attribute value stays text: the map builds popups with ``textContent``.

The result is a WGS84 FeatureCollection plus a report ``{ok, features, crs, warnings, error}``.
"""

from __future__ import annotations

import csv
import io
import math
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import shapely
from shapely.geometry import mapping, shape

from gis import crs as crsmod

# -- limits (stated in the README) ----------------------------------------------------------
MAX_FILE_BYTES = 50 * 2**20          # the uploaded file itself
MAX_UNZIPPED_BYTES = 200 * 2**20     # everything an archive would expand to
MAX_ZIP_ENTRIES = 2000
MAX_COMPRESSION_RATIO = 200          # per entry: larger is treated as a zip bomb
MAX_FEATURES = 100_000
MAX_VERTICES = 2_000_000             # all geometries together
MAX_FIELDS = 200
MAX_VALUE_CHARS = 10_000
CHINA_BOX = (73.0, 18.0, 135.5, 54.0)
REGION_BOX = (116.0, 29.0, 122.5, 35.3)
FORMATS = {".geojson": "geojson", ".json": "geojson", ".zip": "shapefile zip", ".gpkg": "geopackage",
           ".kml": "kml", ".kmz": "kmz", ".csv": "csv", ".xlsx": "xlsx"}
_FORMAT_NAMES = {".geojson": "GeoJSON file", ".json": "GeoJSON file", ".gpkg": "GeoPackage", ".kml": "KML file",
                 ".shp": "Shapefile"}
LON_NAMES = ("lon", "lng", "long", "longitude", "x", "经度", "东经", "gcj_lng", "bd_lng", "wgs_lng")
LAT_NAMES = ("lat", "latitude", "y", "纬度", "北纬", "gcj_lat", "bd_lat", "wgs_lat")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportError_(ValueError):
    """A file that cannot be imported; the message says why in one sentence."""


@dataclass
class ImportReport:
    ok: bool
    features: int = 0
    crs: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    format: str | None = None
    geometry_types: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportedLayer:
    name: str
    report: ImportReport
    collection: dict[str, Any] | None


# -- archives -------------------------------------------------------------------------------
def safe_extract(archive: Path, dest: Path, wanted: tuple[str, ...] | None = None) -> list[Path]:
    """Extract a zip only after checking every entry; returns the extracted files.

    Refuses: unreadable archives, too many entries, paths that are absolute or climb out of
    ``dest``, symbolic links, an expanded size over the limit, and compression ratios that
    only a zip bomb has.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportError_(f"not a readable zip archive ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise ImportError_(f"the archive has {len(infos)} entries (limit {MAX_ZIP_ENTRIES})")
        total = 0
        chosen = []
        for info in infos:
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[a-zA-Z]:", name):
                raise ImportError_(f"the archive entry {name!r} points outside the archive folder")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise ImportError_(f"the archive entry {name!r} is a symbolic link")
            if info.is_dir():
                continue
            total += info.file_size
            if total > MAX_UNZIPPED_BYTES:
                raise ImportError_(f"the archive expands to more than {MAX_UNZIPPED_BYTES // 2**20} MB")
            if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
                raise ImportError_(f"the archive entry {name!r} is compressed {info.file_size // info.compress_size}:1 "
                                   "(a zip bomb?)")
            if wanted is None or name.lower().endswith(wanted):
                chosen.append(info)
        out = []
        for info in chosen:
            target = (dest / PurePosixPath(info.filename.replace("\\", "/")).name)
            if target.resolve().parent != dest.resolve():
                raise ImportError_(f"the archive entry {info.filename!r} points outside the archive folder")
            if info.flag_bits & 0x1:
                raise ImportError_(f"the archive entry {info.filename!r} is encrypted (password protected)")
            try:
                with zf.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(_limited(src, info.file_size), dst)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
                # damaged data (bad CRC, truncated stream) or a compression method zipfile does not know
                raise ImportError_(f"the archive entry {info.filename!r} cannot be extracted ({exc})") from None
            out.append(target)
        return out


class _limited(io.RawIOBase):
    """A reader that stops at the size the zip header declared (a lying header cannot expand further)."""

    def __init__(self, raw, limit: int):
        self.raw, self.left = raw, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        if self.left <= 0:
            return 0
        data = self.raw.read(min(len(buf), self.left))
        self.left -= len(data)
        buf[: len(data)] = data
        return len(data)


# -- readers --------------------------------------------------------------------------------
def _clean_value(value: Any, report: ImportReport) -> Any:
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    text = _CONTROL_RE.sub("", str(value))
    if len(text) > MAX_VALUE_CHARS:
        if not any("cut to" in w for w in report.warnings):
            report.warnings.append(f"attribute values longer than {MAX_VALUE_CHARS} characters were cut to that length")
        text = text[:MAX_VALUE_CHARS]
    return text


def _dbf_encoding(dbf: Path) -> str:
    """UTF-8 when the .dbf's text decodes as UTF-8, else GB18030 (Chinese ArcGIS writes GBK)."""
    data = dbf.read_bytes()
    if len(data) < 32:
        return "utf-8"
    header_len = int.from_bytes(data[8:10], "little")
    try:
        data[header_len:].decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _read_ogr(path: Path, report: ImportReport, layer: str | int | None = None,
              encoding: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """Features (as dicts) and the declared CRS (EPSG:n or WKT), read by GDAL through fiona."""
    import fiona
    from fiona.errors import FionaError

    fiona.drvsupport.supported_drivers.setdefault("KML", "r")  # GDAL reads KML; fiona lists it off by default
    fiona.drvsupport.supported_drivers.setdefault("LIBKML", "r")
    kwargs: dict[str, Any] = {}
    if encoding:
        kwargs["encoding"] = encoding
    try:
        layers = fiona.listlayers(path)
    except (FionaError, OSError, ValueError):
        raise ImportError_(f"GDAL cannot read it: not a valid {_FORMAT_NAMES.get(path.suffix.lower(), 'file')} "
                           "(truncated, damaged or of another type)") from None
    if not layers:
        raise ImportError_("the file holds no layers")
    names = [layer] if layer is not None else layers
    feats: list[dict[str, Any]] = []
    declared = None
    for name in names:
        try:
            with fiona.open(path, layer=name, **kwargs) as src:
                if src.schema.get("geometry") in (None, "None") and layer is None and len(names) > 1:
                    continue  # an attribute-only table (e.g. a GeoPackage's layer_styles)
                if src.crs:
                    epsg = src.crs.to_epsg()
                    declared = declared or (f"EPSG:{epsg}" if epsg else src.crs.to_wkt())
                if len(src.schema["properties"]) > MAX_FIELDS:
                    raise ImportError_(f"the layer has {len(src.schema['properties'])} fields (limit {MAX_FIELDS})")
                for i, f in enumerate(src):
                    if len(feats) >= MAX_FEATURES:
                        raise ImportError_(f"the file has more than {MAX_FEATURES} features")
                    feats.append({"geometry": f.geometry.__geo_interface__ if f.geometry else None,
                                  "properties": dict(f.properties or {})})
        except ImportError_:
            raise
        except (FionaError, OSError, ValueError, KeyError, UnicodeDecodeError, TypeError) as exc:
            message = str(exc).splitlines()[0][:160].replace(str(path.parent), "…") if str(exc) else type(exc).__name__
            raise ImportError_(f"GDAL cannot read layer {str(name)[:60]!r} ({message})") from None
    if len(names) > 1:
        report.warnings.append(f"{len(names)} layers read together: {', '.join(map(str, names))[:200]}")
    return feats, declared


def _read_table(rows: list[dict[str, Any]], report: ImportReport) -> list[dict[str, Any]]:
    """Points from a table with longitude/latitude columns."""
    if not rows:
        raise ImportError_("the table has no rows")
    columns = list(rows[0])
    if len(columns) > MAX_FIELDS:
        raise ImportError_(f"the table has {len(columns)} columns (limit {MAX_FIELDS})")

    def find(names: tuple[str, ...]) -> str | None:
        lowered = {str(c).strip().lower(): c for c in columns if c is not None}
        return next((lowered[n] for n in names if n in lowered), None)

    lon_col, lat_col = find(LON_NAMES), find(LAT_NAMES)
    if not lon_col or not lat_col:
        raise ImportError_(f"no longitude/latitude columns (looked for {', '.join(LON_NAMES[:4])} / "
                           f"{', '.join(LAT_NAMES[:3])}, 经度 / 纬度); columns are: {', '.join(map(str, columns))[:200]}")
    feats, skipped = [], 0
    for row in rows:
        try:
            x, y = float(str(row[lon_col]).strip()), float(str(row[lat_col]).strip())
            if not (math.isfinite(x) and math.isfinite(y)):
                raise ValueError
        except (TypeError, ValueError):
            skipped += 1
            continue
        props = {str(k): v for k, v in row.items() if k not in (lon_col, lat_col) and k is not None}
        feats.append({"geometry": {"type": "Point", "coordinates": [x, y]}, "properties": props})
    if skipped:
        report.warnings.append(f"{skipped} rows without a numeric longitude/latitude were skipped")
    if not feats:
        raise ImportError_("no row has a numeric longitude and latitude")
    return feats


def _read_csv(path: Path, report: ImportReport) -> list[dict[str, Any]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ImportError_("the CSV is neither UTF-8 nor GB18030 text")
    if encoding == "gb18030":
        report.warnings.append("the CSV is not UTF-8: read as GB18030 (GBK)")
    if "\x00" in text:
        raise ImportError_("the CSV contains binary data")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    if len(rows) > MAX_FEATURES:
        raise ImportError_(f"the table has more than {MAX_FEATURES} rows")
    return _read_table(rows, report)


def _read_xlsx(path: Path, report: ImportReport, tmp: Path) -> list[dict[str, Any]]:
    safe_extract(path, tmp, wanted=())  # checks the archive (bomb, paths) without extracting anything
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on malformed workbooks
        raise ImportError_(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = next(it, None)
        if not header:
            raise ImportError_("the first sheet is empty")
        rows = []
        for values in it:
            if len(rows) >= MAX_FEATURES:
                raise ImportError_(f"the sheet has more than {MAX_FEATURES} rows")
            rows.append({str(h) if h is not None else f"column{i + 1}": v for i, (h, v) in enumerate(zip(header, values))})
    finally:
        wb.close()
    if len(wb.worksheets) > 1:
        report.warnings.append(f"only the first of {len(wb.worksheets)} sheets was read")
    return _read_table(rows, report)


# -- CRS --------------------------------------------------------------------------------------
def _first_xy(features: list[dict[str, Any]]) -> list[tuple[float, float]]:
    pts = []
    for f in features[:200]:
        try:
            geom = shape(f["geometry"])
        except Exception:  # malformed geometry dicts are handled later
            continue
        if not geom.is_empty:
            pts.append((geom.representative_point().x, geom.representative_point().y))
    return pts


def guess_crs(features: list[dict[str, Any]], report: ImportReport) -> str:
    """The source CRS for undeclared coordinates: degrees, or CGCS2000 Gauss-Kruger with or without zone."""
    pts = _first_xy(features)
    if not pts:
        return crsmod.WGS84
    xs = sorted(p[0] for p in pts)
    ys = sorted(p[1] for p in pts)
    x, y = xs[len(xs) // 2], ys[len(ys) // 2]
    if -180 <= x <= 180 and -90 <= y <= 90:
        return crsmod.WGS84
    if 1e7 <= x < 1e8 and 1e6 <= y < 1e7:
        zone = int(x // 1e6)
        if 25 <= zone <= 45:
            report.warnings.append(f"no CRS declared: eastings carry zone {zone} in front, read as CGCS2000 / "
                                   f"3-degree Gauss-Kruger zone {zone} (EPSG:{4513 + zone - 25})")
            return f"EPSG:{4513 + zone - 25}"
    if 1e5 <= x < 1e6 and 1e6 <= y < 1e7:
        report.warnings.append("no CRS declared: metric coordinates without a zone, read as CGCS2000 / 3-degree "
                               "Gauss-Kruger CM 120E (EPSG:4549), which covers the five jurisdictions; pass --crs "
                               "for another central meridian")
        return crsmod.CGCS2000_GK_120E
    raise ImportError_(f"the coordinates (e.g. {x:.1f}, {y:.1f}) are neither degrees nor CGCS2000 Gauss-Kruger "
                       "metres, and the file declares no CRS: pass --crs")


def _to_wgs84(features: list[dict[str, Any]], source: str, report: ImportReport) -> None:
    if source in (crsmod.WGS84, "EPSG:4326"):
        return
    func = crsmod.xy_func(source, crsmod.WGS84)

    def apply(coords):
        x, y = func(coords[:, 0], coords[:, 1])
        import numpy as np

        return np.column_stack([x, y])

    for f in features:
        if f["geometry"] is not None:
            try:
                geom = shape(f["geometry"])
            except Exception:  # a malformed geometry is left as it is: _finish leaves it out
                continue
            f["geometry"] = mapping(shapely.transform(geom, apply))


# -- the whole import ---------------------------------------------------------------------------
def import_file(path: str | Path, crs: str | None = None, name: str | None = None) -> ImportedLayer:
    """Read one file; never raises for bad input (the report says what went wrong)."""
    path = Path(path)
    report = ImportReport(ok=False)
    try:
        collection = _import(path, crs, report)
        report.ok = True
        return ImportedLayer(name or path.stem, report, collection)
    except ImportError_ as exc:
        report.error = str(exc)
    except MemoryError:
        report.error = "the file is too large to read in memory"
    except RecursionError:
        report.error = "the file nests too deeply to read"
    return ImportedLayer(name or path.stem, report, None)


def _import(path: Path, crs: str | None, report: ImportReport) -> dict[str, Any]:
    if not path.exists():  # the path itself is left out of messages: callers show it (the CLI does)
        raise ImportError_("no such file")
    if not path.is_file():
        raise ImportError_("not a regular file (a folder?)")
    size = path.stat().st_size
    if size == 0:
        raise ImportError_("the file is empty")
    if size > MAX_FILE_BYTES:
        raise ImportError_(f"the file is {size / 2**20:.0f} MB (limit {MAX_FILE_BYTES // 2**20} MB)")
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ImportError_(f"unsupported file type {path.suffix or '(none)'}: use {', '.join(sorted(set(FORMATS)))}")
    report.format = kind
    try:
        user_crs = crsmod.normalize_crs(crs) if crs else None
    except crsmod.CRSError as exc:
        raise ImportError_(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="planlayers-import-") as tmp_name:
        tmp = Path(tmp_name)
        declared = None
        if kind in ("geojson", "kml"):
            head = path.read_bytes()[:64].lstrip()
            if kind == "geojson" and not head.startswith((b"{", b"[", b"\xef\xbb\xbf")):
                raise ImportError_("this is not JSON text")
            copy = tmp / f"data{path.suffix.lower()}"
            shutil.copyfile(path, copy)
            features, declared = _read_ogr(copy, report)
        elif kind == "geopackage":
            if path.read_bytes()[:16] != b"SQLite format 3\x00":
                raise ImportError_("this is not a GeoPackage (SQLite) file")
            copy = tmp / "data.gpkg"
            shutil.copyfile(path, copy)
            features, declared = _read_ogr(copy, report)
        elif kind == "kmz":
            kmls = safe_extract(path, tmp, wanted=(".kml",))
            if not kmls:
                raise ImportError_("the KMZ holds no .kml document")
            features, declared = _read_ogr(kmls[0], report)
        elif kind == "shapefile zip":
            files = safe_extract(path, tmp, wanted=(".shp", ".shx", ".dbf", ".prj", ".cpg"))
            shps = [f for f in files if f.suffix.lower() == ".shp"]
            if not shps:
                raise ImportError_("the zip holds no .shp file")
            if len(shps) > 1:
                report.warnings.append(f"{len(shps)} shapefiles in the zip: {shps[0].name} was read")
            shp = shps[0]
            dbf = shp.with_suffix(".dbf") if shp.with_suffix(".dbf").exists() else next(
                (f for f in files if f.suffix.lower() == ".dbf" and f.stem == shp.stem), None)
            encoding = None
            cpg = next((f for f in files if f.suffix.lower() == ".cpg" and f.stem == shp.stem), None)
            if cpg is None and dbf is not None:
                encoding = _dbf_encoding(dbf)
                if encoding == "gb18030":
                    report.warnings.append("no .cpg beside the .dbf and its text is not UTF-8: read as GB18030 (GBK)")
            if not any(f.suffix.lower() == ".prj" for f in files):
                report.warnings.append("no .prj: the coordinate system was inferred from the coordinates")
            features, declared = _read_ogr(shp, report, encoding=encoding)
        elif kind == "csv":
            features = _read_csv(path, report)
        else:
            features = _read_xlsx(path, report, tmp)
    if not features:
        raise ImportError_("the file holds no features")
    return _finish(features, declared, user_crs, report)


def _finish(features: list[dict[str, Any]], declared: str | None, user_crs: str | None,
            report: ImportReport) -> dict[str, Any]:
    if user_crs:
        if declared and declared not in (user_crs, "EPSG:4326") and user_crs not in crsmod.OFFSET_SYSTEMS:
            report.warnings.append(f"the file declares {declared[:60]}; --crs {user_crs} was used instead")
        source = user_crs
    elif declared:
        source = declared
        pts = _first_xy(features)
        try:
            projected = not crsmod.CRS.from_user_input(declared).is_geographic
        except Exception:  # an unreadable declaration: fall back to the coordinates
            report.warnings.append("the declared CRS cannot be read: inferred from the coordinates instead")
            source, projected = guess_crs(features, report), False
        in_degrees = [-180 <= x <= 180 and -90 <= y <= 90 for x, y in pts]
        if projected and pts and all(in_degrees):
            report.warnings.append("the file declares a projected CRS but its coordinates look like degrees: "
                                   "read as WGS84 longitude/latitude")
            source = crsmod.WGS84
        elif source == declared and not projected and pts and not any(in_degrees):
            # GDAL reports EPSG:4326 for every GeoJSON, with or without a "crs" member
            report.warnings.append(f"the coordinates are not degrees although the file is read as {declared[:60]}: "
                                   "the CRS was inferred from them")
            source = guess_crs(features, report)
    else:
        source = guess_crs(features, report)
    report.crs = source if len(source) < 40 else "custom (WKT)"
    try:
        _to_wgs84(features, source, report)
    except Exception as exc:  # pyproj errors on exotic definitions
        raise ImportError_(f"the coordinates cannot be converted from {report.crs} ({type(exc).__name__})") from None
    out, repaired, dropped, vertices, types = [], 0, 0, 0, set()
    for i, f in enumerate(features):
        if f["geometry"] is None:
            dropped += 1
            continue
        try:
            geom = shape(f["geometry"])
        except Exception:  # malformed coordinates
            dropped += 1
            continue
        if geom.is_empty:
            dropped += 1
            continue
        coords = shapely.get_coordinates(geom, include_z=geom.has_z)  # NaN / Infinity first: GEOS cannot repair them
        if not (coords.size and all(map(math.isfinite, coords.ravel()))):
            dropped += 1
            continue
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
            repaired += 1
        vertices += shapely.get_num_coordinates(geom)
        if vertices > MAX_VERTICES:
            raise ImportError_(f"the geometries have more than {MAX_VERTICES} vertices in all")
        types.add(geom.geom_type)
        props = {str(k)[:64]: _clean_value(v, report) for k, v in list(f["properties"].items())[:MAX_FIELDS]}
        out.append({"type": "Feature", "geometry": mapping(geom), "properties": props})
    if not out:
        raise ImportError_("no feature has a usable geometry")
    if repaired:
        report.warnings.append(f"{repaired} invalid geometries were repaired (shapely make_valid)")
    if dropped:
        report.warnings.append(f"{dropped} features without a usable geometry were left out")
    if len(types) > 1:
        report.warnings.append(f"mixed geometry types: {', '.join(sorted(types))}")
    box = shapely.box(*CHINA_BOX)
    bounds = shapely.union_all([shape(f["geometry"]).envelope for f in out[:5000]]).bounds
    if not box.intersects(shapely.box(*bounds)):
        report.warnings.append(f"the features lie outside China (bounds {bounds[0]:.2f}, {bounds[1]:.2f} – "
                               f"{bounds[2]:.2f}, {bounds[3]:.2f}): check the CRS")
    elif not shapely.box(*REGION_BOX).intersects(shapely.box(*bounds)):
        report.warnings.append("the features lie outside the map region (southern Jiangsu)")
    report.features = len(out)
    report.geometry_types = sorted(types)
    return {"type": "FeatureCollection", "features": out}
