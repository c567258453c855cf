"""``planlayers validate``: every layer under layers/ against RFC 7946, the schema and the plans.

One problem is one line ``file: feature id: what is wrong`` so a planner (or CI) can read
the report without a traceback. Checks:

* RFC 7946: a FeatureCollection, no ``crs`` member, lon/lat in range, right-hand rings;
* geometry: present, non-empty, valid, of a type its ``kind`` allows;
* the schema (gis.schema) and unique ids across all layers;
* place: each feature intersects its jurisdiction; one that crosses its boundary says
  ``crosses_boundary``, one wholly outside says ``outside_jurisdiction`` and why (``basis``);
* citations: when the plan texts are present, each quote stands verbatim in the cited lines
  (after the plan-text reader's cleaning, with white space ignored).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import shapely
from shapely.geometry import shape

from gis.paths import LAYERS, seeds_dir
from gis.schema import KINDS, check_properties, citations, parse_lines

@dataclass(frozen=True)
class Problem:
    file: str
    feature: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.feature}" if self.feature else self.file
        return f"{where}: {self.message}"


def layer_files(layers_dir: Path = LAYERS) -> list[Path]:
    """The layer files the catalogue and the validator read, in name order."""
    return sorted(p for p in layers_dir.glob("*.geojson") if not p.name.startswith("."))


def _ring_is_ccw(ring: list[list[float]]) -> bool:
    area2 = sum(x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:]))
    return area2 > 0


def _polygons(geometry: dict[str, Any]) -> Iterable[list]:
    if geometry["type"] == "Polygon":
        yield geometry["coordinates"]
    elif geometry["type"] == "MultiPolygon":
        yield from geometry["coordinates"]


def _positions(coords: Any) -> Iterable[list[float]]:
    if coords and isinstance(coords[0], (int, float)):
        yield coords
    else:
        for part in coords or []:
            yield from _positions(part)


def check_geometry(geometry: dict[str, Any] | None, kind: str | None) -> list[str]:
    """RFC 7946 and validity problems of one GeoJSON geometry dict."""
    if not geometry:
        return ["no geometry (unplaceable elements belong in layers/unplaced.json)"]
    problems = []
    for pos in _positions(geometry.get("coordinates")):
        if len(pos) < 2 or not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90):
            problems.append(f"position {pos} is not WGS84 lon/lat")
            break
    for polygon in _polygons(geometry):
        for i, ring in enumerate(polygon):
            if len(ring) >= 4 and _ring_is_ccw(ring) != (i == 0):
                problems.append("polygon rings are not right-hand (exterior counter-clockwise, holes clockwise)")
                break
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types on malformed input
        return [*problems, f"geometry cannot be read: {exc}"]
    if geom.is_empty:
        problems.append("geometry is empty")
    elif not geom.is_valid:
        problems.append(f"geometry is invalid: {shapely.is_valid_reason(geom)}")
    if kind in KINDS and geom.geom_type not in KINDS[kind][1]:
        problems.append(f"a {kind} cannot be a {geom.geom_type} (allowed: {', '.join(KINDS[kind][1])})")
    return problems


def check_place(props: dict[str, Any], geom: shapely.Geometry) -> list[str]:
    """A feature lies in its jurisdiction; one that crosses or lies beyond its boundary says so.

    Plans do place things outside their own territory (江阴's 靖江园区 across the river, the
    高新区's cross-river park in 泰兴): such a feature carries ``outside_jurisdiction`` and a
    ``basis`` saying why, instead of being silently accepted.
    """
    from gis.boundaries import jurisdiction_geometry

    try:
        area = jurisdiction_geometry(props["jurisdiction"])
    except KeyError as exc:
        return [str(exc)]
    if not geom.intersects(area):
        if not props.get("outside_jurisdiction"):
            return [f"does not intersect {props['jurisdiction']} and is not marked outside_jurisdiction"]
        if not (props.get("basis") or "").strip():
            return ["lies outside its jurisdiction without a basis saying why"]
        return []
    if props.get("outside_jurisdiction"):
        return [f"is marked outside_jurisdiction but intersects {props['jurisdiction']}"]
    if not props.get("crosses_boundary") and not geom.within(area.buffer(0.005)):
        return [f"crosses the boundary of {props['jurisdiction']} without crosses_boundary: true"]
    return []


@lru_cache(maxsize=None)
def _plan(source: str):
    from geocoding.plantext import load_plan

    root = seeds_dir()
    path = root / source if root else None
    return load_plan(path) if path and path.is_file() else None


def check_quotes(props: dict[str, Any]) -> list[str]:
    """Each citation's quote must stand in its cited lines (cleaned, white space ignored)."""
    from geocoding.plantext import squash

    problems = []
    for cit in citations(props):
        plan = _plan(cit["source"])
        if plan is None:
            problems.append(f"cites {cit['source']}, which is not in {seeds_dir()}")
            continue
        try:
            first, last = parse_lines(cit["lines"])
            text = plan.span(cit["lines"])
        except (ValueError, KeyError, IndexError) as exc:
            problems.append(f"lines {cit['lines']} of {cit['source']}: {exc}")
            continue
        if squash(cit["quote"]) not in squash(text):
            found = plan.find(cit["quote"])
            hint = f" (found at line {found[0]})" if found else ""
            problems.append(f"quote 「{cit['quote'][:40]}…」 is not in {cit['source']} lines {first}-{last}{hint}")
    return problems


def validate_collection(name: str, data: Any, seen: dict[str, str], with_quotes: bool) -> list[Problem]:
    """Problems of one parsed FeatureCollection; ``seen`` maps ids to files across collections."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return [Problem(name, None, "not a GeoJSON FeatureCollection")]
    problems: list[Problem] = []
    if "crs" in data:
        problems.append(Problem(name, None, "has a 'crs' member; RFC 7946 GeoJSON is always WGS84"))
    features = data.get("features")
    if not isinstance(features, list) or not features:
        return [*problems, Problem(name, None, "has no features")]
    for index, feat in enumerate(features):
        props = feat.get("properties") if isinstance(feat, dict) else None
        if not isinstance(props, dict):
            problems.append(Problem(name, f"feature {index + 1}", "has no properties"))
            continue
        fid = str(props.get("id") or f"feature {index + 1}")
        report = [*check_properties(props)]
        if isinstance(props.get("id"), str):
            if props["id"] in seen:
                report.append(f"id is used again (first in {seen[props['id']]})")
            seen.setdefault(props["id"], name)
        geom_problems = check_geometry(feat.get("geometry"), props.get("kind"))
        report += geom_problems
        if not geom_problems and isinstance(props.get("jurisdiction"), str):
            report += check_place(props, shape(feat["geometry"]))
        if with_quotes and not check_properties(props):
            report += check_quotes(props)
        problems += [Problem(name, fid, msg) for msg in report]
    return problems


def validate_unplaced(path: Path, seen: dict[str, str], with_quotes: bool) -> list[Problem]:
    """The catalogue of named-but-unplaced elements: schema and quotes, and a reason each."""
    data = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for entry in data.get("elements", []):
        fid = entry.get("id", "?")
        report = check_properties(entry, placed=False)
        if entry.get("id") in seen:
            report.append(f"id is used again (first in {seen[entry['id']]})")
        seen.setdefault(entry.get("id"), path.name)
        if with_quotes and not check_properties(entry, placed=False):
            report += check_quotes(entry)
        problems += [Problem(path.name, fid, msg) for msg in report]
    return problems


def validate(layers_dir: Path = LAYERS, files: list[Path] | None = None) -> tuple[list[Problem], dict[str, int]]:
    """Validate every layer; returns the problems and counts (files, features, quotes checked)."""
    with_quotes = seeds_dir() is not None
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    counts = {"files": 0, "features": 0, "unplaced": 0, "quotes_checked": 0}
    paths = files if files is not None else layer_files(layers_dir)
    if not paths:
        return [Problem(str(layers_dir), None, "no layers (*.geojson) found")], counts
    for path in paths:
        counts["files"] += 1
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(Problem(Path(path).name, None, f"cannot be read as JSON: {exc}"))
            continue
        counts["features"] += len(data.get("features") or []) if isinstance(data, dict) else 0
        problems += validate_collection(Path(path).name, data, seen, with_quotes)
    unplaced = layers_dir / "unplaced.json"
    if files is None and unplaced.exists():
        counts["unplaced"] = len(json.loads(unplaced.read_text(encoding="utf-8")).get("elements", []))
        problems += validate_unplaced(unplaced, seen, with_quotes)
    if with_quotes:
        counts["quotes_checked"] = counts["features"] + counts["unplaced"]
    return problems, counts
