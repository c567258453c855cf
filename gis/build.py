"""``planlayers build``: specs (layers/specs/*.yaml) -> layers/<plan>.geojson + layers/unplaced.json.

The build is the only writer of layers/. It derives every geometry from the spec's recipe
(docs/specs.md) and the gazetteer, and writes down how in ``geometry_method``:

* area   — union of approximate township cells (gis.townships) of the members; members that
           are not townships become discs around their gazetteer point; clipped to the jurisdiction;
* line   — a smoothed line (Chaikin corner cutting) through the geocoded waypoints, in order;
* belt   — that line buffered to ``width_m``, clipped to the jurisdiction;
* point  — the gazetteer point;
* part   — the northern / middle / southern (east / centre / west) third of an area built
           earlier in the same spec, where the plan places an element only relative to it;
* none   — no geometry: the element goes to the catalogue of named-but-unplaced elements.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
import yaml

from gis import crs
from gis.io import atomic_write, dumps, feature
from gis.paths import LAYERS, SPECS
from gis.schema import JURISDICTIONS, check_properties

DEFAULT_DISC_M = 1500.0
DEFAULT_BELT_M = 3000.0
CHAIKIN_PASSES = 3
PLAN_KEYS = {"id", "source", "title", "title_en", "jurisdiction", "period"}
FEATURE_KEYS = {
    "id", "key", "name", "name_en", "structure", "element", "kind", "status", "status_text", "members",
    "cite", "geometry", "accuracy", "basis",
}  # crosses_boundary / outside_jurisdiction are derived from the geometry by the build, never written


class SpecError(ValueError):
    """A spec that cannot be built; the message names the file and the feature."""


@dataclass
class BuildResult:
    plan: dict[str, Any]
    features: list[dict[str, Any]] = field(default_factory=list)
    unplaced: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def load_spec(path: Path) -> dict[str, Any]:
    """Read and shape-check one spec file."""
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SpecError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("plan"), dict) or not isinstance(spec.get("features"), list):
        raise SpecError(f"{path.name}: a spec needs a 'plan' mapping and a 'features' list")
    missing = PLAN_KEYS - set(spec["plan"])
    if missing:
        raise SpecError(f"{path.name}: plan lacks {', '.join(sorted(missing))}")
    if spec["plan"]["jurisdiction"] not in JURISDICTIONS:
        raise SpecError(f"{path.name}: jurisdiction {spec['plan']['jurisdiction']!r} is not one of {', '.join(JURISDICTIONS)}")
    return spec


# -- geometry recipes ---------------------------------------------------------------------
def chaikin(coords: list[tuple[float, float]], passes: int = CHAIKIN_PASSES) -> list[tuple[float, float]]:
    """Corner cutting that keeps both ends: a polyline through waypoints becomes a smooth curve."""
    pts = list(coords)
    for _ in range(passes):
        if len(pts) < 3:
            break
        out = [pts[0]]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            out.append((0.75 * x0 + 0.25 * x1, 0.75 * y0 + 0.25 * y1))
            out.append((0.25 * x0 + 0.75 * x1, 0.25 * y0 + 0.75 * y1))
        out.append(pts[-1])
        pts = [p for i, p in enumerate(out) if i == 0 or p != out[i - 1]]
    return pts


class Placer:
    """Resolves spec names to places and geometries for one plan, recording provenance."""

    def __init__(self, plan: dict[str, Any]):
        from geocoding.gazetteer import default_gazetteer

        self.plan = plan
        self.gaz = default_gazetteer()
        self.notes: list[str] = []

    def place(self, name: str, within: str | None):
        from geocoding.gazetteer import GeocodeError

        hint = within or _gazetteer_area(self.plan["jurisdiction"])
        attempts = [(hint, True), (hint, False)] if within else [(hint, True), (hint, False), (None, True), (None, False)]
        errors = []
        # the project's reviewed tables first, inside the plan's area; then GeoNames; then
        # outside the area (靖江园区 for 江阴 lies across the river)
        for area, curated in attempts:
            try:
                return self.gaz.resolve_one(name, within=area, curated_only=curated)
            except GeocodeError as exc:
                errors.append(str(exc))
        raise SpecError(errors[-1] if len(set(errors)) == 1 else "; ".join(dict.fromkeys(errors)))

    def _describe(self, p) -> str:
        return f"{p.name} ({p.source}; {p.method}; ±{p.accuracy_m:.0f} m)"

    def disc(self, name: str, within: str | None, radius_m: float) -> shapely.Geometry:
        """A schematic extent: a disc around one place, whatever kind of place it is."""
        p = self.place(name, within)
        self.notes.append(f"disc of {radius_m:.0f} m around {self._describe(p)}")
        return crs.buffer_m(shapely.Point(p.lon, p.lat), radius_m)

    def area(self, members: list[str], within: str | None, radius_m: float) -> shapely.Geometry:
        from gis.boundaries import county_geometry
        from gis.townships import METHOD, township_cell

        parts, cells, discs, units = [], [], [], []
        for name in members:
            p = self.place(name, within)
            if p.kind == "township":
                parts.append(township_cell(p.name, p.county))
                cells.append(p.name)
            elif p.kind in ("county", "jurisdiction"):
                parts.append(county_geometry(p.name))
                units.append(p.name)
            else:
                parts.append(crs.buffer_m(shapely.Point(p.lon, p.lat), radius_m))
                discs.append(f"disc of {radius_m:.0f} m around {self._describe(p)}")
        if cells:
            self.notes.append(f"union of the township areas of {'、'.join(cells)} ({METHOD})")
        if units:
            self.notes.append(f"boundaries of {'、'.join(units)} (data/boundaries)")
        self.notes += discs
        return shapely.union_all(parts)

    def point(self, ref: Any, within: str | None) -> tuple[float, float]:
        if isinstance(ref, (list, tuple)) and len(ref) == 2 and all(isinstance(v, (int, float)) for v in ref):
            self.notes.append(f"coordinate [{ref[0]}, {ref[1]}] from the spec (see basis)")
            return float(ref[0]), float(ref[1])
        if not isinstance(ref, str):
            raise SpecError(f"waypoint {ref!r} is neither a name nor [lon, lat]")
        p = self.place(ref, within)
        self.notes.append(self._describe(p))
        return p.lon, p.lat

    def line(self, waypoints: list[Any], within: str | None) -> shapely.LineString:
        if not isinstance(waypoints, list) or len(waypoints) < 2:
            raise SpecError("a line needs at least two waypoints")
        pts = [self.point(w, within) for w in waypoints]
        self.notes.insert(0, f"line through {len(pts)} waypoints in order, smoothed by Chaikin corner cutting "
                             f"({CHAIKIN_PASSES} passes); waypoints:")
        return shapely.LineString(chaikin(pts))


def _gazetteer_area(jurisdiction: str) -> str:
    """The area a plan's names are looked up in: the 高新区's towns are 江阴市's."""
    return "江阴市" if jurisdiction == "江阴高新区" else jurisdiction


