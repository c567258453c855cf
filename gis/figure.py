"""Static figures for slides: PNG or PDF with a CJK font, legend, north arrow and scale bar.

Drawn in EPSG:4549 (CGCS2000 / Gauss-Kruger CM 120E) so the scale bar measures true metres
and grid north is within half a degree of true north across the five jurisdictions. The
styles are the app's (gis/styles.yaml); the font is Noto Sans CJK from a PyPI package, so no
system font and no download are needed.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any, Iterable

import matplotlib

matplotlib.use("Agg")  # no display on servers and in tests

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyArrow, PathPatch, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from shapely.geometry import shape  # noqa: E402

from gis import crs  # noqa: E402
from gis.style import jurisdiction_colour, legend_entries, style_for, table  # noqa: E402

FORMATS = ("png", "pdf")
DPI = 200


@lru_cache(maxsize=1)
def cjk_font() -> font_manager.FontProperties:
    """Noto Sans CJK shipped by the noto-cjk-sans-otc package."""
    from noto_cjk_sans_otc import FONT_PATH

    path = str(FONT_PATH)
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path)


def _dash(dash: str) -> Any:
    if not dash:
        return "solid"
    return (0, tuple(float(v) for v in dash.split()))


def _path(geom) -> MplPath:
    """A matplotlib path for a (multi)polygon, holes included."""
    verts, codes = [], []
    polys = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    for poly in polys:
        for ring in (poly.exterior, *poly.interiors):
            xy = list(ring.coords)
            verts += xy
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY]
    return MplPath(verts, codes)


def _draw(ax, geom, colour: str, weight: float, dash: str, fill_opacity: float, alpha: float, zorder: int) -> None:
    kind = geom.geom_type
    if kind in ("Polygon", "MultiPolygon"):
        ax.add_patch(PathPatch(_path(geom), facecolor=(*matplotlib.colors.to_rgb(colour), fill_opacity),
                               edgecolor=colour, linewidth=weight * 0.6, linestyle=_dash(dash), zorder=zorder))
    elif kind in ("LineString", "MultiLineString"):
        for line in (geom.geoms if kind == "MultiLineString" else [geom]):
            x, y = line.xy
            ax.plot(x, y, color=colour, linewidth=weight * 0.7, linestyle=_dash(dash), alpha=alpha, zorder=zorder + 1)
    elif kind == "Point":
        ax.plot(geom.x, geom.y, "o", color=colour, markersize=5, markeredgecolor="white", zorder=zorder + 2)
    elif kind == "GeometryCollection":
        for part in geom.geoms:
            _draw(ax, part, colour, weight, dash, fill_opacity, alpha, zorder)


def _scale_bar(ax, font) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    span = (x1 - x0) / 5
    nice = max(v for v in (500, 1000, 2000, 5000, 10000, 20000, 50000) if v <= max(span, 500))
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    ax.add_patch(Rectangle((bx, by), nice, (y1 - y0) * 0.008, color="black", zorder=10))
    ax.add_patch(Rectangle((bx + nice / 2, by), nice / 2, (y1 - y0) * 0.008, color="white", ec="black", zorder=11))
    ax.text(bx + nice / 2, by + (y1 - y0) * 0.015, f"{nice / 1000:g} km", ha="center", fontproperties=font,
            fontsize=9, zorder=12)


def _north_arrow(ax, font) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x, y = x1 - (x1 - x0) * 0.05, y1 - (y1 - y0) * 0.14
    length = (y1 - y0) * 0.07
    ax.add_patch(FancyArrow(x, y, 0, length, width=(x1 - x0) * 0.006, head_width=(x1 - x0) * 0.02,
                            head_length=length * 0.35, color="black", length_includes_head=True, zorder=12))
    ax.text(x, y + length * 1.1, "N 北", ha="center", va="bottom", fontproperties=font, fontsize=10, zorder=12)


def render_figure(features: Iterable[dict[str, Any]], boundaries: Iterable[dict[str, Any]],
                  context: Iterable[dict[str, Any]] = (), title: str = "", subtitle: str = "",
                  bounds: tuple[float, float, float, float] | None = None, fmt: str = "png",
                  lang: str = "zh", size_in: tuple[float, float] = (11.0, 8.0)) -> bytes:
    """A finished map figure as PNG or PDF bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    font = cjk_font()
    features = list(features)
    fig, ax = plt.subplots(figsize=size_in)
    ctx = table()["context"]
    for feat in context:
        _draw(ax, crs.metric(shape(feat["geometry"])), ctx["colour"], 1.0, "", 0.03, 1.0, 1)
    for feat in boundaries:
        colour = jurisdiction_colour(feat["properties"]["name"])
        _draw(ax, crs.metric(shape(feat["geometry"])), colour, 3.0, "", 0.04, 1.0, 2)
    for feat in features:
        p = feat["properties"]
        st = style_for(p["kind"], p.get("status"))
        _draw(ax, crs.metric(shape(feat["geometry"])), st.colour, st.weight, st.dash, st.fill_opacity, st.opacity, 5)
    if bounds:
        (x0, y0), (x1, y1) = (crs.transform_point(bounds[0], bounds[1], crs.WGS84, crs.METRIC),
                              crs.transform_point(bounds[2], bounds[3], crs.WGS84, crs.METRIC))
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
    else:
        ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    handles = []
    for _k, _s, st in legend_entries(features):
        handles.append(Line2D([0], [0], color=st.colour, linewidth=min(st.weight, 4), linestyle=_dash(st.dash),
                              label=st.label_zh if lang == "zh" else st.label_en))
    if handles:
        ax.legend(handles=handles, loc="lower right", prop=font, fontsize=8, title="图例 Legend",
                  title_fontproperties=font, framealpha=0.9, ncol=1 if len(handles) <= 14 else 2)
    _scale_bar(ax, font)
    _north_arrow(ax, font)
    if title:
        ax.set_title(title, fontproperties=font, fontsize=16, loc="left")
    note = (f"{subtitle}\n" if subtitle else "") + "坐标系 CRS: CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549) · planlayers"
    fig.text(0.01, 0.01, note, fontproperties=font, fontsize=8, color="#444")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()
