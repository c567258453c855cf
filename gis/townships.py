"""Approximate township areas: there are no open township boundaries for these counties.

Each 镇/街道 gets the Voronoi cell of its seat among the seats of the same county,
computed in EPSG:4549 (so distances are metres, not degrees) and clipped to the county
boundary. A cell is a fair stand-in for "the area around this town" but its edges are
geometric, not legal: features built from cells say so in ``geometry_method`` and carry
``accuracy: approximate``.
"""

from __future__ import annotations

from functools import lru_cache

import shapely

from gis import crs
from gis.boundaries import county_geometry

METHOD = ("approximate township areas: Voronoi cells of the township seats (gazetteer) "
          "computed in EPSG:4549 and clipped to the county boundary")


@lru_cache(maxsize=None)
def township_cells(county: str) -> dict[str, shapely.Geometry]:
    """Township name -> approximate WGS84 area, for every township of one county-level unit."""
    from geocoding.gazetteer import default_gazetteer

    seats = default_gazetteer().townships(county)
    if not seats:
        raise KeyError(f"no townships known for {county!r}")
    boundary = crs.metric(county_geometry(county))
    points = [crs.metric(shapely.Point(p.lon, p.lat)) for p in seats]
    if len(points) == 1:
        return {seats[0].name: county_geometry(county)}
    cells = shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=boundary.envelope.buffer(10_000))
    out: dict[str, shapely.Geometry] = {}
    for place, point in zip(seats, points):
        cell = next(c for c in cells.geoms if c.covers(point))
        clipped = shapely.make_valid(cell.intersection(boundary))
        out[place.name] = crs.transform_geometry(clipped, crs.METRIC, crs.WGS84)
    return out


def township_cell(name: str, county: str) -> shapely.Geometry:
    """The approximate area of one township; KeyError names the known townships when it is not one."""
    cells = township_cells(county)
    if name not in cells:
        raise KeyError(f"{name!r} is not a township of {county} (known: {', '.join(cells)})")
    return cells[name]
