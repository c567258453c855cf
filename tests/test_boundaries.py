"""data/boundaries: WGS84, attributed, and in the right place (the GCJ-02 offset removed)."""

from __future__ import annotations

import csv

import pytest
import shapely

from gis import boundaries, crs
from gis.io import geometry_of, read_geojson
from gis.paths import BOUNDARIES, GAZETTEER_DATA
from gis.schema import JURISDICTIONS

REQUIRED = {"adcode", "name", "name_en", "level", "parent", "area_km2", "source", "licence", "accuracy"}
WUXI_UNITS = {"梁溪区", "锡山区", "惠山区", "滨湖区", "新吴区", "江阴市", "宜兴市"}


def geonames_point(name: str, lon_range: tuple[float, float], lat_range: tuple[float, float]) -> shapely.Point:
    """A town seat straight from the GeoNames extract (independent of the township table)."""
    with open(GAZETTEER_DATA / "geonames.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lon, lat = float(row["lon"]), float(row["lat"])
            if name in row["names_zh"].split("|") and lon_range[0] < lon < lon_range[1] and lat_range[0] < lat < lat_range[1]:
                return shapely.Point(lon, lat)
    raise AssertionError(f"{name} not in the GeoNames extract")


def test_the_five_jurisdictions_are_there_with_attributes():
    feats = read_geojson(BOUNDARIES / "jurisdictions.geojson")["features"]
    assert [f["properties"]["name"] for f in feats] == list(JURISDICTIONS)
    for f in feats:
        assert REQUIRED <= set(f["properties"])
        assert f["properties"]["area_km2"] > 10


def test_counties_include_wuxi_units_and_context():
    props = [f["properties"] for f in read_geojson(BOUNDARIES / "counties.geojson")["features"]]
    names = {p["name"] for p in props}
    assert WUXI_UNITS | {"京口区", "吴江区"} <= names
    assert {"张家港市", "常熟市", "靖江市", "润州区", "丹徒区", "青浦区", "嘉善县", "秀洲区", "南浔区", "桐乡市"} <= names
    assert {p["role"] for p in props} == {"jurisdiction", "wuxi-unit", "context"}
    assert all(REQUIRED <= set(p) for p in props)


def test_wuxi_is_the_union_of_its_seven_units():
    wuxi = boundaries.jurisdiction_geometry("无锡市")
    units = shapely.union_all([boundaries.county_geometry(n) for n in WUXI_UNITS])
    assert crs.area_km2(wuxi.symmetric_difference(units)) < 0.02 * crs.area_km2(wuxi)


def test_areas_computed_in_cgcs2000_match_official_figures():
    # official land areas: 江阴市 987.5 km², 无锡市 4627.5 km², 吴江区 1176.7 km² (water bodies make ours larger)
    area = {f["properties"]["name"]: f["properties"]["area_km2"] for f in boundaries.jurisdiction_features()}
    assert area["江阴市"] == pytest.approx(987.5, rel=0.03)
    assert area["无锡市"] == pytest.approx(4627.5, rel=0.03)
    assert area["吴江区"] == pytest.approx(1176.7, rel=0.06)


@pytest.mark.parametrize("town,county", [
    ("南闸", "江阴市"), ("青阳", "江阴市"), ("顾山", "江阴市"), ("盛泽", "吴江区"), ("七都", "吴江区"), ("桃源", "吴江区"),
])
def test_geonames_town_seats_fall_inside_the_right_boundary(town, county):
    seat = geonames_point(town, (119.3, 121.0), (30.7, 32.3))
    assert boundaries.county_geometry(county).contains(seat)
    assert boundaries.county_at(seat.x, seat.y)["name"] == county


def test_boundaries_are_not_left_in_gcj02():
    """The stored boundary, shifted into GCJ-02, must differ from itself by the 300-700 m offset."""
    jiangyin = boundaries.county_geometry("江阴市")
    shifted = crs.transform_geometry(jiangyin, "wgs84", "gcj02")
    c1, c2 = jiangyin.centroid, shifted.centroid
    assert 300 < crs.distance_m(c1.x, c1.y, c2.x, c2.y) < 700


def test_hitech_zone_is_approximate_inside_jiangyin_and_explains_itself():
    feat = next(f for f in boundaries.jurisdiction_features() if f["properties"]["name"] == "江阴高新区")
    props = feat["properties"]
    assert props["accuracy"] == "approximate"
    assert "城东街道" in props["geometry_method"] and "青阳园区" in props["geometry_method"]
    zone = geometry_of(feat)
    assert zone.within(boundaries.county_geometry("江阴市").buffer(1e-6))
    assert 10 < props["area_km2"] < 300
