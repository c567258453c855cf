"""The web map: layers -> a folium map with the style table, legend, popups and basemaps.

What reaches the browser is prepared here, once per layer: geometries simplified for
display (~50 m) and trimmed to 4 decimals (~10 m; neighbouring counties coarser), with
~300 m outlines for the zoomed-out overview, and properties cut down to short plain-text
keys handed to ``JSON.parse``. Styles, popups and tooltips are made in the browser
(``POPUP_JS``) with ``textContent``, so no attribute is ever parsed as HTML; style and label
tables travel once per page, plan titles once per layer.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

import folium
import shapely
from shapely.geometry import mapping, shape

from gis import crs
from gis.io import rfc7946
from gis.mapcontrols import Fullscreen, Measure
from gis.schema import ACCURACIES, JURISDICTIONS
from gis.style import jurisdiction_colour, legend_entries, point_radius, style_for, table
from gis.webassets import localise

#: display simplification in degrees (~50 m): far below the km-level accuracy of the geometries
SIMPLIFY_DEG = 0.0005
#: 1e-4 degrees is about 10 m: far finer than the approximate geometries it draws
DISPLAY_DECIMALS = 4
#: neighbouring counties are background: ~200 m and 4 decimals are plenty
CONTEXT_SIMPLIFY_DEG = 0.002
CONTEXT_DECIMALS = 4
CENTRE = (31.55, 120.25)
#: Leaflet simplifies paths on screen by this many pixels: fewer SVG vertices, faster drawing
SMOOTH_FACTOR = 2.0
#: the overview (all five jurisdictions, zoom <= OVERVIEW_MAX_ZOOM) first draws outlines simplified to
#: ~300 m: 1.3 px there, inside Leaflet's own 2 px smoothing (which the overview then skips), so it
#: looks the same with half the vertices to project and draw; the ~50 m outlines are decoded once
#: the map is zoomed in further, and smoothed on screen again
OVERVIEW_SIMPLIFY_DEG = 0.003
OVERVIEW_MAX_ZOOM = 9
#: Chinese fonts first (macOS, Windows, Linux with Noto or Source Han, older Linux): map text is set
#: in a font that has the characters. With Leaflet's Latin default the browser searched the system
#: fonts for every Chinese character of legend, tooltips and notes: ~25 ms of each full-map page load
#: in headless Chromium (bench/), and a mix of fallback fonts on screen.
CJK_FONT_STACK = ('"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",'
                  '"WenQuanYi Micro Hei",sans-serif')
#: more specific than Leaflet's own ``.leaflet-container`` rule, whichever stylesheet comes last
FONT_CSS = f"<style>body, body .leaflet-container {{font-family: {CJK_FONT_STACK};}}</style>"

TEXT = {
    "zh": {"structure": "结构", "element": "要素", "kind": "类型", "plan": "规划", "status": "状态",
           "members": "成员", "source": "出处", "line": "行", "accuracy": "精度", "basis": "依据",
           "legend": "图例", "labels": "标注", "crs": "坐标系"},
    "en": {"structure": "Structure", "element": "Element", "kind": "Kind", "plan": "Plan", "status": "Status",
           "members": "Members", "source": "Source", "line": "line", "accuracy": "Accuracy", "basis": "Basis",
           "legend": "Legend", "labels": "Labels", "crs": "CRS"},
}

#: basemap id -> (name, tile URL template or None, attribution, CRS of the tiles)
BASEMAPS: dict[str, tuple[str, str | None, str, str]] = {
    "none": ("无底图 (离线) · none (offline)", None, "", crs.WGS84),
    "osm": ("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors", crs.WGS84),
    "cartodb": ("CartoDB Positron", "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",
                "© OpenStreetMap contributors © CARTO", crs.WGS84),
    "amap": ("高德 Amap (GCJ-02)",
             "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
             "© 高德地图 AutoNavi", crs.GCJ02),
    "tianditu": ("天地图 Tianditu (CGCS2000)",
                 "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default"
                 "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
                 "© 天地图 Tianditu", crs.WGS84),
}


def e(value: Any) -> str:
    """Escape anything for HTML: attributes may contain markup or script."""
    return html.escape("" if value is None else str(value), quote=True)


def display_geometry(geom: shapely.Geometry, to_crs: str = crs.WGS84, tolerance: float = SIMPLIFY_DEG,
                     decimals: int = DISPLAY_DECIMALS) -> shapely.Geometry:
    """Simplified (topology kept) and trimmed for the browser; shifted for a GCJ-02 basemap."""
    if geom.geom_type != "Point":
        geom = geom.simplify(tolerance, preserve_topology=True)
    if to_crs != crs.WGS84:
        geom = crs.transform_geometry(geom, crs.WGS84, to_crs)
    return rfc7946(geom, decimals)


#: short keys of what a popup shows (the browser builds it from these with textContent)
POPUP_KEYS = {"name": "n", "name_en": "ne", "structure": "st", "element": "el", "status_text": "sx",
              "quote": "q", "lines": "ln", "accuracy": "a", "basis": "b"}
#: the popup shows the start of the basis; exports and the layer files keep it whole
BASIS_CHARS = 80


def display_collection(features: Iterable[dict[str, Any]], lang: str = "zh", to_crs: str = crs.WGS84,
                       detail: bool = True) -> dict[str, Any]:
    """A FeatureCollection for the browser: short plain-text properties, light geometry.

    ``detail=False`` (boundaries, neighbours) keeps only the name, at coarser geometry for neighbours.
    """
    out = []
    plans: dict[str, int] = {}
    for feat in features:
        props = feat["properties"]
        role = props.get("role")
        tol, dec = (CONTEXT_SIMPLIFY_DEG, CONTEXT_DECIMALS) if role == "context" else (SIMPLIFY_DEG, DISPLAY_DECIMALS)
        geom = display_geometry(shape(feat["geometry"]), to_crs, tol, dec)
        if detail:
            slim = {short: props[key] for key, short in POPUP_KEYS.items() if props.get(key) not in (None, "", [])}
            if lang != "en":
                slim.pop("ne", None)
            if len(slim.get("b", "")) > BASIS_CHARS:
                slim["b"] = slim["b"][:BASIS_CHARS] + "…"
            slim.update(id=props.get("id"), kind=props.get("kind"), status=props.get("status"),
                        pl=plans.setdefault(f"{props.get('plan_title')} ({props.get('period')})\n{props.get('source')}",
                                            len(plans)))
            if props.get("members"):
                slim["m"] = "、".join(map(str, props["members"]))
        else:
            slim = {"n": props.get("name")}
            if props.get("name") in table()["jurisdictions"]:
                slim["_colour"] = jurisdiction_colour(props["name"])
        out.append({"type": "Feature", "geometry": mapping(geom), "properties": slim})
    return {"type": "FeatureCollection", "features": out, "plans": list(plans)}


def popup_data(lang: str) -> dict[str, Any]:
    """The page-wide tables popups need (UI words, kind|status labels, accuracy words)."""
    labels = {}
    for kind in table()["kinds"]:
        for status in [None, *[s for s in table()["statuses"] if s != "none"]]:
            st = style_for(kind, status)
            labels[f"{kind}|{status or 'none'}"] = st.label_zh if lang == "zh" else st.label_en
    acc = {k: (v.split(" (")[0] if lang == "zh" else k) for k, v in ACCURACIES.items()}
    return {"t": TEXT[lang], "lang": lang, "labels": labels, "acc": acc}


#: attributes shown in an imported feature's popup (the rest stay in the file and the exports)
IMPORTED_FIELDS = 30
NAME_FIELDS = ("name", "名称", "NAME", "Name", "title", "标题", "地名", "项目名称")


def display_imported(collection: dict[str, Any], layer_name: str, to_crs: str = crs.WGS84) -> dict[str, Any]:
    """An imported layer for the browser: its own attributes as plain text pairs, styled as ``imported``."""
    out = []
    for feat in collection["features"]:
        props = feat["properties"]
        name = next((str(props[k]) for k in NAME_FIELDS if props.get(k) not in (None, "")), layer_name)
        attrs = [[str(k), "" if v is None else str(v)] for k, v in list(props.items())[:IMPORTED_FIELDS]]
        geom = display_geometry(shape(feat["geometry"]), to_crs)
        out.append({"type": "Feature", "geometry": mapping(geom),
                    "properties": {"n": name, "kind": "imported", "attrs": attrs, "layer": layer_name}})
    return {"type": "FeatureCollection", "features": out}


def encode_geometry(geometry: dict[str, Any], decimals: int = DISPLAY_DECIMALS) -> dict[str, Any]:
    """Lines and areas as quantised, delta-encoded integers (as TopoJSON stores arcs): each ring is
    ``[x0, y0, dx1, dy1, …]`` in units of 10^-decimals degrees, about a third of the bytes of decimal
    degrees, and lossless for coordinates already trimmed to ``decimals``. ``PL_GEOMETRY`` in the page
    turns them back into GeoJSON; points (already short) pass through."""
    import numpy as np

    scale = 10 ** decimals

    def ring(coords: Any) -> list[int]:
        if len(coords) == 0:
            return []
        q = np.rint(np.asarray(coords, dtype=float)[:, :2] * scale).astype(np.int64)
        return np.concatenate([q[:1], np.diff(q, axis=0)]).ravel().tolist()

    kind, coords = geometry["type"], geometry.get("coordinates")
    if kind == "LineString":
        return {"type": kind, "d": ring(coords)}
    if kind in ("Polygon", "MultiLineString"):
        return {"type": kind, "d": [ring(r) for r in coords]}
    if kind == "MultiPolygon":
        return {"type": kind, "d": [[ring(r) for r in poly] for poly in coords]}
    return geometry


def overview_geometry(geometry: dict[str, Any] | None) -> dict[str, Any] | None:
    """A display geometry simplified for the overview, or None when that would drop no vertex (points,
    small shapes): then the overview draws the display geometry itself."""
    if not geometry or geometry["type"] == "Point":
        return None
    geom = shape(geometry)
    coarse = geom.simplify(OVERVIEW_SIMPLIFY_DEG, preserve_topology=True)
    if coarse.is_empty or shapely.get_num_coordinates(coarse) >= shapely.get_num_coordinates(geom):
        return None
    return mapping(coarse)


def overview_and_finer(collection: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any] | None]]:
    """The collection as the overview draws it (encoded), and per feature the encoded display geometry
    where it is finer than the overview's (else None), to be decoded when the map is zoomed in."""
    features, finer = [], []
    for f in collection["features"]:
        coarse = overview_geometry(f.get("geometry"))
        finer.append(encode_geometry(f["geometry"]) if coarse else None)
        geometry = coarse or f.get("geometry")
        features.append(dict(f, geometry=encode_geometry(geometry)) if geometry else f)
    return dict(collection, features=features), finer


