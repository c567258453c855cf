"""``planlayers export``: the layers in the formats planners finish their work in.

Every format is written into a temporary folder beside the target and moved into place only
when complete, so a failed export leaves nothing half-written; an existing file is kept
unless ``overwrite`` is given. Output is reproducible: fixed timestamps, sorted content.

Tables: each plan becomes up to three tables, one per geometry family (``<plan>_polygons``,
``_lines``, ``_points``), because GeoPackage, Shapefile and QGIS styles are per geometry type;
the jurisdictions and neighbouring counties come along as boundary tables.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import tempfile
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import geopandas as gpd
import pandas as pd
from shapely.geometry import shape

from gis import crs as crsmod
from gis.boundaries import county_features, jurisdiction_features
from gis.catalogue import catalogue
from gis.io import read_geojson
from gis.paths import LAYERS
from gis.schema import JURISDICTIONS, KINDS

FORMATS = ("gpkg", "qgz", "shp", "geojson", "csv", "kml", "kmz")
DEFAULT_CRS = {"qgz": "EPSG:4549"}
#: output CRSs offered (GCJ-02 / BD-09 keep the EPSG:4326 tag: the offset is in the numbers)
CRS_CHOICES = ("EPSG:4326", "EPSG:4490", "EPSG:4549", "gcj02", "bd09")
FIXED_TIME = "2021-01-01T00:00:00.000Z"
FAMILY_OF = {"Polygon": "polygons", "MultiPolygon": "polygons", "LineString": "lines",
             "MultiLineString": "lines", "Point": "points", "MultiPoint": "points"}
FAMILY_ZH = {"polygons": "面", "lines": "线", "points": "点"}
#: Shapefile field names (10 characters at most), one fixed mapping documented in each zip
SHP_FIELDS = {
    "id": "id", "key": "key", "name": "name", "name_en": "name_en", "jurisdiction": "juris", "plan": "plan",
    "plan_title": "plan_title", "period": "period", "structure": "structure", "element": "element", "kind": "kind",
    "status": "status", "status_text": "status_txt", "members": "members", "source": "source", "lines": "lines",
    "quote": "quote", "citations": "citations", "geometry_method": "geom_meth", "accuracy": "accuracy",
    "basis": "basis", "crosses_boundary": "cross_bnd", "outside_jurisdiction": "outside_j",
    "adcode": "adcode", "level": "level", "parent": "parent", "role": "role", "area_km2": "area_km2", "licence": "licence",
}


class ExportError(ValueError):
    """Bad arguments or an impossible export: one clear line for the user."""


@dataclass
class Table:
    name: str            # ascii table / file name
    title: str           # display name (Chinese)
    plan_title: str
    jurisdiction: str
    family: str
    gdf: gpd.GeoDataFrame
    boundary: bool = False

    @property
    def categories(self) -> list[tuple[str, str | None]]:
        seen = dict.fromkeys((k, s if isinstance(s, str) and s else None) for k, s in zip(self.gdf["kind"], self.gdf["status"]))
        return list(seen)


# -- selection ----------------------------------------------------------------------------
def _flatten(props: dict[str, Any]) -> dict[str, Any]:
    """Lists and dicts become text: every format here stores flat attributes."""
    out = {}
    for key, value in props.items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[key] = "、".join(value)
        elif isinstance(value, (list, dict)):
            out[key] = json.dumps(value, ensure_ascii=False)
        else:
            out[key] = value
    return out


def _gdf(features: list[dict[str, Any]], target: str) -> gpd.GeoDataFrame:
    rows = [_flatten(f["properties"]) for f in features]
    gdf = gpd.GeoDataFrame(rows, geometry=[shape(f["geometry"]) for f in features], crs=crsmod.WGS84)
    return crsmod.from_wgs84(gdf, target) if target != crsmod.WGS84 else gdf


def imported_tables(extra: dict[str, dict[str, Any]], target_crs: str) -> list[Table]:
    """Tables for imported layers (name -> WGS84 FeatureCollection), styled as ``imported``."""
    tables = []
    for i, (name, collection) in enumerate(extra.items()):
        for family in ("polygons", "lines", "points"):
            part = [f for f in collection["features"] if FAMILY_OF.get(f["geometry"]["type"]) == family]
            if part:
                gdf = _gdf(part, target_crs)
                gdf["kind"], gdf["status"] = "imported", None
                tables.append(Table(name=f"imported_{i + 1}_{family}", title=f"导入 {name}（{FAMILY_ZH[family]}）",
                                    plan_title=f"导入 {name}", jurisdiction="导入 imported", family=family, gdf=gdf))
    return tables


def select_tables(target_crs: str, jurisdictions: list[str] | None = None, plans: list[str] | None = None,
                  kinds: list[str] | None = None, with_boundaries: bool = True) -> list[Table]:
    """The tables of an export, in plan order then geometry family; boundaries last."""
    infos = catalogue()
    known_plans = {i.name for i in infos}
    for j in jurisdictions or []:
        if j not in JURISDICTIONS:
            raise ExportError(f"unknown jurisdiction {j!r}: one of {', '.join(JURISDICTIONS)}")
    for p in plans or []:
        if p not in known_plans:
            raise ExportError(f"unknown plan {p!r}: one of {', '.join(sorted(known_plans))}")
    for k in kinds or []:
        if k not in KINDS:
            raise ExportError(f"unknown kind {k!r}: one of {', '.join(KINDS)}")
    tables: list[Table] = []
    for info in infos:
        if jurisdictions and info.jurisdiction not in jurisdictions or plans and info.name not in plans:
            continue
        feats = [f for f in read_geojson(LAYERS / f"{info.name}.geojson")["features"]
                 if not kinds or f["properties"]["kind"] in kinds]
        for family in ("polygons", "lines", "points"):
            part = [f for f in feats if FAMILY_OF[f["geometry"]["type"]] == family]
            if part:
                tables.append(Table(
                    name=f"{info.name.replace('-', '_')}_{family}", title=f"{info.title}（{FAMILY_ZH[family]}）",
                    plan_title=info.title, jurisdiction=info.jurisdiction, family=family, gdf=_gdf(part, target_crs)))
    if not tables:
        raise ExportError("the selection is empty: no feature matches --jurisdiction / --plan / --kind")
    if with_boundaries:
        juris = [f for f in jurisdiction_features() if not jurisdictions or f["properties"]["name"] in jurisdictions
                 or f["properties"]["name"] == "无锡市" and "江阴市" in jurisdictions]
        context = [f for f in county_features() if f["properties"]["role"] != "jurisdiction"]
        for name, title, feats in (("jurisdictions", "行政边界 jurisdictions", juris),
                                   ("counties", "区县 county-level units", context)):
            if feats:
                tables.append(Table(name, title, "", "", "polygons", _gdf(feats, target_crs), boundary=True))
    return tables


# -- atomic output ------------------------------------------------------------------------
@contextmanager
def staging(outputs: list[Path], overwrite: bool) -> Iterator[Path]:
    """A temporary folder beside the outputs; its files replace the outputs only on success."""
    for out in outputs:
        if out.exists() and not overwrite:
            raise ExportError(f"{out} exists: pass --overwrite to replace it")
        if not out.parent.is_dir():
            raise ExportError(f"folder {out.parent} does not exist")
    tmp = Path(tempfile.mkdtemp(prefix=".planlayers-export-", dir=outputs[0].parent))
    try:
        yield tmp
        for out in outputs:
            os.replace(tmp / out.name, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _epsg_tag(target: str) -> str:
    return crsmod.WGS84 if target in crsmod.OFFSET_SYSTEMS else target


# -- writers ------------------------------------------------------------------------------
LAYER_STYLES_SQL = """
CREATE TABLE layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME)
"""


def write_gpkg(tables: list[Table], path: Path, lang: str = "zh") -> None:
    """One table per layer, each with its QGIS style as the default in ``layer_styles``."""
    from gis import qgis

    os.environ["OGR_CURRENT_DATE"] = FIXED_TIME  # reproducible gpkg_contents.last_change
    for i, table in enumerate(tables):
        # GeoPackage 1.2: what the GDAL inside Debian's QGIS 3.22 fully supports
        options = {"dataset_options": {"VERSION": "1.2"}} if i == 0 else {}
        table.gdf.to_file(path, layer=table.name, driver="GPKG", **options)
    with sqlite3.connect(path) as db:
        db.execute(LAYER_STYLES_SQL)
        db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                   "VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS default styles', ?)", (FIXED_TIME,))
        for table in tables:
            rend = (qgis.boundary_renderer(table.gdf["name"], context=table.name == "counties") if table.boundary
                    else qgis.renderer(table.family, table.categories, lang))
            style = qgis.qml(table.family, rend, with_labels=not table.boundary)
            db.execute("INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                       "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) "
                       "VALUES ('', '', ?, 'geom', ?, ?, '', 1, ?, 'planlayers', '', ?)",
                       (table.name, f"planlayers {table.name}", style, table.title, FIXED_TIME))


def write_qgz(tables: list[Table], path: Path, gpkg_name: str, crs_authid: str, lang: str = "zh") -> None:
    """A project opening every table from the GeoPackage beside it, grouped jurisdiction -> plan."""
    from gis import qgis

    groups: list[tuple[str, list[tuple[str, list[dict]]]]] = []
    for juris in [*JURISDICTIONS, "导入 imported"]:
        plans: dict[str, list[dict]] = {}
        for t in tables:
            if not t.boundary and t.jurisdiction == juris:
                plans.setdefault(t.plan_title, []).append(
                    {"table": t.name, "name": t.title, "family": t.family, "labels": True,
                     "renderer": qgis.renderer(t.family, t.categories, lang)})
        if plans:
            groups.append((juris, list(plans.items())))
    bounds = [{"table": t.name, "name": t.title, "family": t.family,
               "renderer": qgis.boundary_renderer(t.gdf["name"], context=t.name == "counties")}
              for t in tables if t.boundary]
    xml = qgis.project("planlayers 苏南规划图层", gpkg_name, crs_authid, groups, bounds)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        _zip_write(z, f"{path.stem}.qgs", xml.encode("utf-8"))


def _zip_write(z: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    z.writestr(info, data)


def write_shp_zip(tables: list[Table], path: Path, work: Path) -> None:
    """Shapefiles (UTF-8 with .cpg) in a zip, with the field-name mapping and the untruncated attributes."""
    shp_dir = work / "shp"
    shp_dir.mkdir()
    for table in tables:
        gdf = table.gdf.rename(columns={c: SHP_FIELDS.get(c, c[:10]) for c in table.gdf.columns if c != "geometry"})
        with warnings.catch_warnings():  # .dbf text is cut at 254 bytes: documented, attributes.csv is whole
            warnings.filterwarnings("ignore", message=".*truncated to 254 characters.*")
            gdf.to_file(shp_dir / f"{table.name}.shp", driver="ESRI Shapefile", encoding="UTF-8")
        cpg = shp_dir / f"{table.name}.cpg"
        if not cpg.exists():
            cpg.write_text("UTF-8", encoding="ascii")
    mapping = io.StringIO()
    w = csv.writer(mapping)
    w.writerow(["field", "shapefile_field", "note"])
    for full, short in SHP_FIELDS.items():
        w.writerow([full, short, "text longer than 254 bytes is cut in the .dbf; attributes.csv has it whole"])
    readme = ("planlayers Shapefile export. Encoding UTF-8 (.cpg beside each .shp). Field names are shortened to "
              "10 characters as listed in fields.csv; attributes.csv holds every attribute untruncated.\n")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(shp_dir.iterdir()):
            _zip_write(z, f.name, f.read_bytes())
        _zip_write(z, "fields.csv", ("\ufeff" + mapping.getvalue()).encode("utf-8"))
        _zip_write(z, "attributes.csv", _csv_bytes(tables))
        _zip_write(z, "README.txt", readme.encode("utf-8"))


def _csv_bytes(tables: list[Table]) -> bytes:
    """All attributes with a representative point (x, y in the export CRS); UTF-8 with BOM for Excel."""
    frames = [t for t in tables if not t.boundary]
    columns: list[str] = []
    for t in frames:
        columns += [c for c in t.gdf.columns if c != "geometry" and c not in columns]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([*columns, "x", "y", "geometry_type"])
    for t in frames:
        for _, row in t.gdf.iterrows():
            pt = row.geometry.representative_point()
            values = ["" if pd.isna(row.get(c)) else row.get(c) for c in columns]
            w.writerow([*values, f"{pt.x:.6f}", f"{pt.y:.6f}", row.geometry.geom_type])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_geojson(tables: list[Table], path: Path, target: str) -> None:
    feats = []
    for t in tables:
        if t.boundary:
            continue
        for feat in json.loads(t.gdf.to_json(drop_id=True))["features"]:
            feats.append(feat)
    body: dict[str, Any] = {"type": "FeatureCollection", "features": feats}
    if target not in (crsmod.WGS84, crsmod.CGCS2000) or target in crsmod.OFFSET_SYSTEMS:
        body["crs_note"] = (f"coordinates in {target}: not RFC 7946 WGS84" if target not in crsmod.OFFSET_SYSTEMS
                            else f"lon/lat shifted to {target} for Amap/Baidu tools: not RFC 7946 WGS84")
        if target not in crsmod.OFFSET_SYSTEMS:
            body["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{target.split(':')[1]}"}}
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")


def _kml_colour(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"{round(alpha * 255):02x}{h[4:6]}{h[2:4]}{h[0:2]}"


def _kml_coords(coords) -> str:
    return " ".join(f"{x:.7f},{y:.7f}" for x, y, *_ in coords)


def _kml_geometry(geom) -> str:
    t = geom.geom_type
    if t == "Point":
        return f"<Point><coordinates>{geom.x:.7f},{geom.y:.7f}</coordinates></Point>"
    if t == "LineString":
        return f"<LineString><tessellate>1</tessellate><coordinates>{_kml_coords(geom.coords)}</coordinates></LineString>"
    if t == "Polygon":
        inner = "".join(f"<innerBoundaryIs><LinearRing><coordinates>{_kml_coords(r.coords)}</coordinates></LinearRing>"
                        f"</innerBoundaryIs>" for r in geom.interiors)
        return (f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{_kml_coords(geom.exterior.coords)}</coordinates>"
                f"</LinearRing></outerBoundaryIs>{inner}</Polygon>")
    return "<MultiGeometry>" + "".join(_kml_geometry(g) for g in geom.geoms) + "</MultiGeometry>"


def kml_text(tables: list[Table]) -> str:
    """KML with one folder per plan and the app's styles (colour by kind, width by status)."""
    from xml.sax.saxutils import escape

    from gis.style import style_for

    styles, folders = {}, []
    for t in tables:
        if t.boundary:
            continue
        marks = []
        for _, row in t.gdf.iterrows():
            sid = f"{row['kind']}-{row['status'] or 'none'}"
            st = style_for(row["kind"], row["status"] if isinstance(row["status"], str) else None)
            styles[sid] = (f"<Style id=\"{escape(sid)}\"><LineStyle><color>{_kml_colour(st.colour, 1)}</color>"
                           f"<width>{st.weight}</width></LineStyle><PolyStyle><color>{_kml_colour(st.colour, st.fill_opacity)}"
                           f"</color></PolyStyle><IconStyle><color>{_kml_colour(st.colour, 1)}</color></IconStyle></Style>")
            if t.jurisdiction == "导入 imported":
                desc = "\n".join(f"{c}: {row[c]}" for c in t.gdf.columns if c not in ("geometry", "kind", "status"))
            else:
                desc = (f"{row['structure']} · {row['element']}\n「{row['quote']}」\n{row['source']} 第 {row['lines']} 行\n"
                        f"accuracy: {row['accuracy']}")
            data = "".join(f"<Data name=\"{escape(c)}\"><value>{escape(str(row[c]))}</value></Data>"
                           for c in t.gdf.columns if c != "geometry" and row[c] is not None and row[c] == row[c])
            title = row["name"] if "name" in t.gdf.columns and row["name"] is not None else t.title
            marks.append(f"<Placemark><name>{escape(str(title))}</name><description>{escape(desc)}</description>"
                         f"<styleUrl>#{escape(sid)}</styleUrl><ExtendedData>{data}</ExtendedData>"
                         f"{_kml_geometry(row.geometry)}</Placemark>")
        folders.append(f"<Folder><name>{escape(t.title)}</name>{''.join(marks)}</Folder>")
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document>"
            "<name>planlayers 苏南规划图层</name>" + "".join(styles[k] for k in sorted(styles)) + "".join(folders)
            + "</Document></kml>\n")


