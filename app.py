"""planlayers app: the five jurisdictions and every digitised plan layer on one map.

Run with ``streamlit run app.py`` (README). Chinese first, with an English switch. The base
is the boundaries themselves, so the app works with no internet; tile basemaps are optional.
Data flow is one way: the app reads layers/ and data/boundaries/ and never writes them.
"""

from __future__ import annotations

import os

import streamlit as st
from streamlit_folium import st_folium

from gis.boundaries import county_features, jurisdiction_features
from gis.catalogue import catalogue
from gis.io import read_geojson
from gis.paths import LAYERS
from gis.schema import JURISDICTION_EN, JURISDICTIONS
from gis.figure import render_figure
from gis.scenes import build_scenes
from gis.webassets import ensure_assets, standalone_html
from gis.webmap import BASEMAPS, MapView, build_map, e, jurisdiction_bounds

st.set_page_config(page_title="planlayers 苏南规划图层", layout="wide")

UI = {
    "zh": {"title": "苏南规划图层", "layers": "图层", "opacity": "不透明度", "labels": "显示标注", "zoom": "缩放至",
           "all": "全部", "basemap": "底图", "search": "地名搜索", "search_hint": "如 青阳镇、苏州南站",
           "not_found": "未找到", "ambiguous": "重名，请选择", "features": "个要素", "unplaced": "未定位要素",
           "lang": "语言 Language", "context": "显示周边区县", "tianditu_key": "天地图密钥未设置 (TIANDITU_KEY)",
           "present": "演示模式", "prev": "◀ 上一场景", "next": "下一场景 ▶", "exit": "退出演示", "scene": "场景",
           "html": "下载 HTML 地图 (离线可用)", "line": "行", "png": "下载 PNG 图", "pdf": "下载 PDF 图",
           "export": "下载所选图层", "format": "格式", "crs_out": "坐标系",
           "upload": "导入自有图层", "upload_hint": "GeoJSON、Shapefile (zip)、GeoPackage、KML/KMZ、CSV/XLSX",
           "upload_crs": "文件坐标系 (未声明时)", "refused": "未能导入", "imported": "已导入"},
    "en": {"title": "Planning layers of southern Jiangsu", "layers": "Layers", "opacity": "Opacity", "labels": "Labels",
           "zoom": "Zoom to", "all": "All", "basemap": "Basemap", "search": "Place search",
           "search_hint": "e.g. 青阳镇, 苏州南站", "not_found": "not found", "ambiguous": "homonyms, pick one",
           "features": "features", "unplaced": "unplaced elements", "lang": "语言 Language",
           "context": "Show neighbouring counties", "tianditu_key": "Tianditu key not set (TIANDITU_KEY)",
           "present": "Presentation mode", "prev": "◀ Previous", "next": "Next ▶", "exit": "Leave presentation",
           "scene": "Scene", "html": "Download HTML map (works offline)", "line": "line",
           "png": "Download PNG figure", "pdf": "Download PDF figure",
           "export": "Download the selected layers", "format": "Format", "crs_out": "CRS",
           "upload": "Import your own layer", "upload_hint": "GeoJSON, Shapefile (zip), GeoPackage, KML/KMZ, CSV/XLSX",
           "upload_crs": "File CRS (when undeclared)", "refused": "Import refused", "imported": "Imported"},
}


@st.cache_resource
def _assets() -> None:
    """Leaflet from its installed PyPI package into ./static, once per server."""
    ensure_assets()


@st.cache_resource
def load_layers() -> list[dict]:
    """Every committed layer with its features, read once per server and shared read-only
    (cache_data would deep-copy all features on every rerun)."""
    out = []
    for info in catalogue():
        data = read_geojson(LAYERS / f"{info.name}.geojson")
        out.append({"name": info.name, "title": info.title, "title_en": info.title_en,
                     "jurisdiction": info.jurisdiction, "period": info.period, "features": data["features"]})
    return out


@st.cache_resource
def gazetteer():
    from geocoding.gazetteer import default_gazetteer

    return default_gazetteer()


def tianditu_key() -> str | None:
    try:
        return os.environ.get("TIANDITU_KEY") or st.secrets.get("TIANDITU_KEY")
    except Exception:  # no secrets file: Streamlit raises its own error type
        return os.environ.get("TIANDITU_KEY")


def layer_panel(layers: list[dict], t: dict, lang: str) -> dict[str, list[dict]]:
    """Jurisdiction -> plan -> structure toggles; returns layer title -> visible features."""
    visible: dict[str, list[dict]] = {}
    st.sidebar.subheader(t["layers"])
    for juris in JURISDICTIONS:
        plans = [layer for layer in layers if layer["jurisdiction"] == juris]
        if not plans:
            continue
        label = juris if lang == "zh" else f"{juris} {JURISDICTION_EN[juris]}"
        with st.sidebar.expander(label, expanded=False):
            group_on = st.checkbox(t["all"], value=True, key=f"j-{juris}")
            for layer in plans:
                title = layer["title"] if lang == "zh" else (layer["title_en"] or layer["title"])
                on = st.checkbox(f"{title} ({len(layer['features'])} {t['features']})", value=True,
                                 key=f"p-{layer['name']}", disabled=not group_on)
                structures = list(dict.fromkeys(f["properties"]["structure"] for f in layer["features"]))
                chosen = st.multiselect("结构 structure", structures, default=structures, key=f"s-{layer['name']}",
                                        disabled=not (group_on and on), label_visibility="collapsed")
                if group_on and on:
                    visible[title] = [f for f in layer["features"] if f["properties"]["structure"] in chosen]
    return visible