#: what drawing needs at page load (tooltip name, style keys); the rest of a feature's properties is
#: read only by its popup and travels as a string parsed on the first click (less to parse and
#: collect while the map first draws)
DRAW_KEYS = ("n", "ne", "kind", "status", "_colour")


def split_popup_properties(collection: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The collection with only the properties drawing needs, and per feature the popup-only rest."""
    features, rest = [], []
    for f in collection["features"]:
        props = f.get("properties") or {}
        features.append(dict(f, properties={k: v for k, v in props.items() if k in DRAW_KEYS}))
        rest.append({k: v for k, v in props.items() if k not in DRAW_KEYS})
    return dict(collection, features=features), rest


def _js_literal(obj: Any) -> str:
    """A JSON value as a single-quoted JS string for ``JSON.parse`` (parsed faster than an object
    literal); ``<``, ``>``, ``&`` and ``'`` escaped so nothing can close the script or the string."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("\\", "\\\\").replace("'", "\\u0027")
    return "'" + text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "'"


class _Overlay(folium.MacroElement):
    """One GeoJSON layer drawn by Leaflet (``PL_LAYER``): delta-encoded data via JSON.parse, overview
    outlines first and the finer ones on zooming in, style from the page's style table, one shared
    tooltip and popup (``PL_ATTACH``). Lighter than folium.GeoJson, which inlines the data as an
    object literal and a per-feature style mapping."""

    _template = folium.template.Template("""{% macro script(this, kwargs) %}
var {{ this.get_name() }} = PL_LAYER({{ this._parent.get_name() }}, JSON.parse({{ this.data }}), {{ this.finer }}, {
  style: function (f) { return PL_STYLE(f, {{ this.style }}); },
  pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: {{ this.radius }}}); },
  smoothFactor: {{ this.smooth }}
}, {{ this.args }});
{% endmacro %}""")

    def __init__(self, collection: dict[str, Any], style: dict[str, Any] | None, plans: list[str], detail: bool):
        super().__init__()
        self._name = "PlOverlay"
        overview, finer = overview_and_finer(collection)
        drawn, popup = split_popup_properties(overview)
        self.data = _js_literal(drawn)
        # strings parsed only when the map is zoomed past the overview / a popup first opens
        self.finer = _js_literal(finer) if any(finer) else "null"
        self.style = json.dumps(style or {})  # fixed style (boundaries) or {} for the kind|status table
        self.args = (f"{{plans: JSON.parse({_js_literal(plans)}), detail: {json.dumps(detail)}, "
                     f"popup: {_js_literal(popup) if detail else 'null'}}}")
        self.radius = point_radius()
        self.smooth = SMOOTH_FACTOR


#: defined once per page; builds a layer's tooltip and popup with textContent, never innerHTML
POPUP_JS = """
window.PL_GEOMETRY = function (g) {  // inverse of encode_geometry: delta-encoded integers -> GeoJSON
  if (!g || g.d === undefined) return g;
  var k = window.PL_SCALE;
  function ring(a) { var out = new Array(a.length / 2), x = 0, y = 0;
    for (var i = 0; i < a.length; i += 2) { x += a[i]; y += a[i + 1]; out[i / 2] = [x / k, y / k]; } return out; }
  function rings(a) { return a.map(ring); }
  return {type: g.type, coordinates: g.type === 'LineString' ? ring(g.d) : (g.type === 'MultiPolygon' ? g.d.map(rings) : rings(g.d))};
};
window.PL_LAYER = function (map, fc, finer, options, args) {
  // the overview draws outlines already simplified for it, so without Leaflet's on-screen smoothing
  // (which cost more than it saved there); zoomed in, the finer outlines (finer[i]) with it
  var overview = map.getZoom() <= window.PL_OVERVIEW_ZOOM;
  if (finer !== null && !overview) finer = JSON.parse(finer);
  fc.features.forEach(function (f, i) {
    f.i = i; f.geometry = PL_GEOMETRY(!overview && finer !== null && finer[i] ? finer[i] : f.geometry); });
  var group = L.geoJSON(fc, overview ? Object.assign({}, options, {smoothFactor: 0}) : options).addTo(map);
  PL_ATTACH(group, args, map);
  if (!overview) return group;
  var depth = {LineString: 0, MultiLineString: 1, Polygon: 1, MultiPolygon: 2};
  function refine() {  // runs on zoomend, before the moveend that redraws every path
    if (map.getZoom() <= window.PL_OVERVIEW_ZOOM) return;
    map.off('zoomend', refine);
    if (finer !== null) finer = JSON.parse(finer);
    group.eachLayer(function (layer) {
      layer.options.smoothFactor = options.smoothFactor;
      var g = finer !== null && finer[layer.feature.i]; if (!g) return;
      layer.feature.geometry = g = PL_GEOMETRY(g);
      layer.setLatLngs(L.GeoJSON.coordsToLatLngs(g.coordinates, depth[g.type]));
    });
  }
  map.on('zoomend', refine);
  return group;
};
window.PL_STYLE = function (f, fixed) {
  var p = f.properties;
  if (fixed && fixed.color) return p._colour ? Object.assign({}, fixed, {color: p._colour}) : fixed;
  var s = window.PL_STYLES[p.kind + '|' + (p.status || 'none')] || window.PL_STYLES['?'];
  return Object.assign({}, s, {opacity: s.opacity * window.PL_OPACITY, fillOpacity: s.fillOpacity * window.PL_OPACITY});
};
window.PL_ATTACH = function (group, L_, map) {
  var D = window.PL_DATA;
  function el(tag, text, parent, style) { var e = document.createElement(tag); if (text != null) e.textContent = String(text);
    if (style) e.style.cssText = style; if (parent) parent.appendChild(e); return e; }
  // one sticky tooltip per layer group, moved with the mouse; bindTooltip would also hang focus
  // listeners on every path, which SVG paths never receive (they are not focusable)
  var tip = L.tooltip({sticky: true, direction: 'auto'});
  group.on('mouseover', function (ev) {
    if (map.dragging && map.dragging.moving()) return;
    var p = ev.layer.feature.properties;
    tip.setContent(el('span', p.n + (p.ne && D.lang === 'en' ? ' · ' + p.ne : ''))).setLatLng(ev.latlng);
    map.openTooltip(tip);
  });
  group.on('mousemove', function (ev) { if (tip.isOpen()) tip.setLatLng(ev.latlng); });
  group.on('mouseout remove', function () { map.closeTooltip(tip); });
  if (!L_.detail) return;
  group.bindPopup(function (layer) {
    if (typeof L_.popup === 'string') L_.popup = JSON.parse(L_.popup);  // on the first popup
    var p = Object.assign({}, layer.feature.properties, L_.popup[layer.feature.i]);
    var d = el('div', null, null, 'max-width:360px'); d.className = 'pl-popup';
    el('b', p.n, d); if (p.ne) el('small', ' ' + p.ne, d);
    var tb = el('table', null, d);
    function row(label, value) { if (value == null || value === '') return null; var tr = el('tr', null, tb);
      el('th', label, tr, 'text-align:left;padding-right:6px;vertical-align:top'); return el('td', value, tr); }
    if (p.attrs) {  // an imported layer: its own attributes, as text
      el('small', ' · ' + p.layer, d);
      p.attrs.forEach(function (kv) { row(kv[0], kv[1] === '' ? ' ' : kv[1]); });
      return d;
    }
    row(D.t.structure, [p.st, p.el].filter(Boolean).join(' · '));
    var label = D.labels[p.kind + '|' + (p.status || 'none')] || p.kind;
    row(D.t.kind, label);
    var plan = (L_.plans[p.pl] || '').split('\\n');
    row(D.t.plan, plan[0]);
    if (p.status) row(D.t.status, label.split(' · ').pop() + (p.sx ? ' — ' + p.sx : ''));
    row(D.t.members, p.m);
    var src = row(D.t.source, '「' + (p.q || '') + '」');
    if (src) { el('br', null, src); el('small', plan[1] + ' · ' + D.t.line + ' ' + p.ln, src); }
    row(D.t.accuracy, D.acc[p.a] || p.a);
    if (p.b) { el('small', p.b, row(D.t.basis, ' ')); }
    return d;
  }, {maxWidth: 380});
};
"""


class _PopupSupport(folium.MacroElement):
    """``PL_DATA``, ``PL_STYLES``, ``PL_LAYER`` and its helpers once per page, before the layers."""

    _template = folium.template.Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, lang: str, opacity: float = 1.0):
        super().__init__()
        self._name = "PlPopupSupport"
        styles = {f"{k}|{s or 'none'}": style_for(k, s).leaflet() for k in table()["kinds"]
                  for s in [None, *[x for x in table()["statuses"] if x != "none"]]}
        styles["?"] = style_for("?", None).leaflet()
        self.code = (f"window.PL_DATA = JSON.parse({_js_literal(popup_data(lang))});"
                     f" window.PL_STYLES = JSON.parse({_js_literal(styles)});"
                     f" window.PL_OPACITY = {float(opacity)}; window.PL_SCALE = {10 ** DISPLAY_DECIMALS};"
                     f" window.PL_OVERVIEW_ZOOM = {OVERVIEW_MAX_ZOOM};{POPUP_JS}")




