"""Presentation scenes: a cross-jurisdiction overview, then one scene per plan structure.

Scenes are derived from the layers (nothing to keep in sync): each has a title, the plan's
own words (the cited quotes, with file and line), the features it shows and its extent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import shape

from gis.schema import JURISDICTIONS

MAX_QUOTES = 3


@dataclass(frozen=True)
class Scene:
    key: str
    title: str
    subtitle: str
    quotes: tuple[tuple[str, str, str], ...]   # (quote, source, lines)
    features: tuple[dict[str, Any], ...]
    bounds: tuple[float, float, float, float]


def _bounds(features: list[dict[str, Any]], pad: float = 0.02) -> tuple[float, float, float, float]:
    w, s, e, n = shapely.union_all([shape(f["geometry"]) for f in features]).bounds
    return (w - pad, s - pad, e + pad, n + pad)


def build_scenes(layers: list[dict[str, Any]]) -> list[Scene]:
    """``layers``: dicts with name, title, period, jurisdiction and features (as the app loads them)."""
    ordered = sorted(layers, key=lambda l: JURISDICTIONS.index(l["jurisdiction"]) if l["jurisdiction"] in JURISDICTIONS else 99)
    everything = [f for layer in ordered for f in layer["features"]]
    scenes = [Scene(
        key="overview", title="五地规划总览 · Overview",
        subtitle="、".join(f"{l['jurisdiction']} ({l['period']})" for l in ordered),
        quotes=(), features=tuple(everything), bounds=_bounds(everything),
    )]
    for layer in ordered:
        by_structure: dict[str, list[dict[str, Any]]] = {}
        for feat in layer["features"]:
            by_structure.setdefault(feat["properties"]["structure"], []).append(feat)
        for structure, feats in by_structure.items():
            quotes = []
            for f in feats:
                p = f["properties"]
                item = (p["quote"], p["source"], p["lines"])
                if item not in quotes:
                    quotes.append(item)
            scenes.append(Scene(
                key=f"{layer['name']}:{structure}", title=structure,
                subtitle=f"{layer['title']} ({layer['period']}) · {len(feats)}",
                quotes=tuple(quotes[:MAX_QUOTES]), features=tuple(feats), bounds=_bounds(feats),
            ))
    return scenes