# -- entry point --------------------------------------------------------------------------
def export(fmt: str, out: str | Path, target_crs: str | None = None, jurisdictions: list[str] | None = None,
           plans: list[str] | None = None, kinds: list[str] | None = None, overwrite: bool = False,
           lang: str = "zh", extra: dict[str, dict[str, Any]] | None = None) -> list[Path]:
    """Write one export; returns the files written. Raises ExportError with a clear message."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    try:
        target = crsmod.normalize_crs(target_crs or DEFAULT_CRS.get(fmt, crsmod.WGS84))
    except crsmod.CRSError as exc:
        raise ExportError(str(exc)) from None
    if target not in CRS_CHOICES:
        raise ExportError(f"unsupported CRS {target}: one of {', '.join(CRS_CHOICES)}")
    if fmt in ("kml", "kmz") and target not in (crsmod.WGS84, crsmod.CGCS2000, crsmod.GCJ02):
        raise ExportError("KML/KMZ hold longitude/latitude: use --crs EPSG:4326 (or gcj02 for 奥维 / Amap tools)")
    out = Path(out).expanduser().resolve()
    suffix = {"shp": ".zip"}.get(fmt, f".{fmt}")
    if out.suffix.lower() != suffix:
        raise ExportError(f"--out for {fmt} must end in {suffix}")
    tables = select_tables(target, jurisdictions, plans, kinds, with_boundaries=fmt in ("gpkg", "qgz", "shp"))
    if extra:  # imported layers go before the boundaries
        boundary = [t for t in tables if t.boundary]
        tables = [t for t in tables if not t.boundary] + imported_tables(extra, target) + boundary
    outputs = [out, out.with_suffix(".gpkg")] if fmt == "qgz" else [out]
    with staging(outputs, overwrite) as tmp:
        if fmt == "gpkg":
            write_gpkg(tables, tmp / out.name, lang)
        elif fmt == "qgz":
            write_gpkg(tables, tmp / outputs[1].name, lang)
            write_qgz(tables, tmp / out.name, outputs[1].name, _epsg_tag(target), lang)
        elif fmt == "shp":
            write_shp_zip(tables, tmp / out.name, tmp)
        elif fmt == "geojson":
            write_geojson(tables, tmp / out.name, target)
        elif fmt == "csv":
            (tmp / out.name).write_bytes(_csv_bytes(tables))
        elif fmt == "kml":
            (tmp / out.name).write_text(kml_text(tables), encoding="utf-8")
        elif fmt == "kmz":
            with zipfile.ZipFile(tmp / out.name, "w", zipfile.ZIP_DEFLATED) as z:
                _zip_write(z, "doc.kml", kml_text(tables).encode("utf-8"))
    return outputs
