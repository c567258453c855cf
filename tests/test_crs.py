"""gis.crs against published conversion pairs, not only round trips."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis import crs

# googollee/eviltransform test suite (wgsLat, wgsLng, gcjLat, gcjLng)
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]
# wandergis/coordtransform README example, input (116.404, 39.915)
COORDTRANSFORM = {
    ("wgs84", "gcj02"): (116.41024449916938, 39.91640428150164),
    ("gcj02", "bd09"): (116.41036949371029, 39.92133699351021),
    ("bd09", "gcj02"): (116.39762729119315, 39.90865673957631),
}


@pytest.mark.parametrize("wlat,wlon,glat,glon", EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_published_pairs(wlat, wlon, glat, glon):
    lon, lat = crs.transform_point(wlon, wlat, "wgs84", "gcj02")
    assert lon == pytest.approx(glon, abs=1e-8) and lat == pytest.approx(glat, abs=1e-8)


@pytest.mark.parametrize("wlat,wlon,glat,glon", EVILTRANSFORM)
def test_gcj02_to_wgs84_inverts_published_pairs_below_half_a_metre(wlat, wlon, glat, glon):
    lon, lat = crs.transform_point(glon, glat, "gcj02", "wgs84")
    assert crs.distance_m(lon, lat, wlon, wlat) < 0.5


@pytest.mark.parametrize("pair,expected", COORDTRANSFORM.items())
def test_coordtransform_published_pairs(pair, expected):
    lon, lat = crs.transform_point(116.404, 39.915, *pair)
    # the closed-form BD-09 inverse differs from our refined one by ~2 cm
    assert crs.distance_m(lon, lat, *expected) < 0.05


def test_round_trips_over_the_region_are_below_half_a_metre():
    rng = np.random.default_rng(7)
    lon = rng.uniform(119.2, 121.2, 500)
    lat = rng.uniform(30.7, 32.4, 500)
    for system in ("gcj02", "bd09"):
        f = crs.xy_func("wgs84", system)
        g = crs.xy_func(system, "wgs84")
        blon, blat = g(*f(lon, lat))
        worst = max(crs.distance_m(a, b, c, d) for a, b, c, d in zip(lon, lat, blon, blat))
        assert worst < 0.5, system


def test_gcj02_offset_in_this_region_is_a_few_hundred_metres():
    lon, lat = crs.transform_point(120.285, 31.92, "wgs84", "gcj02")  # 江阴
    assert 300 < crs.distance_m(120.285, 31.92, lon, lat) < 700


def test_outside_china_is_unchanged():
    assert crs.transform_point(2.35, 48.85, "wgs84", "gcj02") == pytest.approx((2.35, 48.85))


def test_cgcs2000_gauss_kruger_120e_is_metric_and_reversible():
    x, y = crs.transform_point(120.0, 31.5, "wgs84", "EPSG:4549")
    assert x == pytest.approx(500000.0, abs=0.01)  # central meridian: false easting
    assert 3_480_000 < y < 3_500_000
    back = crs.transform_point(x, y, "EPSG:4549", "EPSG:4326")
    assert back == pytest.approx((120.0, 31.5), abs=1e-9)


def test_geometries_and_geodataframes_convert_in_both_directions():
    poly = shapely.Polygon([(120.2, 31.8), (120.4, 31.8), (120.4, 32.0), (120.2, 31.8)])
    gcj = crs.transform_geometry(poly, "wgs84", "gcj02")
    assert gcj.geom_type == "Polygon" and not gcj.equals(poly)
    assert crs.transform_geometry(gcj, "gcj02", "wgs84").equals_exact(poly, 1e-8)
    gdf = gpd.GeoDataFrame({"name": ["a"]}, geometry=[poly], crs="EPSG:4326")
    bd = crs.from_wgs84(gdf, "bd09")
    back = crs.to_wgs84(bd, "bd09")
    assert back.geometry.iloc[0].equals_exact(poly, 1e-8)
    projected = crs.from_wgs84(gdf, "EPSG:4549")
    assert projected.crs.to_epsg() == 4549
    assert crs.to_wgs84(projected).geometry.iloc[0].equals_exact(poly, 1e-7)


@pytest.mark.parametrize("name,expected", [("Amap", "gcj02"), ("baidu", "bd09"), ("4490", "EPSG:4490"),
                                           ("EPSG:4549", "EPSG:4549"), ("cgcs2000", "EPSG:4490")])
def test_crs_names_users_type(name, expected):
    assert crs.normalize_crs(name) == expected


def test_unknown_crs_is_a_clear_error():
    with pytest.raises(crs.CRSError, match="unknown coordinate system"):
        crs.normalize_crs("mars-2")
