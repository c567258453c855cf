"""QGIS styles (QML) and projects (.qgs inside .qgz) from the one style table.

A layer's QML is a categorised renderer on ``kind|status`` with a symbol per category made
from gis/styles.yaml (the same colours and dashes as the app), Chinese category labels and
Chinese name labels. The project file references GeoPackage tables by relative path, groups
them jurisdiction -> plan, puts the boundaries underneath and sets the project CRS.
"""

from __future__ import annotations

import uuid
import warnings
import xml.etree.ElementTree as ET
from typing import Iterable

from pyproj import CRS

from gis.style import jurisdiction_colour, style_for, table

#: the QGIS version the files are written for (Debian bookworm's); later versions read them
QGIS_VERSION = "3.22.16-Białowieża"
CATEGORY_EXPRESSION = "concat(\"kind\", '|', coalesce(\"status\", 'none'))"
PX_TO_MM = 0.26
#: geometry family -> (QML symbol type, QGIS layerGeometryType, project geometry name)
FAMILIES = {"polygons": ("fill", "2", "Polygon"), "lines": ("line", "1", "Line"), "points": ("marker", "0", "Point")}


def _rgba(hex_colour: str, alpha: float = 1.0) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(alpha * 255)}"


def _options(parent: ET.Element, values: dict[str, str]) -> None:
    opt = ET.SubElement(parent, "Option", type="Map")
    for key, value in values.items():
        ET.SubElement(opt, "Option", name=key, type="QString", value=value)
    for key, value in values.items():  # QGIS 3.22 also reads the older prop form
        ET.SubElement(parent, "prop", k=key, v=value)


def _symbol(family: str, name: str, colour: str, weight: float, dash: str, fill_opacity: float,
            opacity: float) -> ET.Element:
    symbol_type = FAMILIES[family][0]
    sym = ET.Element("symbol", type=symbol_type, name=name, alpha=f"{opacity:.2f}", clip_to_extent="1", force_rhr="0")
    dashed = bool(dash)
    customdash = ";".join(dash.split()) if dashed else "5;2"
    if symbol_type == "fill":
        layer = ET.SubElement(sym, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"})
        _options(layer, {"color": _rgba(colour, fill_opacity), "style": "solid", "outline_color": _rgba(colour),
                         "outline_style": "dash" if dashed else "solid", "outline_width": f"{weight * PX_TO_MM:.2f}",
                         "outline_width_unit": "MM", "joinstyle": "round"})
    elif symbol_type == "line":
        layer = ET.SubElement(sym, "layer", {"class": "SimpleLine", "enabled": "1", "locked": "0", "pass": "0"})
        _options(layer, {"line_color": _rgba(colour), "line_width": f"{weight * PX_TO_MM:.2f}", "line_width_unit": "MM",
                         "line_style": "solid", "use_custom_dash": "1" if dashed else "0", "customdash": customdash,
                         "customdash_unit": "Pixel", "capstyle": "round", "joinstyle": "round"})
    else:
        layer = ET.SubElement(sym, "layer", {"class": "SimpleMarker", "enabled": "1", "locked": "0", "pass": "0"})
        _options(layer, {"name": "circle", "color": _rgba(colour, max(fill_opacity, 0.8)), "outline_color": "255,255,255,255",
                         "outline_width": "0.3", "outline_width_unit": "MM", "size": "3", "size_unit": "MM"})
    return sym


def renderer(family: str, categories: Iterable[tuple[str, str | None]], lang: str = "zh") -> ET.Element:
    """A categorised renderer with one symbol per (kind, status) present in the layer."""
    rend = ET.Element("renderer-v2", type="categorizedSymbol", attr=CATEGORY_EXPRESSION, symbollevels="0",
                      enableorderby="0", forceraster="0", referencescale="-1")
    cats = ET.SubElement(rend, "categories")
    syms = ET.SubElement(rend, "symbols")
    for i, (kind, status) in enumerate(categories):
        st = style_for(kind, status)
        ET.SubElement(cats, "category", symbol=str(i), value=f"{kind}|{status or 'none'}",
                      label=st.label_zh if lang == "zh" else st.label_en, render="true")
        syms.append(_symbol(family, str(i), st.colour, st.weight, st.dash, st.fill_opacity, st.opacity))
    ET.SubElement(rend, "source-symbol").append(_symbol(family, "0", "#737373", 1.5, "", 0.2, 1.0))
    return rend


def boundary_renderer(names: Iterable[str], context: bool = False) -> ET.Element:
    """Boundaries: one outline per jurisdiction in its app colour; neighbours thin and grey."""
    rend = ET.Element("renderer-v2", type="categorizedSymbol", attr="name", symbollevels="0",
                      enableorderby="0", forceraster="0", referencescale="-1")
    cats = ET.SubElement(rend, "categories")
    syms = ET.SubElement(rend, "symbols")
    ctx = table()["context"]
    for i, name in enumerate(names):
        ET.SubElement(cats, "category", symbol=str(i), value=name, label=name, render="true")
        if context:
            syms.append(_symbol("polygons", str(i), ctx["colour"], ctx["weight"], "", ctx["fill_opacity"], 1.0))
        else:
            syms.append(_symbol("polygons", str(i), jurisdiction_colour(name), 2.5, "", 0.03, 1.0))
    ET.SubElement(rend, "source-symbol").append(_symbol("polygons", "0", "#969696", 0.8, "", 0.02, 1.0))
    return rend


def labeling(field: str = "name") -> ET.Element:
    lab = ET.Element("labeling", type="simple")
    settings = ET.SubElement(lab, "settings", calloutType="simple")
    ET.SubElement(settings, "text-style", fieldName=field, fontFamily="Noto Sans CJK SC", fontSize="8",
                  fontSizeUnit="Point", textColor="30,30,30,255", isExpression="0", textOpacity="1")
    ET.SubElement(settings, "text-buffer", bufferDraw="1", bufferSize="0.8", bufferSizeUnits="MM",
                  bufferColor="255,255,255,255", bufferOpacity="0.8")
    ET.SubElement(settings, "placement", placement="1", dist="1", distUnits="MM")
    ET.SubElement(settings, "rendering", scaleVisibility="1", scaleMin="0", scaleMax="250000", obstacle="1",
                  drawLabels="1", fontLimitPixelSize="0")
    return lab


def qml(family: str, rend: ET.Element, with_labels: bool = True) -> str:
    """A complete QML style document (what QGIS's 'Save style' writes, reduced to what we set)."""
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="AllStyleCategories",
                      labelsEnabled="1" if with_labels else "0")
    root.append(rend)
    if with_labels:
        root.append(labeling())
    ET.SubElement(root, "layerGeometryType").text = FAMILIES[family][1]
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


