"""The offline gazetteer: written forms, homonyms, aliases, reverse lookups and coordinate input."""

from __future__ import annotations

import csv

import pytest

from geocoding.gazetteer import GeocodeError, default_gazetteer
from geocoding.normalize import normalize, strip_suffix
from gis import boundaries, crs
from gis.paths import GAZETTEER_DATA


@pytest.fixture(scope="module")
def gaz():
    return default_gazetteer()


def top(gaz, query, within=None):
    found = gaz.lookup(query, within=within)
    assert found, f"{query} not found"
    return found[0]


@pytest.mark.parametrize("query,name,county", [
    ("青阳镇", "青阳镇", "江阴市"),
    ("青阳", "青阳镇", "江阴市"),
    ("江阴市青阳镇", "青阳镇", "江阴市"),
    ("江苏省无锡市江阴市青阳镇", "青阳镇", "江阴市"),
    ("青陽鎮", "青阳镇", "江阴市"),               # traditional characters
    ("盛 泽 镇", "盛泽镇", "吴江区"),             # stray spaces from PDF extraction
    ("ＳＨＥＮＧ盛泽", None, None),               # full width garbage: no crash, maybe no match
    ("谏壁街道", "谏壁街道", "京口区"),
    ("大市口街道", "大市口街道", "京口区"),
    ("江陵街道", "江陵街道", "吴江区"),
    ("徐霞客镇", "徐霞客镇", "江阴市"),
    ("鸿山街道", "鸿山街道", "新吴区"),
    ("丁蜀镇", "丁蜀镇", "宜兴市"),
    ("无锡市", "无锡市", None),
    ("京口", "京口区", "京口区"),
])
def test_written_forms_resolve(gaz, query, name, county):
    found = gaz.lookup(query)
    if name is None:
        return
    assert found and found[0].place.name == name and not found[0].ambiguous
    if county:
        assert found[0].place.county == county


@pytest.mark.parametrize("query,hint,county", [
    ("周庄", "江阴市", "江阴市"), ("周庄镇", "昆山市", "昆山市"),
    ("新桥", "江阴市", "江阴市"), ("新桥镇", "江阴市", "江阴市"),
    ("桃源", "吴江区", "吴江区"),
])
def test_a_hint_picks_the_homonym(gaz, query, hint, county):
    c = top(gaz, query, within=hint)
    assert c.place.county == county and not c.ambiguous


def test_a_homonym_of_a_jurisdiction_town_ranks_it_first_but_still_flags_it(gaz):
    found = gaz.lookup("城东街道")  # 城东街道 exists in several counties besides 江阴
    assert found[0].place.county == "江阴市" and found[0].ambiguous
    assert not top(gaz, "城东街道", "江阴市").ambiguous


@pytest.mark.parametrize("query", ["周庄", "新桥", "桃源", "城东街道"])
def test_homonyms_without_a_hint_are_all_returned_flagged(gaz, query):
    found = gaz.lookup(query)
    flagged = [c for c in found if c.ambiguous]
    assert len(flagged) >= 2
    assert len({c.place.county for c in flagged}) >= 2
    with pytest.raises(GeocodeError, match="ambiguous"):
        gaz.resolve_one(query)


def test_an_address_prefix_is_a_hint(gaz):
    assert top(gaz, "江阴市周庄镇").place.county == "江阴市"
    assert top(gaz, "苏州市昆山市周庄镇").place.county == "昆山市"


def test_unknown_names_return_nothing(gaz):
    assert gaz.lookup("不存在的地方名") == []
    assert gaz.lookup("") == []


def test_every_township_of_the_jurisdictions_resolves_inside_its_county(gaz):
    with open(GAZETTEER_DATA / "townships.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle)]
    primary = {"江阴市", "京口区", "吴江区", "梁溪区", "锡山区", "惠山区", "滨湖区", "新吴区", "宜兴市"}
    rows = [r for r in rows if r["county"] in primary]
    assert len(rows) >= 90
    for row in rows:
        c = top(gaz, row["name"], within=row["county"])
        assert c.place.county == row["county"], row["name"]
        assert boundaries.county_geometry(row["county"]).buffer(0.01).contains(
            __import__("shapely").Point(c.place.lon, c.place.lat)), row["name"]


def test_every_place_has_provenance(gaz):
    for p in gaz.places:
        assert p.source and p.method and p.accuracy_m > 0, p.name


def test_reverse_geocoding_gives_township_and_jurisdictions(gaz):
    seat = top(gaz, "青阳镇", "江阴市").place
    r = gaz.reverse(seat.lon + 0.003, seat.lat)
    assert r["township"] == "青阳镇" and r["county"] == "江阴市"
    assert set(r["jurisdictions"]) >= {"江阴市", "无锡市"}


def test_reverse_accepts_amap_coordinates(gaz):
    seat = top(gaz, "盛泽镇", "吴江区").place
    glon, glat = crs.transform_point(seat.lon, seat.lat, "wgs84", "gcj02")
    wlon, wlat = crs.transform_point(glon, glat, "gcj02", "wgs84")
    assert gaz.reverse(wlon, wlat)["township"] == "盛泽镇"


def test_normalisation():
    assert normalize("青陽鎮 ") == "青阳镇"
    assert normalize("ＡＢＣ１２３") == "abc123"
    assert strip_suffix("城东街道") == "城东"
    assert strip_suffix("镇") == "镇"