def search_box(t: dict) -> tuple[float, float, float, float] | None:
    """Geocode a typed name; returns a small box around the chosen place."""
    query = st.sidebar.text_input(t["search"], placeholder=t["search_hint"])
    if not query.strip():
        return None
    found = gazetteer().lookup(query)
    if not found:
        st.sidebar.warning(f"{query}: {t['not_found']}")
        return None
    if found[0].ambiguous:
        options = [c for c in found if c.ambiguous]
        pick = st.sidebar.radio(t["ambiguous"], range(len(options)),
                                format_func=lambda i: f"{options[i].place.name} · {options[i].place.county or '-'}")
        chosen = options[pick].place
    else:
        chosen = found[0].place
    st.sidebar.caption(f"{chosen.name} · {chosen.county or ''} · {chosen.lon:.5f}, {chosen.lat:.5f} (±{chosen.accuracy_m:.0f} m)")
    d = 0.03
    return (chosen.lon - d, chosen.lat - d, chosen.lon + d, chosen.lat + d)


@st.cache_resource
def scenes():
    return build_scenes(load_layers())


PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header, footer,
[data-testid="stToolbar"] {display: none !important;}
.block-container {padding-top: 1rem; max-width: 100%;}
.pl-scene-title {font-size: 2.6rem; font-weight: 700; line-height: 1.2;}
.pl-scene-sub {font-size: 1.3rem; color: #555;}
.pl-quote {font-size: 1.35rem; margin: 0.2rem 0;}
.pl-quote small {font-size: 0.9rem; color: #666;}
</style>
"""


def presentation(lang: str, t: dict) -> None:
    """Scenes one at a time: large type, the plan's own words, no editing chrome."""
    all_scenes = scenes()
    index = min(st.session_state.get("scene", 0), len(all_scenes) - 1)
    scene = all_scenes[index]
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
    left, mid, right, out = st.columns([1, 1, 4, 1])
    if left.button(t["prev"], disabled=index == 0, use_container_width=True):
        st.session_state["scene"] = index - 1
        st.rerun()
    if mid.button(t["next"], disabled=index == len(all_scenes) - 1, use_container_width=True):
        st.session_state["scene"] = index + 1
        st.rerun()
    right.markdown(f"<div class='pl-scene-sub'>{t['scene']} {index + 1} / {len(all_scenes)}</div>", unsafe_allow_html=True)
    if out.button(t["exit"], use_container_width=True):
        st.session_state["present"] = False
        st.rerun()
    st.markdown(f"<div class='pl-scene-title'>{e(scene.title)}</div><div class='pl-scene-sub'>{e(scene.subtitle)}</div>",
                unsafe_allow_html=True)
    for quote, source, lines in scene.quotes:
        st.markdown(f"<div class='pl-quote'>「{e(quote)}」 <small>{e(source)} · {t['line']} {e(lines)}</small></div>",
                    unsafe_allow_html=True)
    view = MapView(layers={scene.title: list(scene.features)}, boundaries=list(jurisdiction_features()),
                   context=[f for f in county_features() if f["properties"]["role"] == "context"],
                   lang=lang, labels=scene.key != "overview", bounds=scene.bounds)
    fmap = build_map(view)
    downloads(view, t, f"planlayers-scene-{index + 1}", scene.title, scene.subtitle)
    st_folium(fmap, height=760, use_container_width=True, returned_objects=[], key=f"scene-map-{index}")


def downloads(view: MapView, t: dict, stem: str, title: str, subtitle: str = "") -> None:
    """HTML map and PNG/PDF figure of what is shown; each is made only when its button is clicked."""
    features = [f for feats in view.layers.values() for f in feats]

    def figure(fmt: str):
        return lambda: render_figure(features, view.boundaries, view.context, title=title, subtitle=subtitle,
                                     bounds=view.bounds, fmt=fmt, lang=view.lang)

    a, b, c = st.columns(3)
    a.download_button(t["html"], lambda: standalone_html(build_map(view)), file_name=f"{stem}.html", mime="text/html")
    b.download_button(t["png"], figure("png"), file_name=f"{stem}.png", mime="image/png")
    c.download_button(t["pdf"], figure("pdf"), file_name=f"{stem}.pdf", mime="application/pdf")


EXPORT_FORMATS = {"gpkg": ("application/geopackage+sqlite3", ".gpkg"), "shp": ("application/zip", ".zip"),
                  "kmz": ("application/vnd.google-earth.kmz", ".kmz"), "geojson": ("application/geo+json", ".geojson"),
                  "csv": ("text/csv", ".csv")}


UPLOAD_TYPES = ["geojson", "json", "zip", "gpkg", "kml", "kmz", "csv", "xlsx"]


def upload_panel(t: dict) -> dict[str, dict]:
    """Planners' own files: imported in a temporary folder by gis.importer; refusals never stop the app."""
    import re
    import tempfile
    from pathlib import Path

    from gis.importer import import_file

    st.sidebar.subheader(t["upload"])
    files = st.sidebar.file_uploader(t["upload_hint"], type=UPLOAD_TYPES, accept_multiple_files=True, key="uploads")
    crs = st.sidebar.selectbox(t["upload_crs"], ["auto", "wgs84", "gcj02", "bd09", "EPSG:4549", "EPSG:4490"])
    done = st.session_state.setdefault("imports", {})
    imported: dict[str, dict] = {}
    for upload in files or []:
        key = (upload.name, upload.size, crs)
        if key not in done:
            suffix = Path(upload.name).suffix.lower()
            with tempfile.TemporaryDirectory(prefix="planlayers-upload-") as tmp:
                # the user's file name never becomes a path: only its extension is kept
                path = Path(tmp) / ("upload" + (suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""))
                path.write_bytes(upload.getvalue())
                done[key] = import_file(path, crs=None if crs == "auto" else crs, name=upload.name)
        layer = done[key]
        if layer.report.ok:
            imported[layer.name] = layer.collection
            st.sidebar.text(f"{t['imported']}: {layer.name} · {layer.report.features} · {layer.report.crs}")
            for warning in layer.report.warnings:
                st.sidebar.text(f"⚠ {warning}")
        else:
            st.sidebar.error(t["refused"])
            st.sidebar.text(f"{layer.name}: {layer.report.error}")  # text, never markdown or HTML
    return imported


def export_download(plan_names: list[str], t: dict, imported: dict[str, dict] | None = None) -> None:
    """The selected plans in an export format, written by the same code as ``planlayers export``."""
    import tempfile
    from pathlib import Path

    from gis.export import CRS_CHOICES, ExportError, export

    if not plan_names:
        return
    st.sidebar.subheader(t["export"])
    fmt = st.sidebar.selectbox(t["format"], list(EXPORT_FORMATS))
    target = st.sidebar.selectbox(t["crs_out"], CRS_CHOICES if fmt not in ("kmz",) else ("EPSG:4326", "gcj02"))
    mime, suffix = EXPORT_FORMATS[fmt]

    def make() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / f"planlayers{suffix}"
            try:
                export(fmt, out, target, plans=plan_names, extra=imported or None)
            except ExportError as exc:
                return str(exc).encode("utf-8")
            return out.read_bytes()

    st.sidebar.download_button(f"{t['export']} ({fmt})", make, file_name=f"planlayers{suffix}", mime=mime)


def main() -> None:
    _assets()
    lang = st.session_state.get("lang", "zh")
    t = UI[lang]
    if st.session_state.get("present"):
        presentation(lang, t)
        return
    lang = "en" if st.sidebar.radio(UI["zh"]["lang"], ["中文", "English"], horizontal=True,
                                    index=1 if lang == "en" else 0) == "English" else "zh"
    st.session_state["lang"] = lang
    t = UI[lang]
    if st.sidebar.button(t["present"], use_container_width=True):
        st.session_state["present"] = True
        st.rerun()
    st.sidebar.title(t["title"])
    layers = load_layers()
    bounds = search_box(t)
    zoom = st.sidebar.selectbox(t["zoom"], ["—", *JURISDICTIONS],
                                format_func=lambda j: j if lang == "zh" or j == "—" else f"{j} {JURISDICTION_EN[j]}")
    if bounds is None and zoom != "—":
        bounds = jurisdiction_bounds(zoom)
    visible = layer_panel(layers, t, lang)
    imported = upload_panel(t)
    export_download([layer["name"] for layer in layers
                     if (layer["title"] if lang == "zh" else (layer["title_en"] or layer["title"])) in visible], t, imported)
    opacity = st.sidebar.slider(t["opacity"], 0.1, 1.0, 1.0, 0.1)
    labels = st.sidebar.toggle(t["labels"], value=False)
    show_context = st.sidebar.toggle(t["context"], value=True)
    basemap = st.sidebar.selectbox(t["basemap"], list(BASEMAPS), format_func=lambda b: BASEMAPS[b][0])
    key = tianditu_key()
    if basemap == "tianditu" and not key:
        st.sidebar.warning(t["tianditu_key"])
    view = MapView(
        layers=visible, boundaries=list(jurisdiction_features()),
        context=[f for f in county_features() if f["properties"]["role"] == "context"] if show_context else [],
        lang=lang, opacity=opacity, labels=labels, basemap=basemap, tianditu_key=key, bounds=bounds, imported=imported,
    )
    st.subheader(t["title"])
    fmap = build_map(view)
    st_folium(fmap, height=720, use_container_width=True, returned_objects=[], key="map")
    downloads(view, t, "planlayers-map", t["title"])


main()