@dataclass
class MapView:
    """What the user chose to see; everything the map depends on, so it can be cached on it."""

    layers: dict[str, list[dict[str, Any]]]          # layer title -> features (already filtered)
    boundaries: list[dict[str, Any]]
    context: list[dict[str, Any]] = field(default_factory=list)
    lang: str = "zh"
    opacity: float = 1.0
    labels: bool = False
    basemap: str = "none"
    tianditu_key: str | None = None
    bounds: tuple[float, float, float, float] | None = None  # lon/lat box to fit
    imported: dict[str, dict[str, Any]] = field(default_factory=dict)  # layer name -> WGS84 FeatureCollection


def _dash_gradient(colour: str, dash: str) -> str:
    """A CSS background image drawing Leaflet's ``dashArray`` ("on off …" in pixels) exactly; solid if empty."""
    steps = [float(x) for x in dash.split()] if dash else []
    if not steps:
        return f"linear-gradient({colour},{colour})"
    stops, pos = [], 0.0
    for i, length in enumerate(steps * (2 if len(steps) % 2 else 1)):  # an odd list repeats, as in SVG
        stops.append(f"{colour if i % 2 == 0 else 'transparent'} {pos:g}px {pos + length:g}px")
        pos += length
    return f"repeating-linear-gradient(90deg,{','.join(stops)})"