#: side -> (axis, band) as fractions of the extent: 0 is south/west, 1 is north/east
SIDES: dict[str, tuple[str, float, float]] = {
    "north": ("y", 2 / 3, 1.0), "middle": ("y", 1 / 3, 2 / 3), "south": ("y", 0.0, 1 / 3),
    "east": ("x", 2 / 3, 1.0), "centre": ("x", 1 / 3, 2 / 3), "west": ("x", 0.0, 1 / 3),
}


def part_of(geom: shapely.Geometry, side: str) -> shapely.Geometry:
    """The northern (southern, middle …) third of an area, cut in EPSG:4549 so thirds are in metres."""
    if side not in SIDES:
        raise SpecError(f"side must be one of {', '.join(SIDES)}, not {side!r}")
    axis, lo, hi = SIDES[side]
    m = crs.metric(geom)
    minx, miny, maxx, maxy = m.bounds
    if axis == "y":
        box = shapely.box(minx - 1, miny + lo * (maxy - miny), maxx + 1, miny + hi * (maxy - miny))
    else:
        box = shapely.box(minx + lo * (maxx - minx), miny - 1, minx + hi * (maxx - minx), maxy + 1)
    return crs.transform_geometry(m.intersection(box), crs.METRIC, crs.WGS84)


def make_geometry(spec_feature: dict[str, Any], plan: dict[str, Any],
                  built: dict[str, shapely.Geometry] | None = None) -> tuple[shapely.Geometry | None, str]:
    """The geometry and its ``geometry_method`` for one spec feature (None for type none).

    ``built`` holds the geometries of the plan's features built so far, for ``part`` recipes.
    """
    from gis.boundaries import jurisdiction_geometry

    recipe = spec_feature.get("geometry")
    if not isinstance(recipe, dict) or "type" not in recipe:
        raise SpecError("needs a geometry mapping with a type (area, line, belt, point, none)")
    kind = recipe["type"]
    within = recipe.get("within")
    refs = [*(recipe.get("waypoints") or []), recipe.get("at")]
    if any(isinstance(r, (list, tuple)) for r in refs) and not str(spec_feature.get("basis") or "").strip():
        raise SpecError("a place given as [lon, lat] needs a basis saying where the coordinate comes from")
    placer = Placer(plan)
    clip_default = kind in ("area", "belt")
    if kind == "none":
        return None, "not placed: " + str(recipe.get("reason") or "").strip()
    if kind == "area":
        radius = float(recipe.get("radius_m", DEFAULT_DISC_M))
        if "around" in recipe:
            geom = placer.disc(recipe["around"], within, radius)
        elif recipe.get("members"):
            geom = placer.area(list(recipe["members"]), within, radius)
        else:
            raise SpecError("an area needs members or around")
    elif kind == "line":
        geom = placer.line(recipe.get("waypoints"), within)
    elif kind == "belt":
        width = float(recipe.get("width_m", DEFAULT_BELT_M))
        geom = crs.buffer_m(placer.line(recipe.get("waypoints"), within), width / 2)
        placer.notes.append(f"buffered to a belt {width:.0f} m wide")
    elif kind == "point":
        if "at" not in recipe:
            raise SpecError("a point needs at")
        geom = shapely.Point(placer.point(recipe["at"], within))
    elif kind == "part":
        whole = (built or {}).get(recipe.get("of"))
        if whole is None or whole.geom_type not in ("Polygon", "MultiPolygon"):
            raise SpecError(f"part: 'of' must name an area feature built earlier in this spec, not {recipe.get('of')!r}")
        geom = part_of(whole, recipe.get("side"))
        placer.notes.append(f"the {recipe.get('side')} third of the extent of {recipe['of']} (cut in EPSG:4549), "
                            f"where the plan puts it relative to that feature")
    else:
        raise SpecError(f"unknown geometry type {kind!r} (area, line, belt, point, part, none)")
    clip = recipe.get("clip", "jurisdiction" if clip_default else "none")
    if clip == "jurisdiction":
        area = jurisdiction_geometry(plan["jurisdiction"])
        clipped = geom.intersection(area)
        if clipped.is_empty:
            raise SpecError(f"lies wholly outside {plan['jurisdiction']}: use clip: none")
        geom = clipped
        placer.notes.append(f"clipped to {plan['jurisdiction']}")
    elif clip != "none":
        raise SpecError(f"clip must be jurisdiction or none, not {clip!r}")
    geom = _tidy(geom)
    return geom, "; ".join(placer.notes)


