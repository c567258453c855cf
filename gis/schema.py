"""The one layer schema every digitised feature follows, and its vocabularies.

Documented for users in docs/schema.md; ``check_properties`` is what ``planlayers validate``
and ``planlayers build`` use, so the documentation and the check cannot drift apart.
"""

from __future__ import annotations

import re
from typing import Any

#: the five jurisdictions, in the order the app lists them
JURISDICTIONS: tuple[str, ...] = ("江阴市", "江阴高新区", "京口区", "无锡市", "吴江区")

JURISDICTION_EN: dict[str, str] = {
    "江阴市": "Jiangyin", "江阴高新区": "Jiangyin Hi-tech Zone", "京口区": "Jingkou District",
    "无锡市": "Wuxi", "吴江区": "Wujiang District",
}

#: kind -> (Chinese label, geometry types it may take)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "core": ("核心", ("Polygon", "MultiPolygon")),
    "zone": ("片区 / 功能区", ("Polygon", "MultiPolygon")),
    "cluster": ("组团", ("Polygon", "MultiPolygon")),
    "city": ("城 / 科学城", ("Polygon", "MultiPolygon", "Point")),
    "park": ("园区 / 开发区", ("Polygon", "MultiPolygon", "Point")),
    "greenspace": ("公园 / 绿地", ("Polygon", "MultiPolygon", "Point", "LineString", "MultiLineString")),
    "ecological": ("生态空间 / 廊道", ("Polygon", "MultiPolygon", "LineString", "MultiLineString")),
    "heritage": ("历史文化", ("Polygon", "MultiPolygon", "Point", "LineString", "MultiLineString")),
    "axis": ("发展轴", ("LineString", "MultiLineString", "Polygon", "MultiPolygon")),
    "belt": ("发展带", ("Polygon", "MultiPolygon", "LineString", "MultiLineString")),
    "direction": ("发展方向", ("LineString", "MultiLineString")),
    "node": ("节点", ("Point", "Polygon", "MultiPolygon")),
    "centre": ("中心", ("Point", "Polygon", "MultiPolygon")),
    "railway": ("铁路 / 城际", ("LineString", "MultiLineString")),
    "metro": ("轨道交通", ("LineString", "MultiLineString")),
    "road": ("道路", ("LineString", "MultiLineString")),
    "crossing": ("过江通道 / 桥 / 隧道", ("LineString", "MultiLineString", "Point")),
    "interchange": ("互通 / 枢纽", ("Point",)),
    "station": ("车站 / 客运枢纽", ("Point",)),
    "port": ("港区 / 码头", ("Point", "Polygon", "MultiPolygon")),
    "airport": ("机场", ("Point", "Polygon", "MultiPolygon")),
    "waterway": ("河道 / 航道", ("LineString", "MultiLineString", "Polygon", "MultiPolygon")),
}

#: status code -> Chinese label; ``None`` for elements that are not projects
STATUSES: dict[str, str] = {
    "existing": "已有", "built": "建成", "under_construction": "在建",
    "planned": "规划", "proposed": "谋划 / 研究", "upgrade": "改造提升",
}

ACCURACIES: dict[str, str] = {
    "schematic": "示意 (the plan gives no position: drawn to show the idea)",
    "approximate": "近似 (derived from named places; off by up to a few km)",
    "surveyed": "测绘 (from surveyed data)",
}

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LINES_RE = re.compile(r"^(\d+)(?:-(\d+))?$")

#: property -> (python types allowed, required)
PROPERTIES: dict[str, tuple[tuple[type, ...], bool]] = {
    "id": ((str,), True),
    "key": ((str, type(None)), False),
    "name": ((str,), True),
    "name_en": ((str,), True),
    "jurisdiction": ((str,), True),
    "plan": ((str,), True),
    "plan_title": ((str,), True),
    "period": ((str,), True),
    "structure": ((str,), True),
    "element": ((str,), True),
    "kind": ((str,), True),
    "status": ((str, type(None)), True),
    "status_text": ((str, type(None)), False),
    "members": ((list,), True),
    "source": ((str,), True),
    "lines": ((str,), True),
    "quote": ((str,), True),
    "citations": ((list,), False),
    "geometry_method": ((str,), True),
    "accuracy": ((str,), True),
    "basis": ((str, type(None)), False),
    "crosses_boundary": ((bool,), False),
    "outside_jurisdiction": ((bool,), False),
}


def parse_lines(lines: str) -> tuple[int, int]:
    """``"184-185"`` -> (184, 185); ``"131"`` -> (131, 131). Raises ValueError otherwise."""
    match = LINES_RE.match(str(lines).strip())
    if not match:
        raise ValueError(f"lines {lines!r} is not 'N' or 'N-M'")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if first < 1 or last < first:
        raise ValueError(f"lines {lines!r} is not an increasing 1-based range")
    return first, last


def check_properties(props: dict[str, Any], placed: bool = True) -> list[str]:
    """Problems with one feature's properties against the schema (empty list when it conforms).

    ``placed=False`` is for the catalogue of named-but-unplaced elements: no geometry, so no
    ``accuracy``; a ``reason`` instead.
    """
    problems: list[str] = []
    if not placed:
        props = {**props, "accuracy": props.get("accuracy") or "schematic"}
        if not str(props.get("reason") or "").strip():
            problems.append("an unplaced element needs a reason")
    for name, (types, required) in PROPERTIES.items():
        if name not in props:
            if required:
                problems.append(f"missing property '{name}'")
            continue
        if not isinstance(props[name], types):
            problems.append(f"property '{name}' has type {type(props[name]).__name__}")
    if problems:
        return problems
    if not ID_RE.match(props["id"]):
        problems.append(f"id {props['id']!r} is not lowercase ascii words joined by '-'")
    if props["jurisdiction"] not in JURISDICTIONS:
        problems.append(f"jurisdiction {props['jurisdiction']!r} is not one of {', '.join(JURISDICTIONS)}")
    if props["kind"] not in KINDS:
        problems.append(f"kind {props['kind']!r} is not in the vocabulary ({', '.join(KINDS)})")
    if props["status"] is not None and props["status"] not in STATUSES:
        problems.append(f"status {props['status']!r} is not one of {', '.join(STATUSES)}")
    if props["accuracy"] not in ACCURACIES:
        problems.append(f"accuracy {props['accuracy']!r} is not one of {', '.join(ACCURACIES)}")
    for field in ("name", "name_en", "quote", "geometry_method", "source", "structure", "element"):
        if not props[field].strip():
            problems.append(f"property '{field}' is empty")
    if not all(isinstance(m, str) for m in props["members"]):
        problems.append("members must be a list of strings")
    try:
        parse_lines(props["lines"])
    except ValueError as exc:
        problems.append(str(exc))
    for i, cit in enumerate(props.get("citations") or []):
        if not isinstance(cit, dict) or not {"source", "lines", "quote"} <= set(cit):
            problems.append(f"citation {i + 1} needs source, lines and quote")
    return problems


def citations(props: dict[str, Any]) -> list[dict[str, str]]:
    """All citations of a feature: the primary one first, then any further ones."""
    primary = {"source": props["source"], "lines": props["lines"], "quote": props["quote"]}
    rest = [c for c in props.get("citations") or [] if c != primary]
    return [primary, *rest]