def _family(geometry_type: str) -> str:
    return "point" if "Point" in geometry_type else ("area" if "Polygon" in geometry_type else "line")


#: what every legend symbol shares (inline: the legend block is emitted as escaped markup, not a stylesheet)
SWATCH = "display:inline-block;vertical-align:middle;box-sizing:border-box;"


def legend_swatch(st: Any, family: str = "line") -> str:
    """A legend symbol in plain CSS, shaped like what is drawn: a stroke for lines, a filled box with
    its outline pattern for areas, a circle for points. (An inline SVG per row cost ~6 ms of the
    first layout of a full-catalogue page in headless Chromium; CSS boxes cost next to nothing.)"""
    colour = e(st.colour)
    weight = max(1.0, min(st.weight, 4.0))
    hexes = st.colour.lstrip("#")
    if len(hexes) == 3:
        hexes = "".join(c * 2 for c in hexes)
    try:
        r, g, b = (int(hexes[i:i + 2], 16) for i in (0, 2, 4))
        fill = f"rgba({r},{g},{b},{st.fill_opacity:g})"
    except ValueError:  # a named colour in the style table: the fill at full strength
        fill = colour
    if family == "point":
        border = "dotted" if st.dash.startswith("1 ") else ("dashed" if st.dash else "solid")
        return (f"<i class='pl-sw' style='{SWATCH}width:12px;height:12px;margin:0 8px;border-radius:50%;"
                f"border:{weight:g}px {border} {colour};background:{fill};opacity:{st.opacity:g}'></i>")
    edge = _dash_gradient(colour, e(st.dash))
    if family == "area":
        return (f"<i class='pl-sw' style='{SWATCH}width:28px;height:14px;opacity:{st.opacity:g};"
                f"background:{edge} top/100% {weight:g}px no-repeat,{edge} bottom/100% {weight:g}px no-repeat,"
                f"{_dash_gradient(colour, '')} left/{weight:g}px 100% no-repeat,"
                f"{_dash_gradient(colour, '')} right/{weight:g}px 100% no-repeat,{fill}'></i>")
    return (f"<i class='pl-sw' style='{SWATCH}width:28px;height:{weight:g}px;opacity:{st.opacity:g};"
            f"background:{edge}'></i>")


