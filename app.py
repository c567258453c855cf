"""planlayers app: the five jurisdictions and the digitised plan layers on one map.

Run with ``streamlit run app.py``. This first page draws the boundaries (the base map, which
needs no tiles) and every committed layer, with the plan's quote in each popup.
"""

from __future__ import annotations

import html

import folium
import streamlit as st
from streamlit_folium import st_folium

from gis.boundaries import county_features, jurisdiction_features
from gis.catalogue import catalogue
from gis.io import read_geojson
from gis.paths import LAYERS
from gis.schema import KINDS, STATUSES
from gis.webassets import ensure_assets, localise

st.set_page_config(page_title="planlayers 规划图层", layout="wide")

JURISDICTION_COLOURS = {"江阴市": "#1f77b4", "江阴高新区": "#17becf", "京口区": "#2ca02c", "无锡市": "#9467bd", "吴江区": "#d62728"}


@st.cache_resource
def _assets() -> None:
    """Leaflet from the installed XStatic package into ./static (once per server)."""
    ensure_assets()


@st.cache_data
def load_layers() -> list[tuple[str, str, dict]]:
    """(layer name, title, FeatureCollection) for every committed layer; read once per server."""
    return [(info.name, info.title, read_geojson(LAYERS / f"{info.name}.geojson")) for info in catalogue()]


def popup_html(props: dict) -> str:
    """Every value escaped: attributes may contain anything."""
    e = lambda v: html.escape("" if v is None else str(v))  # noqa: E731
    status = STATUSES.get(props.get("status") or "", "")
    rows = [
        f"<b>{e(props.get('name'))}</b> <small>{e(props.get('name_en'))}</small>",
        f"{e(props.get('structure'))} · {e(props.get('element'))} · {e(KINDS.get(props.get('kind'), ('',))[0])}",
        f"{e(props.get('plan_title'))} ({e(props.get('period'))})",
    ]
    if status:
        rows.append(f"状态 status: {e(status)} {e(props.get('status_text') or '')}")
    if props.get("members"):
        rows.append("成员 members: " + e("、".join(props["members"])))
    rows.append(f"「{e(props.get('quote'))}」<br><small>{e(props.get('source'))} 第 {e(props.get('lines'))} 行</small>")
    rows.append(f"<small>精度 accuracy: {e(props.get('accuracy'))}</small>")
    return "<div style='max-width:320px'>" + "<br>".join(rows) + "</div>"


def build_map(selected: list[str]) -> folium.Map:
    m = folium.Map(location=[31.55, 120.25], zoom_start=9, tiles=None, control_scale=True)
    context = folium.FeatureGroup(name="周边 context", show=True)
    for feat in county_features():
        if feat["properties"]["role"] == "context":
            folium.GeoJson(feat, style_function=lambda _f: {"color": "#999", "weight": 1, "fillOpacity": 0.03},
                           tooltip=html.escape(feat["properties"]["name"])).add_to(context)
    context.add_to(m)
    group = folium.FeatureGroup(name="行政边界 jurisdictions")
    for feat in jurisdiction_features():
        name = feat["properties"]["name"]
        colour = JURISDICTION_COLOURS.get(name, "#333")
        folium.GeoJson(feat, style_function=lambda _f, c=colour: {"color": c, "weight": 2, "fillOpacity": 0.05},
                       tooltip=html.escape(name)).add_to(group)
    group.add_to(m)
    for name, title, data in load_layers():
        if name not in selected:
            continue
        fg = folium.FeatureGroup(name=html.escape(title))
        for feat in data["features"]:
            folium.GeoJson(feat, popup=folium.Popup(popup_html(feat["properties"]), max_width=340),
                           tooltip=html.escape(feat["properties"]["name"]),
                           marker=folium.CircleMarker(radius=5, fill=True)).add_to(fg)
        fg.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return localise(m)


_assets()
st.title("苏南规划图层 planlayers")
layers = load_layers()
selected = st.sidebar.multiselect("图层 layers", [n for n, _, _ in layers], default=[n for n, _, _ in layers])
st.caption("坐标系 CRS: WGS84 (EPSG:4326) · 底图: 行政边界 (离线) · base: boundaries only, works offline")
st_folium(build_map(selected), height=700, use_container_width=True, returned_objects=[])
