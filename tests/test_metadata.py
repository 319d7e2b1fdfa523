"""Report metadata: the five seeds' expected values, and the hard cases one by one."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.parser import divisions
from transforms.parser.metadata import Metadata, extract_metadata

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
FIELDS = ("year", "body", "jurisdiction", "parent_jurisdictions", "admin_code", "published_on")
TITLE = "政府信息公开工作年度报告"


def _seed_text(path: Path) -> str:
    # The parser hands metadata the decoded, NFKC-normalised text; seed 003 is full-width.
    return unicodedata.normalize("NFKC", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem[:3])
def test_seed_metadata_equals_expected_export(seed: Path):
    expected = json.loads(seed.with_suffix(".expected.json").read_text(encoding="utf-8"))
    got = extract_metadata(_seed_text(seed))
    as_exported = {
        f: (v.isoformat() if isinstance(v, dt.date) else v) for f in FIELDS for v in [getattr(got, f)]
    }
    assert as_exported == {f: expected[f] for f in FIELDS}


def test_seed_values_spelled_out():
    # The same as the parametrised test, written out so a reader sees what each seed yields.
    by_stem = {p.stem[:3]: extract_metadata(_seed_text(p)) for p in SEEDS.glob("*.txt")}
    assert by_stem["001"] == Metadata(
        2021, "衢江区人民政府办公室", "衢江区", ["浙江省", "衢州市"], "330803", dt.date(2022, 1, 29)
    )
    assert by_stem["002"] == Metadata(2020, "二七区人民政府", "二七区", ["河南省", "郑州市"], "410103", None)
    assert by_stem["004"] == Metadata(
        2021, "中山镇人民政府", "中山镇", ["重庆市", "江津区"], "500116", dt.date(2022, 1, 21)
    )


# --- jurisdiction and admin_code -------------------------------------------------------
def test_ambiguous_name_without_context_gets_no_code():
    m = extract_metadata(f"鼓楼区人民政府2021年{TITLE}\n一、总体情况\n2021年,我区认真贯彻落实《条例》。")
    assert (m.body, m.jurisdiction, m.admin_code, m.parent_jurisdictions) == ("鼓楼区人民政府", "鼓楼区", None, [])


def test_ambiguous_name_settled_by_the_enclosing_city_in_the_text():
    m = extract_metadata(f"鼓楼区人民政府2021年{TITLE}\n2021年,在福州市委、市政府的领导下,鼓楼区…")
    assert (m.admin_code, m.parent_jurisdictions) == ("350102", ["福建省", "福州市"])


def test_ambiguous_name_with_two_enclosing_candidates_named_stays_unresolved():
    m = extract_metadata(f"鼓楼区人民政府2021年{TITLE}\n学习南京市和福州市的经验。")
    assert (m.admin_code, m.parent_jurisdictions) == (None, [])


def test_enclosing_city_outranks_a_province_mentioned_in_passing():
    m = extract_metadata(f"鼓楼区人民政府2021年{TITLE}\n在福州市委领导下,学习江苏省经验。")
    assert m.admin_code == "350102"
    # Only provinces named, and two of them: no code.
    m = extract_metadata(f"鼓楼区人民政府2021年{TITLE}\n学习江苏省经验,服务福建省大局。")
    assert m.admin_code is None


def test_ambiguous_name_settled_by_the_index_number():
    m = extract_metadata(f"索引号:350102-01/2022-00012\n鼓楼区人民政府2021年{TITLE}\n正文")
    assert m.admin_code == "350102"
    # The enclosing city's code in the 索引号 settles it as well.
    m = extract_metadata(f"索引号: 320300-01/2022-00012\n鼓楼区人民政府2021年{TITLE}\n正文")
    assert (m.admin_code, m.parent_jurisdictions) == ("320302", ["江苏省", "徐州市"])


def test_index_number_opening_with_a_unified_social_credit_code():
    m = extract_metadata(f"索引号:11350102MB1234567X/2022-00012\n鼓楼区人民政府2021年{TITLE}")
    assert (m.admin_code, m.parent_jurisdictions) == ("350102", ["福建省", "福州市"])


def test_index_number_conflicting_with_the_name_is_ignored():
    # 330803 is 衢江区: it says nothing about which 鼓楼区, so no code.
    m = extract_metadata(f"索引号: 330803-003/2022-47148\n鼓楼区人民政府2021年{TITLE}\n正文")
    assert (m.jurisdiction, m.admin_code, m.parent_jurisdictions) == ("鼓楼区", None, [])
    # A unique name stands on its own; the conflicting 索引号 does not override it.
    m = extract_metadata(f"索引号: 330803-003/2022-47148\n红旗区人民政府2021年{TITLE}\n正文")
    assert (m.admin_code, m.parent_jurisdictions) == ("410702", ["河南省", "新乡市"])


def test_municipality_district_and_the_municipality_itself():
    m = extract_metadata(f"北京市海淀区人民政府2021年{TITLE}\n发布日期:2022-01-20")
    assert (m.jurisdiction, m.admin_code, m.parent_jurisdictions) == ("海淀区", "110108", ["北京市"])
    m = extract_metadata(f"重庆市人民政府办公厅2021年{TITLE}")
    assert (m.body, m.jurisdiction, m.admin_code, m.parent_jurisdictions) == (
        "重庆市人民政府办公厅", "重庆市", "500000", []
    )


def test_province_administered_county_level_city():
    m = extract_metadata(f"济源市人民政府2021年{TITLE}")
    assert (m.admin_code, m.parent_jurisdictions) == ("419001", ["河南省"])


def test_street_office_body():
    m = extract_metadata(f"北京市西城区西长安街街道办事处2021年{TITLE}\n正文")
    assert m == Metadata(
        2021, "北京市西城区西长安街街道办事处", "西长安街街道", ["北京市", "西城区"], "110102", None
    )


def test_township_named_only_by_place_takes_its_county_from_the_text():
    text = f"现公布2020年度红星乡政府信息公开工作年度报告。\n2020年,红星乡人民政府在滑县县委、滑县人民政府的领导下…"
    m = extract_metadata(text)
    assert m == Metadata(2020, "红星乡人民政府", "红星乡", ["河南省", "安阳市", "滑县"], "410526", None)


def test_township_under_a_city_without_counties():
    m = extract_metadata(f"东莞市虎门镇人民政府2021年{TITLE}")
    assert (m.jurisdiction, m.admin_code, m.parent_jurisdictions) == ("虎门镇", "441900", ["广东省", "东莞市"])


def test_township_without_its_county_named_gets_no_code():
    # 复兴乡 is also a Taiwan entry of the table (710606): never matched.
    m = extract_metadata(f"复兴乡人民政府2021年{TITLE}\n2021年,我乡认真贯彻落实。")
    assert (m.body, m.jurisdiction, m.admin_code, m.parent_jurisdictions) == ("复兴乡人民政府", "复兴乡", None, [])


def test_generic_district_name_only_as_the_area_itself():
    m = extract_metadata(f"阳泉市城区人民政府2021年{TITLE}")
    assert (m.jurisdiction, m.admin_code) == ("城区", "140302")
    m = extract_metadata(f"新乡市红旗区城区管理局2021年{TITLE}")
    assert (m.jurisdiction, m.admin_code) == ("红旗区", "410702")


def test_names_that_start_like_pronouns_are_names():
    m = extract_metadata(f"全州县自然资源局2020年{TITLE}")
    assert (m.body, m.jurisdiction, m.admin_code) == ("全州县自然资源局", "全州县", "450324")
    m = extract_metadata(f"本溪满族自治县卫生健康委员会2020年{TITLE}")
    assert (m.body, m.admin_code) == ("本溪满族自治县卫生健康委员会", "210521")
    # …while 本机关 / 全区 are not.
    m = extract_metadata(f"现将本机关2020年{TITLE}公布如下。\n正文")
    assert m.body is None


def test_department_body_belongs_to_its_area():
    m = extract_metadata(f"新乡市红旗区教育局2021年{TITLE}")
    assert (m.body, m.jurisdiction, m.admin_code) == ("新乡市红旗区教育局", "红旗区", "410702")


def test_no_title_takes_the_area_the_text_is_about():
    text = "一、概述\n2020年,在新乡市委领导下,红旗区切实贯彻落实《条例》。红旗区不断丰富公开载体,红旗区…"
    m = extract_metadata(text)
    assert m == Metadata(2020, "红旗区人民政府", "红旗区", ["河南省", "新乡市"], "410702", None)


def test_no_title_generic_district_needs_its_city_and_organ():
    text = "2020年,在阳泉市委、市政府和矿区委、区政府的正确领导下,矿区切实贯彻落实《条例》。"
    m = extract_metadata(text)
    assert (m.body, m.jurisdiction, m.admin_code) == ("矿区人民政府", "矿区", "140303")
    # The word alone (no city, no 区委/区政府) is just a word.
    m = extract_metadata("2020年,矿区安全生产信息全部公开,矿区环境整治持续推进。")
    assert (m.body, m.jurisdiction) == (None, None)


def test_no_title_takes_the_index_number_area_when_the_text_names_it():
    text = "索引号:140303-724/2021-8033\n2020年,矿区切实贯彻落实《条例》。"
    m = extract_metadata(text)
    assert (m.jurisdiction, m.admin_code, m.parent_jurisdictions) == ("矿区", "140303", ["山西省", "阳泉市"])


def test_no_title_and_no_clear_area_gives_nothing():
    m = extract_metadata("2021年,郑州市和新乡市共同推进工作。郑州市,新乡市。")
    assert (m.year, m.body, m.jurisdiction, m.admin_code) == (2021, None, None, None)


def test_empty_text():
    assert extract_metadata("") == Metadata(None, None, None, [], None, None)


# --- title and year --------------------------------------------------------------------
def test_township_pages_as_sites_print_them():
    m = extract_metadata("当前位置:街镇 > 河包镇 > 政务公开\n河包镇2020年政府信息公开工作年度报告\n日期:2021-01-29\n")
    assert m == Metadata(2020, "河包镇人民政府", "河包镇", [], None, dt.date(2021, 1, 29))
    # A town whose name ends in 镇 before its own 镇 (湖镇镇), year first, 工作报告.
    m = extract_metadata("2020年度龙游县湖镇镇政府信息公开工作报告\n发布时间:2021-01-29\n")
    assert (m.year, m.body, m.jurisdiction, m.admin_code) == (2020, "龙游县湖镇镇人民政府", "湖镇镇", "330825")
    # No title line: the sentence that says who compiled the report.
    m = extract_metadata("根据《条例》要求,唐村镇政府编制2020年政府信息公开年度报告。如有疑问请与邹城市唐村镇人民政府联系。")
    assert (m.year, m.body, m.jurisdiction, m.admin_code) == (2020, "唐村镇政府", "唐村镇", "370883")


def test_a_sentence_citing_last_years_report_is_not_the_title():
    text = (
        "本年度报告由宜宾市翠屏区人民政府办公室编制。统计时限为2021年1月1日—12月31日。\n"
        "2021年,翠屏区政府办公室按规定及时发布区政府办公室2020年度政府信息公开年报。翠屏区…\n"
    )
    m = extract_metadata(text)
    assert (m.year, m.body, m.jurisdiction, m.admin_code) == (2021, "翠屏区人民政府", "翠屏区", "511502")


def test_body_naming_its_area_by_level_only():
    text = f"区政府办公室2021年{TITLE}\n2021年,宜宾市翠屏区人民政府办公室认真落实。翠屏区…"
    m = extract_metadata(text)
    assert (m.body, m.jurisdiction, m.admin_code) == ("翠屏区政府办公室", "翠屏区", "511502")


def test_title_with_niandu_year():
    m = extract_metadata(f"辉县市人民政府2019年度{TITLE}\n正文")
    assert (m.year, m.body) == (2019, "辉县市人民政府")


def test_year_inside_the_title_tail():
    m = extract_metadata("衢江区人民政府政府信息公开工作2021年度报告\n")
    assert (m.year, m.body, m.admin_code) == (2021, "衢江区人民政府", "330803")


def test_title_year_not_publication_year():
    text = f"发布日期:2022-01-29 11:38\n红旗区人民政府2021年{TITLE}\n2022年,我区将继续…"
    m = extract_metadata(text)
    assert (m.year, m.published_on) == (2021, dt.date(2022, 1, 29))


def test_title_quoted_in_a_sentence_with_a_leading_verb():
    m = extract_metadata(f"根据规定,现将《红旗区人民政府2021年{TITLE}》予以公布。")
    assert (m.year, m.body) == (2021, "红旗区人民政府")
    m = extract_metadata(f"根据规定,特发布衢江区人民政府办公室2020年{TITLE}。")
    assert (m.year, m.body) == (2020, "衢江区人民政府办公室")


def test_title_line_preferred_over_a_breadcrumb_and_a_reference():
    text = (
        f"首页 > 信息公开年报 > 2021年{TITLE}\n"
        "根据《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》要求\n"
        f"二七区人民政府 2021 年{TITLE}\n"
    )
    m = extract_metadata(text)
    assert (m.year, m.body, m.admin_code) == (2021, "二七区人民政府", "410103")


def test_title_with_the_year_in_chinese_numerals():
    m = extract_metadata(f"红旗区人民政府二〇二一年{TITLE}\n正文")
    assert (m.year, m.body) == (2021, "红旗区人民政府")


def test_title_wrapped_over_two_lines():
    m = extract_metadata(f"红旗区人民政府\n2021年{TITLE}\n正文")
    assert (m.year, m.body, m.admin_code) == (2021, "红旗区人民政府", "410702")
    m = extract_metadata("红旗区人民政府2021年政府信息公开\n工作年度报告\n正文")
    assert (m.year, m.body) == (2021, "红旗区人民政府")
    # A chrome line above a year-only heading is not a body.
    m = extract_metadata(f"信息公开年报\n2021年{TITLE}\n正文")
    assert (m.year, m.body) == (2021, None)


def test_township_title_wrapped_after_its_place():
    text = (
        "辉县市拍石头乡\n2021年政府信息公开工作年度报告\n2021年政府信息公开工作年度报告\n"
        "依据《国务院办公厅政府信息与政务公开办公室关于印发中华人民共和国政府信息公开工作年度报告格式的通知》编制此报告。"
        "如有疑问,请联系拍石头乡政府。\n"
    )
    m = extract_metadata(text)
    assert m == Metadata(
        2021, "辉县市拍石头乡人民政府", "拍石头乡", ["河南省", "新乡市", "辉县市"], "410782", None
    )


def test_title_wrapped_after_the_year():
    m = extract_metadata(f"红旗区人民政府2021年度\n{TITLE}\n正文")
    assert (m.year, m.body) == (2021, "红旗区人民政府")


def test_title_naming_only_a_place_keeps_the_whole_place():
    m = extract_metadata(f"深圳市福田区2021年{TITLE}")
    assert (m.body, m.jurisdiction, m.admin_code) == ("深圳市福田区人民政府", "福田区", "440304")
    m = extract_metadata(f"2021年西城区月坛街道{TITLE}")
    assert (m.body, m.jurisdiction, m.parent_jurisdictions) == ("西城区月坛街道办事处", "月坛街道", ["北京市", "西城区"])


def test_abbreviated_title_and_an_organ_reporting_about_an_area():
    m = extract_metadata("红旗区人民政府2021年政府信息公开年报\n")
    assert (m.year, m.body) == (2021, "红旗区人民政府")
    m = extract_metadata(f"红旗区人民政府办公室关于红旗区2021年{TITLE}\n")
    assert (m.year, m.body, m.jurisdiction) == (2021, "红旗区人民政府办公室", "红旗区")


def test_body_whose_government_the_title_tail_shares():
    m = extract_metadata("2021年度红旗区人民政府信息公开工作年度报告\n")
    assert (m.year, m.body, m.jurisdiction) == (2021, "红旗区人民政府", "红旗区")


def test_related_report_listed_before_the_title():
    text = (
        f"相关链接\n红旗区人民政府2020年{TITLE}\n\n红旗区人民政府2021年{TITLE}\n"
        "本报告中所列数据的统计期限为2021年1月1日至2021年12月31日。"
    )
    assert extract_metadata(text).year == 2021


def test_year_printed_after_the_title():
    m = extract_metadata(f"红旗区人民政府{TITLE}(2021年度)\n正文")
    assert (m.year, m.body) == (2021, "红旗区人民政府")


def test_title_after_long_page_chrome_is_still_found():
    text = "导航 栏目 链接\n" * 400 + f"辉县市人民政府2021年{TITLE}\n正文"
    m = extract_metadata(text)
    assert (m.year, m.body, m.admin_code) == (2021, "辉县市人民政府", "410782")


def test_title_without_a_year_names_the_body():
    # The year is then in the 统计期限 line; the portal named under the title is not the body.
    text = (
        f"# 犍为县财政局{TITLE}\n"
        "本报告中所列数据的统计期限为2019年1月1日至2019年12月31日。本年度报告电子版可在犍为县人民政府门户网站下载。\n"
        "2019年,在乐山市委、市政府的正确领导下,犍为县财政局认真贯彻落实《中华人民共和国政府信息公开条例》。\n"
    )
    assert extract_metadata(text) == Metadata(2019, "犍为县财政局", "犍为县", ["四川省", "乐山市"], "511123", None)
    text = (
        f"   苏尼特右旗教育局{TITLE}   \n"
        "本报告中所列数据的统计期限为2024年1月1日至2024年12月31日。本年度报告电子版可在苏尼特右旗人民政府门户网站下载。\n"
    )
    m = extract_metadata(text)
    assert (m.year, m.body, m.jurisdiction, m.admin_code) == (2024, "苏尼特右旗教育局", "苏尼特右旗", "152524")


def test_yearless_title_only_on_its_own_line():
    # Inside a sentence or a breadcrumb, a yearless title refers to some report: not a title.
    text = f"首页 > {TITLE}\n我局及时发布{TITLE},接受社会监督。\n2021年,二七区认真贯彻落实。二七区委、区政府\n"
    m = extract_metadata(text)
    assert (m.year, m.body, m.jurisdiction) == (2021, "二七区人民政府", "二七区")
    # A title line with its year wins over a yearless one.
    m = extract_metadata(f"相关链接\n红旗区财政局{TITLE}\n红旗区人民政府2021年{TITLE}\n")
    assert (m.year, m.body) == (2021, "红旗区人民政府")


def test_untitled_township_report_named_by_its_first_sentence():
    text = (
        "发布日期:2022-02-19 09:32:27  浏览次数:703\n一、总体情况\n"
        "2021年,红星乡人民政府深入贯彻落实政务公开决策部署,紧紧围绕县委、县政府中心工作,着力推进决策、执行、管理、服务、结果公开。\n"
        "六、其他需要报告的事项\n"
        "本单位严格落实《聊城市阳谷县人民政府办公室关于印发政务公开工作要点任务分工的通知》要求,完成政务公开各项工作。\n"
    )
    assert extract_metadata(text) == Metadata(
        2021, "红星乡人民政府", "红星乡", ["山东省", "聊城市", "阳谷县"], "371521", dt.date(2022, 2, 19)
    )
    # The portal's owner, named twice before the first sentence, is not the author.
    text = (
        "本报告中所列数据的统计期限为2020年1月1日至2020年12月31日。本年度报告电子版可在庆元县人民政府门户网站下载。\n"
        "2020年,城关镇人民政府深入贯彻落实政务公开决策部署。\n"
        "本单位严格落实《丽水市庆元县人民政府办公室关于印发政务公开工作要点任务分工的通知》要求。\n"
    )
    assert extract_metadata(text) == Metadata(
        2020, "城关镇人民政府", "城关镇", ["浙江省", "丽水市", "庆元县"], "331126", None
    )
    # After 在…领导下, and with the county written before the town.
    m = extract_metadata("2021年,在区委、区政府的正确领导下,江津区中山镇政府认真贯彻落实《条例》。\n")
    assert (m.body, m.jurisdiction, m.parent_jurisdictions, m.admin_code) == (
        "江津区中山镇人民政府", "中山镇", ["重庆市", "江津区"], "500116"
    )
    # Only the opening sentence's subject counts; 全乡 is no name.
    m = extract_metadata("2021年,全乡人民政府认真贯彻。\n")
    assert (m.body, m.jurisdiction) == (None, None)
    m = extract_metadata("2021年,二七区切实贯彻落实。\n红星乡人民政府积极配合。二七区委、区政府\n")
    assert (m.body, m.jurisdiction) == ("二七区人民政府", "二七区")


def test_implausible_year_is_not_a_title_year():
    m = extract_metadata(f"红旗区人民政府1990年{TITLE}\n本报告统计期限为2021年1月1日至2021年12月31日。")
    assert (m.year, m.body) == (2021, "红旗区人民政府")


def test_year_from_the_statistics_period_then_from_the_text():
    m = extract_metadata("本报告中所列数据的统计期限为2021年1月1日起至2021年12月31日止。2022年将…")
    assert m.year == 2021
    m = extract_metadata("一、概述\n2020年,我区认真贯彻落实。\n五、2021年,我区将…")
    assert m.year == 2020


# --- publication date ------------------------------------------------------------------
@pytest.mark.parametrize(
    "line, expected",
    [
        ("发布日期:2022-01-29 11:38", dt.date(2022, 1, 29)),
        ("公开日期: 2022-01-29", dt.date(2022, 1, 29)),
        ("发布时间:2022年1月21日", dt.date(2022, 1, 21)),
        ("发布日期 2022 年 01 月 21 日", dt.date(2022, 1, 21)),
        ("成文日期:2022/01/21", dt.date(2022, 1, 21)),
        ("公开日期:\n\n    2022-01-29", dt.date(2022, 1, 29)),
        ("发布日期:2022-02-30", None),  # not a date
        ("日期:2022-01-29  来源:红旗区", dt.date(2022, 1, 29)),  # a bare field label
        ("发布时间:[2022-01-29]", dt.date(2022, 1, 29)),
        ("统计日期为2021年1月1日-2021年12月31日", None),  # not a publication date
        ("更新时间:2023-05-01", None),  # an update, not the publication
        ("红旗区人民政府\n2022年1月21日", None),  # a signature, not a labelled date
    ],
)
def test_published_on(line: str, expected: dt.date | None):
    assert extract_metadata(f"{line}\n红旗区人民政府2021年{TITLE}").published_on == expected


def test_unlabelled_date_on_the_line_under_the_title():
    text = f"东安区人民政府办公室2021年{TITLE}\n2022/1/29 14:59:38 来源:区政府办\n\n一、总体情况\n"
    assert extract_metadata(text).published_on == dt.date(2022, 1, 29)
    # Further down, or not under a title line, a date is text, not the publication date.
    text = f"东安区人民政府办公室2021年{TITLE}\n一、总体情况\n本年度……\n2022/1/29\n"
    assert extract_metadata(text).published_on is None
    text = f"经研究,现公布东安区人民政府办公室2021年{TITLE}。\n2022-01-29\n"
    assert extract_metadata(text).published_on is None


def test_publication_label_preferred_over_the_date_of_writing():
    text = f"成文日期:2022-01-10\n发布日期:2022-01-21\n红旗区人民政府2021年{TITLE}"
    assert extract_metadata(text).published_on == dt.date(2022, 1, 21)


def test_publication_date_found_at_the_end_of_a_long_page():
    text = f"红旗区人民政府2021年{TITLE}\n" + "正文。" * 2000 + "\n发布时间:2022-01-25"
    assert extract_metadata(text).published_on == dt.date(2022, 1, 25)


# --- property: a code is right or absent, never a guess ---------------------------------
_AREAS = [
    d for d in divisions.all_divisions() if d.mainland and d.level != "province" and divisions.same_area(d) is d
]
_AMBIGUOUS = [d for d in _AREAS if len({divisions.same_area(x).admin_code for x in divisions.lookup_name(d.name)}) > 1]
_SUFFIXES = ("人民政府", "人民政府办公室", "财政局", "教育局", "卫生健康委员会", "市场监督管理局")


@settings(max_examples=400, deadline=None)
@given(
    area=st.one_of(st.sampled_from(_AREAS), st.sampled_from(_AMBIGUOUS)),
    suffix=st.sampled_from(_SUFFIXES),
    year=st.integers(2008, 2035),
    city_named=st.booleans(),
    published=st.one_of(st.none(), st.dates(dt.date(2009, 1, 1), dt.date(2036, 12, 31))),
    date_style=st.sampled_from(("发布日期:{:%Y-%m-%d}", "公开日期: {:%Y-%m-%d %H:%M}", "发布时间:{d.year}年{d.month}月{d.day}日")),
)
def test_metadata_of_any_area_is_exact_or_unresolved(area, suffix, year, city_named, published, date_style):
    lines = ["当前位置:首页 > 政务公开 > 信息公开年报"]
    if published:
        lines.append(date_style.format(published, d=published))
    lines.append(f"{area.name}{suffix}{year}年{TITLE}")
    enclosing = area.city if area.level == "county" and area.city else area.province
    if city_named and enclosing != area.name:
        lines.append(f"{year}年,在{enclosing}委的正确领导下,我单位认真贯彻落实《条例》。")
    m = extract_metadata("\n".join(lines))

    assert (m.year, m.body, m.jurisdiction, m.published_on) == (year, area.name + suffix, area.name, published)
    same_name = {divisions.same_area(d).admin_code for d in divisions.lookup_name(area.name) if d.mainland}
    if len(same_name) == 1:
        assert (m.admin_code, m.parent_jurisdictions) == (area.admin_code, divisions.parents(area.admin_code))
    elif city_named and area.level == "county" and area.city:
        # The enclosing city settles an ambiguous name (no two 鼓楼区 share a city).
        assert (m.admin_code, m.parent_jurisdictions) == (area.admin_code, divisions.parents(area.admin_code))
    else:
        assert (m.admin_code, m.parent_jurisdictions) == (None, [])


@pytest.mark.parametrize("city_named", [False, True])
def test_every_area_of_the_table_is_exact_or_unresolved(city_named):
    wrong = []
    for area in _AREAS:
        text = f"{area.name}人民政府2021年{TITLE}\n"
        if city_named and area.level == "county" and area.city:
            text += f"2021年,在{area.city}委的正确领导下,我区认真贯彻落实《条例》。"
        m = extract_metadata(text)
        same_name = {divisions.same_area(d).admin_code for d in divisions.lookup_name(area.name) if d.mainland}
        resolvable = len(same_name) == 1 or (city_named and area.level == "county" and area.city)
        want = (area.admin_code, divisions.parents(area.admin_code)) if resolvable else (None, [])
        if (m.jurisdiction, m.admin_code, m.parent_jurisdictions) != (area.name, *want):
            wrong.append((area.admin_code, area.name, m.jurisdiction, m.admin_code))
    assert wrong == []


_PIECES = (
    TITLE, "年度", "年", "月", "日", "2021", "二〇二一", "1990", "-", "/", ":", "\n", " ", "《", "》", ",", "。",
    "发布日期", "成文日期", "日期", "索引号", "330803", "11350102MB1234567X", "统计期限为", "人民政府", "办公室",
    "关于", "现公布", "红旗区", "鼓楼区", "福州市", "城区", "和县", "中山镇", "街道", "镇", "乡", "市", "区", "县",
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=40))
def test_any_text_gives_metadata_without_raising(pieces):
    m = extract_metadata("".join(pieces))
    assert m.year is None or 2008 <= m.year <= 2035
    assert m.admin_code is None or (len(m.admin_code) == 6 and divisions.by_code(m.admin_code) is not None)
    assert (m.admin_code is None) <= (m.parent_jurisdictions == [])


def test_untitled_township_in_an_area_with_a_generic_name():
    # 矿区 is an ordinary word too; right after its city and before its organ it is the area.
    text = (
        "2021年,安乐乡人民政府深入贯彻落实政务公开决策部署。\n"
        "本单位严格落实《阳泉市矿区人民政府办公室关于印发政务公开工作要点任务分工的通知》要求。\n"
    )
    assert extract_metadata(text) == Metadata(
        2021, "安乐乡人民政府", "安乐乡", ["山西省", "阳泉市", "矿区"], "140303", None
    )
    # Without its city, 矿区 stays a word: no county, no code.
    m = extract_metadata("2021年,安乐乡人民政府深入贯彻落实。\n本乡矿区人民政府门前…矿区人民政府\n")
    assert (m.body, m.jurisdiction, m.parent_jurisdictions, m.admin_code) == ("安乐乡人民政府", "安乐乡", [], None)