def legend_html(features: Iterable[dict[str, Any]], lang: str = "zh", imported: Iterable[str] = ()) -> str:
    """A legend of exactly the kinds and statuses drawn, and of imported layers by name (escaped).

    Each symbol has the shape most features of that kind and status are drawn with."""
    from collections import Counter

    features = list(features)
    t = TEXT[lang]
    rows = []
    st_imp = style_for("imported", None)
    for name in imported:
        label = st_imp.label_zh if lang == "zh" else st_imp.label_en
        rows.append(f"<div class='pl-legend-row'>{legend_swatch(st_imp)} {e(label)}: {e(name)}</div>")
    families: dict[tuple[str, str | None], Counter] = {}
    for f in features:
        key = (f["properties"]["kind"], f["properties"].get("status"))
        families.setdefault(key, Counter())[_family(f["geometry"]["type"])] += 1
    for kind, status, st in legend_entries(features):
        family = families[(kind, status)].most_common(1)[0][0]
        label = st.label_zh if lang == "zh" else st.label_en
        rows.append(f"<div class='pl-legend-row'>{legend_swatch(st, family)} {e(label)}</div>")
    return (f"<div class='pl-legend' style='position:absolute;bottom:28px;right:10px;z-index:1000;background:white;"
            f"padding:6px 8px;border:1px solid #999;border-radius:4px;font-size:12px;max-height:60%;overflow:auto'>"
            f"<b>{t['legend']}</b>{''.join(rows)}</div>")


