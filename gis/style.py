"""Reading the one style table (gis/styles.yaml) for the app and the exports.

``style_for(kind, status)`` gives the same look to a feature in the browser and in QGIS;
``legend_entries`` lists exactly the (kind, status) pairs present, so a legend never shows
what is not drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

import yaml

from gis.paths import STYLES
from gis.schema import KINDS, STATUSES


@dataclass(frozen=True)
class Style:
    colour: str
    fill_opacity: float
    weight: float
    dash: str
    opacity: float
    label_zh: str
    label_en: str

    def leaflet(self, opacity_scale: float = 1.0) -> dict[str, Any]:
        """A Leaflet path style (folium style_function result)."""
        return {
            "color": self.colour, "weight": self.weight, "opacity": self.opacity * opacity_scale,
            "fillColor": self.colour, "fillOpacity": self.fill_opacity * opacity_scale,
            "dashArray": self.dash or None,
        }


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    """The parsed style table, checked against the schema's vocabularies."""
    data = yaml.safe_load(STYLES.read_text(encoding="utf-8"))
    missing = set(KINDS) - set(data["kinds"])
    if missing:
        raise ValueError(f"styles.yaml lacks kinds: {', '.join(sorted(missing))}")
    missing = (set(STATUSES) | {"none"}) - set(data["statuses"])
    if missing:
        raise ValueError(f"styles.yaml lacks statuses: {', '.join(sorted(missing))}")
    return data


def style_for(kind: str, status: str | None) -> Style:
    """The style of a feature of this kind and status (unknown kinds fall back to grey)."""
    t = table()
    k = t["kinds"].get(kind, {"colour": "#737373", "fill_opacity": 0.2, "weight": 2, "label_zh": kind, "label_en": kind})
    s = t["statuses"][status or "none"]
    label_zh = k["label_zh"] if not status else f"{k['label_zh']} · {s['label_zh']}"
    label_en = k["label_en"] if not status else f"{k['label_en']} · {s['label_en']}"
    return Style(k["colour"], k["fill_opacity"], k["weight"], s["dash"], s["opacity"], label_zh, label_en)


def legend_entries(features: Iterable[dict[str, Any]]) -> list[tuple[str, str | None, Style]]:
    """(kind, status, style) for each combination present, in the table's kind order."""
    present = {(f["properties"]["kind"], f["properties"].get("status")) for f in features}
    order = list(table()["kinds"])
    status_order = list(table()["statuses"])
    ranked = sorted(present, key=lambda ks: (order.index(ks[0]) if ks[0] in order else 99,
                                             status_order.index(ks[1] or "none")))
    return [(k, s, style_for(k, s)) for k, s in ranked]


def jurisdiction_colour(name: str) -> str:
    return table()["jurisdictions"].get(name, {}).get("colour", "#333333")


def point_radius() -> int:
    return int(table()["point_radius"])