def _spatialrefsys(parent: ET.Element, authid: str) -> None:
    crs = CRS.from_user_input(authid)
    srs = ET.SubElement(parent, "spatialrefsys")
    ET.SubElement(srs, "wkt").text = crs.to_wkt()
    with warnings.catch_warnings():  # QGIS reads the WKT first; proj4 is only a fallback
        warnings.simplefilter("ignore", UserWarning)
        ET.SubElement(srs, "proj4").text = crs.to_proj4()
    ET.SubElement(srs, "srid").text = str(crs.to_epsg())
    ET.SubElement(srs, "authid").text = authid
    ET.SubElement(srs, "description").text = crs.name
    ET.SubElement(srs, "geographicflag").text = "true" if crs.is_geographic else "false"


def project(title: str, gpkg_name: str, crs_authid: str,
            groups: list[tuple[str, list[tuple[str, list[dict]]]]], boundaries: list[dict]) -> str:
    """The .qgs XML. ``groups``: [(jurisdiction, [(plan title, [layer dicts])])]; a layer dict has
    table, name, family and renderer (an Element); boundaries are layer dicts drawn underneath."""
    root = ET.Element("qgis", projectname=title, version=QGIS_VERSION)
    ET.SubElement(root, "homePath", path="")
    ET.SubElement(root, "title").text = title
    _spatialrefsys(ET.SubElement(root, "projectCrs"), crs_authid)
    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    maplayers = ET.Element("projectlayers")
    order = ET.Element("custom-order", enabled="0")

    def add_layer(parent: ET.Element, layer: dict) -> None:
        lid = f"{layer['table']}_{uuid.uuid5(uuid.NAMESPACE_URL, gpkg_name + layer['table']).hex}"
        source = f"./{gpkg_name}|layername={layer['table']}"
        ET.SubElement(parent, "layer-tree-layer", id=lid, name=layer["name"], source=source, providerKey="ogr",
                      checked="Qt::Checked", expanded="0")
        ET.SubElement(order, "item").text = lid
        ml = ET.SubElement(maplayers, "maplayer", type="vector", geometry=FAMILIES[layer["family"]][2],
                           labelsEnabled="1" if layer.get("labels") else "0", readOnly="0")
        ET.SubElement(ml, "id").text = lid
        ET.SubElement(ml, "datasource").text = source
        ET.SubElement(ml, "layername").text = layer["name"]
        _spatialrefsys(ET.SubElement(ml, "srs"), crs_authid)
        ET.SubElement(ml, "provider", encoding="UTF-8").text = "ogr"
        ml.append(layer["renderer"])
        if layer.get("labels"):
            ml.append(labeling())
        ET.SubElement(ml, "layerGeometryType").text = FAMILIES[layer["family"]][1]

    for juris, plans in groups:
        jg = ET.SubElement(tree, "layer-tree-group", name=juris, checked="Qt::Checked", expanded="1")
        for plan_title, layers in plans:
            pg = ET.SubElement(jg, "layer-tree-group", name=plan_title, checked="Qt::Checked", expanded="0")
            for layer in layers:
                add_layer(pg, layer)
    bg = ET.SubElement(tree, "layer-tree-group", name="行政边界 boundaries", checked="Qt::Checked", expanded="0")
    for layer in boundaries:
        add_layer(bg, layer)
    tree.append(order)
    root.append(maplayers)
    props = ET.SubElement(root, "properties")
    paths = ET.SubElement(props, "Paths")
    ET.SubElement(paths, "Absolute", type="bool").text = "false"
    # without this QGIS treats the project as having no CRS at all
    ET.SubElement(ET.SubElement(props, "SpatialRefSys"), "ProjectionsEnabled", type="int").text = "1"
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")