class _Html(folium.MacroElement):
    """A fixed block of trusted, already-escaped HTML over the map (legend, CRS note)."""

    def __init__(self, markup: str):
        super().__init__()
        self._name = "PlHtml"
        self._template = folium.template.Template(
            "{% macro html(this, kwargs) %}" + markup.replace("{", "&#123;").replace("}", "&#125;") + "{% endmacro %}")


def build_map(view: MapView) -> folium.Map:
    """The folium map of a view; offline unless a tile basemap is chosen."""
    name, url, attribution, tiles_crs = BASEMAPS.get(view.basemap, BASEMAPS["none"])
    m = folium.Map(location=CENTRE, zoom_start=9, tiles=None, control_scale=True, prefer_canvas=False)
    if url:
        key = view.tianditu_key or ""
        folium.TileLayer(url.replace("{key}", key), attr=attribution, name=name,
                         subdomains="1234" if view.basemap == "amap" else ("01234567" if view.basemap == "tianditu" else "abc"),
                         max_zoom=18).add_to(m)
    if view.bounds:  # before the layers, which draw overview or finer outlines by the zoom they find
        w, s, east, n = view.bounds
        if tiles_crs != crs.WGS84:
            (w, s), (east, n) = crs.transform_point(w, s, crs.WGS84, tiles_crs), crs.transform_point(east, n, crs.WGS84, tiles_crs)
        m.fit_bounds([[s, w], [n, east]])
    t = TEXT[view.lang]
    m.get_root().header.add_child(folium.Element(FONT_CSS), name="pl_fonts")
    _PopupSupport(view.lang, view.opacity).add_to(m)
    if view.context:
        ctx = table()["context"]
        _Overlay(display_collection(view.context, view.lang, tiles_crs, detail=False),
                 {"color": ctx["colour"], "weight": ctx["weight"], "fillOpacity": ctx["fill_opacity"]}, [], False).add_to(m)
    if view.boundaries:
        _Overlay(display_collection(view.boundaries, view.lang, tiles_crs, detail=False),
                 {"color": "#333333", "weight": 2.5, "fillOpacity": 0.03}, [], False).add_to(m)
    drawn: list[dict[str, Any]] = []
    for features in view.layers.values():
        if not features:
            continue
        fc = display_collection(features, view.lang, tiles_crs)
        plans = fc.pop("plans")
        # plan layers are toggled in the app's panel, which rebuilds the legend (no Leaflet layer control
        # entry: hiding them there would leave the legend showing what is not drawn)
        _Overlay(fc, None, plans, True).add_to(m)
        drawn += features
    for layer_name, collection in view.imported.items():
        _Overlay(display_imported(collection, layer_name, tiles_crs), None, [], True).add_to(m)
    if view.labels and drawn:
        labels = folium.FeatureGroup(name=t["labels"])
        for feat in drawn:
            pt = display_geometry(shape(feat["geometry"]).representative_point(), tiles_crs)
            folium.Marker([pt.y, pt.x], icon=folium.DivIcon(
                html=f"<div class='pl-label' style='font-size:11px;white-space:nowrap;color:#222;"
                     f"text-shadow:0 0 3px #fff'>{e(feat['properties']['name'])}</div>")).add_to(labels)
        labels.add_to(m)
    # children of the map, so both st_folium and a rendered page emit them
    _Html(legend_html(drawn, view.lang, list(view.imported))).add_to(m)
    crs_note = "GCJ-02 (高德)" if tiles_crs == crs.GCJ02 else "WGS84 (EPSG:4326)"
    _Html(
        f"<div class='pl-crs' style='position:absolute;bottom:8px;left:110px;z-index:1000;background:white;"
        f"padding:1px 5px;font-size:11px;border-radius:3px'>{t['crs']}: {e(crs_note)}</div>").add_to(m)
    if url:  # the only Leaflet-level layer is the tile basemap; everything else is in the app's panel
        folium.LayerControl(collapsed=True).add_to(m)
    Fullscreen().add_to(m)
    Measure().add_to(m)
    return localise(m)


def jurisdiction_bounds(name: str) -> tuple[float, float, float, float]:
    """The lon/lat box of a jurisdiction, for 'zoom to'."""
    from gis.boundaries import jurisdiction_geometry

    if name not in JURISDICTIONS:
        raise KeyError(name)
    return jurisdiction_geometry(name).bounds
