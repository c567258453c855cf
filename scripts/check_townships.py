"""Check that every township seat in geocoding/data/townships.csv lies inside its county.

    python scripts/check_townships.py [--csv PATH] [--boundaries PATH] [--quiet]

For each row it prints whether the point (WGS84) lies inside the polygon of its county in
data/boundaries/counties.geojson (matched by adcode, falling back to the county name) and,
if not, how far outside it is. Distances are measured in UTM zone 51N (EPSG:32651).

Exit status: 1 if any row of a primary county (江阴市, 京口区, 吴江区 and the units of 无锡市)
lies more than 1 km outside its county or names a county missing from the boundaries;
0 otherwise. Context counties are reported but never fail the check.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CSV = ROOT / "geocoding" / "data" / "townships.csv"
DEFAULT_BOUNDARIES = ROOT / "data" / "boundaries" / "counties.geojson"

PRIMARY = {
    "320281",  # 江阴市
    "321102",  # 京口区
    "320509",  # 吴江区
    "320213",  # 梁溪区
    "320205",  # 锡山区
    "320206",  # 惠山区
    "320211",  # 滨湖区
    "320214",  # 新吴区
    "320282",  # 宜兴市
}
TOLERANCE_M = 1000.0
METRIC_CRS = 32651


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--boundaries", type=Path, default=DEFAULT_BOUNDARIES)
    parser.add_argument("--quiet", action="store_true", help="print only rows outside their county")
    args = parser.parse_args(argv)

    counties = gpd.read_file(args.boundaries)
    if counties.crs is None or counties.crs.to_epsg() != 4326:
        counties = counties.to_crs(4326)
    metric = counties.to_crs(METRIC_CRS)
    by_adcode = {str(a): i for i, a in enumerate(counties["adcode"].astype(str))}
    by_name = {str(n): i for i, n in enumerate(counties["name"].astype(str))}

    with open(args.csv, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))

    failures = 0
    outside = 0
    for row in rows:
        adcode = str(row["adcode"]).strip()
        label = f"{row['county']}\t{row['name']}\t{row['lon']},{row['lat']}"
        idx = by_adcode.get(adcode, by_name.get(row["county"]))
        primary = adcode in PRIMARY
        if idx is None:
            print(f"NO-COUNTY\t{label}\t(county not in {args.boundaries.name})")
            if primary:
                failures += 1
            continue
        point = Point(float(row["lon"]), float(row["lat"]))
        if counties.geometry.iloc[idx].covers(point):
            if not args.quiet:
                print(f"inside\t{label}")
            continue
        outside += 1
        pm = gpd.GeoSeries([point], crs=4326).to_crs(METRIC_CRS).iloc[0]
        dist = metric.geometry.iloc[idx].distance(pm)
        # which county does it fall into instead?
        hits = [counties["name"].iloc[i] for i in range(len(counties)) if counties.geometry.iloc[i].covers(point)]
        where = f" (in {','.join(hits)})" if hits else ""
        bad = primary and dist > TOLERANCE_M
        tag = "FAIL" if bad else "OUTSIDE"
        print(f"{tag}\t{label}\t{dist:.0f} m outside{where}")
        if bad:
            failures += 1

    print(f"{len(rows)} rows, {outside} outside their county, {failures} primary rows more than "
          f"{TOLERANCE_M:.0f} m outside or unmatched")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