def _tidy(geom: shapely.Geometry) -> shapely.Geometry:
    """Valid, and of one dimension: clipping can leave stray points or slivers of lower dimension."""
    geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        top = max(g.dimension for g in geom.geoms)
        parts = [g for g in geom.geoms if g.dimension == top]
        geom = shapely.union_all(parts)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = geom.buffer(0)
    if geom.geom_type == "MultiLineString":
        geom = shapely.line_merge(geom)
    return geom


# -- features -----------------------------------------------------------------------------
def _properties(sf: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    cites = sf.get("cite")
    if not isinstance(cites, list) or not cites or not all(isinstance(c, dict) for c in cites):
        raise SpecError("needs cite: a list of {lines, quote}")
    primary = cites[0]
    props: dict[str, Any] = {
        "id": sf.get("id"), "key": sf.get("key"), "name": sf.get("name"), "name_en": sf.get("name_en"),
        "jurisdiction": plan["jurisdiction"], "plan": plan["id"], "plan_title": plan["title"],
        "period": str(plan["period"]), "structure": sf.get("structure"), "element": sf.get("element"),
        "kind": sf.get("kind"), "status": sf.get("status"), "status_text": sf.get("status_text"),
        "members": list(sf.get("members") or []), "source": plan["source"],
        "lines": str(primary.get("lines", "")), "quote": str(primary.get("quote", "")),
        "citations": [{"source": plan["source"], "lines": str(c.get("lines", "")), "quote": str(c.get("quote", ""))}
                      for c in cites[1:]],
        "accuracy": sf.get("accuracy"), "basis": (str(sf["basis"]).strip() if sf.get("basis") else None),
    }
    return props


def build_spec(spec: dict[str, Any], name: str = "spec") -> BuildResult:
    """Build one parsed spec; errors are collected per feature rather than stopping the run."""
    from gis.boundaries import jurisdiction_geometry

    plan = spec["plan"]
    result = BuildResult(plan=plan)
    built: dict[str, shapely.Geometry] = {}
    for index, sf in enumerate(spec["features"]):
        fid = sf.get("id", f"#{index + 1}") if isinstance(sf, dict) else f"#{index + 1}"
        try:
            if not isinstance(sf, dict):
                raise SpecError("a feature must be a mapping")
            unknown = set(sf) - FEATURE_KEYS
            if unknown:
                raise SpecError(f"unknown keys {', '.join(sorted(unknown))}")
            props = _properties(sf, plan)
            geom, method = make_geometry(sf, plan, built)
            props["geometry_method"] = method
            if geom is None:
                props["reason"] = str(sf["geometry"].get("reason") or "").strip()
                props["accuracy"] = None
                problems = check_properties(props, placed=False)
                if problems:
                    raise SpecError("; ".join(problems))
                result.unplaced.append(props)
                continue
            area = jurisdiction_geometry(plan["jurisdiction"])
            props["crosses_boundary"] = not geom.within(area.buffer(0.005))
            props["outside_jurisdiction"] = not geom.intersects(area)
            problems = check_properties(props)
            if problems:
                raise SpecError("; ".join(problems))
            result.features.append(feature(geom, props))
            built[props["id"]] = geom
        except SpecError as exc:
            result.errors.append(f"{name}: {fid}: {exc}")
    return result


def spec_files(specs_dir: Path = SPECS) -> list[Path]:
    return sorted(specs_dir.glob("*.yaml"))


def build_all(specs_dir: Path = SPECS, out_dir: Path = LAYERS, write: bool = True) -> tuple[list[BuildResult], list[str]]:
    """Build every spec; write layers only when all specs build without errors (no half-built layers)."""
    results, errors = [], []
    for path in spec_files(specs_dir):
        try:
            spec = load_spec(path)
        except SpecError as exc:
            errors.append(str(exc))
            continue
        result = build_spec(spec, path.name)
        results.append(result)
        errors += result.errors
    if write and not errors:
        for result in results:
            write_layer(out_dir, result)
        write_unplaced(out_dir, results)
    return results, errors


def layer_text(result: BuildResult) -> str:
    """The exact text of a plan's layer file (also used by the reproducibility test)."""
    plan = result.plan
    return dumps(result.features, name=plan["id"], title=plan["title"], title_en=plan["title_en"],
                 jurisdiction=plan["jurisdiction"], period=str(plan["period"]), source=plan["source"])


def unplaced_text(results: list[BuildResult]) -> str:
    elements = [e for r in results for e in r.unplaced]
    body = {"description": "elements the plans name but do not place; no geometry is invented for them",
            "elements": elements}
    return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def write_layer(out_dir: Path, result: BuildResult) -> Path:
    path = out_dir / f"{result.plan['id']}.geojson"
    with atomic_write(path) as handle:
        handle.write(layer_text(result))
    return path


def write_unplaced(out_dir: Path, results: list[BuildResult]) -> Path:
    path = out_dir / "unplaced.json"
    with atomic_write(path) as handle:
        handle.write(unplaced_text(results))
    return path
