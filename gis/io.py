"""Reading and writing the project's GeoJSON: deterministic, RFC 7946, atomic.

Every file the toolkit writes goes through :func:`atomic_write` so that an interrupted run
never leaves a half-written layer behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.polygon import orient

#: decimals kept in stored coordinates: 1e-6 degrees is about 0.1 m
PRECISION = 6


@contextmanager
def atomic_write(path: str | Path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None) -> Iterator[Any]:
    """Write to a temporary file beside ``path`` and rename it into place only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        binary = "b" in mode
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else newline) as handle:
            yield handle
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def rfc7946(geom: shapely.Geometry, precision: int = PRECISION) -> shapely.Geometry:
    """Round coordinates and orient polygon rings right-hand (exterior counter-clockwise)."""
    geom = shapely.set_precision(geom, 10 ** -precision) if precision else geom
    if geom.geom_type == "Polygon":
        return orient(geom, 1.0)
    if geom.geom_type == "MultiPolygon":
        return shapely.MultiPolygon([orient(p, 1.0) for p in geom.geoms])
    if geom.geom_type == "GeometryCollection":
        return shapely.GeometryCollection([rfc7946(g, 0) for g in geom.geoms])
    return geom


def feature(geom: shapely.Geometry | None, properties: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON Feature dict; geometry is rounded and oriented."""
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": mapping(rfc7946(geom)) if geom is not None else None,
    }


def dumps(features: list[dict[str, Any]], **extra: Any) -> str:
    """Serialise a FeatureCollection: stable key order, one feature per line, UTF-8 Chinese kept."""
    head = {"type": "FeatureCollection", **extra}
    body = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    head_json = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    return f'{head_json},"features":[\n{body}\n]}}\n'


def write_geojson(path: str | Path, features: list[dict[str, Any]], **extra: Any) -> None:
    """Write a FeatureCollection atomically."""
    with atomic_write(path) as handle:
        handle.write(dumps(features, **extra))


def read_geojson(path: str | Path) -> dict[str, Any]:
    """Read a GeoJSON file as a dict (no geometry parsing)."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def geometry_of(feat: dict[str, Any]) -> shapely.Geometry | None:
    """The shapely geometry of a GeoJSON feature dict, or None."""
    geom = feat.get("geometry")
    return shape(geom) if geom else None
