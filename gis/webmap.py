"""The web map: layers -> a folium map with the style table, legend, popups and basemaps.

What reaches the browser is prepared here, once per layer: geometries simplified for
display and trimmed to 5 decimals (about 1 m), and properties cut down to what the map
shows — pre-escaped popup and tooltip HTML plus kind/status for styling. folium inserts
popup fields with ``innerHTML``, so escaping happens here and nowhere else.
"""

from __future__ import annotations

import html
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

#: display simplification in degrees (~30 m): invisible at the zoom levels of a county map
SIMPLIFY_DEG = 0.0003
DISPLAY_DECIMALS = 5
CENTRE = (31.55, 120.25)

TEXT = {
    "zh": {"structure": "结构", "element": "要素", "kind": "类型", "plan": "规划", "status": "状态",
           "members": "成员", "source": "出处", "line": "行", "accuracy": "精度", "method": "几何生成",
           "basis": "依据", "legend": "图例", "jurisdictions": "行政边界", "context": "周边区县",
           "labels": "标注", "crs": "坐标系"},
    "en": {"structure": "Structure", "element": "Element", "kind": "Kind", "plan": "Plan", "status": "Status",
           "members": "Members", "source": "Source", "line": "line", "accuracy": "Accuracy", "method": "Geometry",
           "basis": "Basis", "legend": "Legend", "jurisdictions": "Jurisdictions", "context": "Neighbours",
           "labels": "Labels", "crs": "CRS"},
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


def popup_html(props: dict[str, Any], lang: str = "zh") -> str:
    """The popup of one feature: every value escaped."""
    t = TEXT[lang]
    st = style_for(props.get("kind", ""), props.get("status"))
    label = st.label_zh if lang == "zh" else st.label_en
    title = f"<b>{e(props.get('name'))}</b> <small>{e(props.get('name_en'))}</small>"
    rows = [
        (t["structure"], f"{e(props.get('structure'))} · {e(props.get('element'))}"),
        (t["kind"], e(label)),
        (t["plan"], f"{e(props.get('plan_title'))} ({e(props.get('period'))})"),
    ]
    if props.get("status"):
        rows.append((t["status"], f"{e(label.split(' · ')[-1])} — {e(props.get('status_text') or '')}"))
    if props.get("members"):
        rows.append((t["members"], e("、".join(map(str, props["members"])))))
    rows.append((t["source"], f"「{e(props.get('quote'))}」<br><small>{e(props.get('source'))} · "
                              f"{t['line']} {e(props.get('lines'))}</small>"))
    acc = props.get("accuracy")
    rows.append((t["accuracy"], e(ACCURACIES.get(acc, acc or "").split(" (")[0] if lang == "zh" else acc)))
    if props.get("basis"):
        rows.append((t["basis"], f"<small>{e(props.get('basis'))}</small>"))
    body = "".join(f"<tr><th style='text-align:left;padding-right:6px;vertical-align:top'>{k}</th><td>{v}</td></tr>"
                   for k, v in rows)
    return f"<div class='pl-popup' style='max-width:360px'>{title}<table>{body}</table></div>"


def display_geometry(geom: shapely.Geometry, to_crs: str = crs.WGS84) -> shapely.Geometry:
    """Simplified (topology kept) and trimmed for the browser; shifted for a GCJ-02 basemap."""
    if geom.geom_type != "Point":
        geom = geom.simplify(SIMPLIFY_DEG, preserve_topology=True)
    if to_crs != crs.WGS84:
        geom = crs.transform_geometry(geom, crs.WGS84, to_crs)
    return rfc7946(geom, DISPLAY_DECIMALS)


def display_collection(features: Iterable[dict[str, Any]], lang: str = "zh", to_crs: str = crs.WGS84) -> dict[str, Any]:
    """A FeatureCollection for the browser: slim properties, escaped HTML, light geometry."""
    out = []
    for feat in features:
        props = feat["properties"]
        geom = display_geometry(shape(feat["geometry"]), to_crs)
        out.append({"type": "Feature", "geometry": mapping(geom), "properties": {
            "id": props.get("id"), "kind": props.get("kind"), "status": props.get("status"),
            "_tooltip": f"{e(props.get('name'))}" + (f" · {e(props.get('name_en'))}" if lang == "en" else ""),
            "_popup": popup_html(props, lang),
        }})
    return {"type": "FeatureCollection", "features": out}


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


def _style_function(opacity: float):
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        p = feature["properties"]
        return style_for(p.get("kind", ""), p.get("status")).leaflet(opacity)
    return style


def legend_html(features: Iterable[dict[str, Any]], lang: str = "zh") -> str:
    """A legend of exactly the kinds and statuses drawn (escaped)."""
    t = TEXT[lang]
    rows = []
    for _kind, _status, st in legend_entries(features):
        dash = f"stroke-dasharray:{e(st.dash)};" if st.dash else ""
        swatch = (f"<svg width='28' height='12'><line x1='1' y1='6' x2='27' y2='6' style='stroke:{e(st.colour)};"
                  f"stroke-width:{min(st.weight, 4)};{dash}'/></svg>")
        label = st.label_zh if lang == "zh" else st.label_en
        rows.append(f"<div class='pl-legend-row'>{swatch} {e(label)}</div>")
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
    t = TEXT[view.lang]
    if view.context:
        ctx = table()["context"]
        folium.GeoJson(
            display_collection(view.context, view.lang, tiles_crs), name=t["context"],
            style_function=lambda _f: {"color": ctx["colour"], "weight": ctx["weight"], "fillOpacity": ctx["fill_opacity"]},
            tooltip=folium.GeoJsonTooltip(fields=["_tooltip"], labels=False),
        ).add_to(m)
    if view.boundaries:
        bounds_fc = display_collection(view.boundaries, view.lang, tiles_crs)
        for feat, src in zip(bounds_fc["features"], view.boundaries):
            feat["properties"]["_colour"] = jurisdiction_colour(src["properties"]["name"])
        folium.GeoJson(
            bounds_fc, name=t["jurisdictions"],
            style_function=lambda f: {"color": f["properties"]["_colour"], "weight": 2.5, "fillOpacity": 0.03},
            tooltip=folium.GeoJsonTooltip(fields=["_tooltip"], labels=False),
        ).add_to(m)
    drawn: list[dict[str, Any]] = []
    for title, features in view.layers.items():
        if not features:
            continue
        fc = display_collection(features, view.lang, tiles_crs)
        # control=False: plan layers are toggled in the app's panel, which rebuilds the legend;
        # hiding them in Leaflet's own control would leave the legend showing what is not drawn
        folium.GeoJson(
            fc, name=e(title), control=False, style_function=_style_function(view.opacity),
            marker=folium.CircleMarker(radius=point_radius(), fill=True),
            tooltip=folium.GeoJsonTooltip(fields=["_tooltip"], labels=False),
            popup=folium.GeoJsonPopup(fields=["_popup"], labels=False, max_width=380),
        ).add_to(m)
        drawn += features
    if view.labels and drawn:
        labels = folium.FeatureGroup(name=t["labels"])
        for feat in drawn:
            pt = display_geometry(shape(feat["geometry"]).representative_point(), tiles_crs)
            folium.Marker([pt.y, pt.x], icon=folium.DivIcon(
                html=f"<div class='pl-label' style='font-size:11px;white-space:nowrap;color:#222;"
                     f"text-shadow:0 0 3px #fff'>{e(feat['properties']['name'])}</div>")).add_to(labels)
        labels.add_to(m)
    m.get_root().html.add_child(_Html(legend_html(drawn, view.lang)))
    crs_note = "GCJ-02 (高德)" if tiles_crs == crs.GCJ02 else "WGS84 (EPSG:4326)"
    m.get_root().html.add_child(_Html(
        f"<div class='pl-crs' style='position:absolute;bottom:8px;left:110px;z-index:1000;background:white;"
        f"padding:1px 5px;font-size:11px;border-radius:3px'>{t['crs']}: {e(crs_note)}</div>"))
    folium.LayerControl(collapsed=True).add_to(m)
    Fullscreen().add_to(m)
    Measure().add_to(m)
    if view.bounds:
        w, s, east, n = view.bounds
        if tiles_crs != crs.WGS84:
            (w, s), (east, n) = crs.transform_point(w, s, crs.WGS84, tiles_crs), crs.transform_point(east, n, crs.WGS84, tiles_crs)
        m.fit_bounds([[s, w], [n, east]])
    return localise(m)


def jurisdiction_bounds(name: str) -> tuple[float, float, float, float]:
    """The lon/lat box of a jurisdiction, for 'zoom to'."""
    from gis.boundaries import jurisdiction_geometry

    if name not in JURISDICTIONS:
        raise KeyError(name)
    return jurisdiction_geometry(name).bounds
