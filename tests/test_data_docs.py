"""Data Docs pages made offline and readable: the rewriting on its own, on pages as GX writes them."""

from __future__ import annotations

import pytest

from transforms.quality import data_docs

GX_HEAD = (
    '<link href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css" rel="stylesheet">'
    '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
    '<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=20261205T125149Z">'
    '<a href="https://greatexpectations.io/newsletter?utm_source=datadocs">Subscribe</a>'
)


def test_every_cdn_reference_points_at_the_shipped_copy(tmp_path):
    page = tmp_path / "validations" / "suite" / "run" / "page.html"
    page.parent.mkdir(parents=True)
    page.write_text(GX_HEAD, encoding="utf-8")
    data_docs.localise(page, tmp_path)
    assert page.read_text(encoding="utf-8") == (
        '<link href="../../../static/vendor/bootstrap/css/bootstrap.min.css" rel="stylesheet">'
        '<script src="../../../static/vendor/jquery/jquery.min.js"></script>'
        '<img src="../../../static/images/logo-long.png">'
        '<a href="../../../index.html">Subscribe</a>'
    )
    assert data_docs.external_urls(tmp_path) == []
    for target in data_docs._LOCAL.values():
        assert (data_docs.ASSETS / target).is_file(), target


def test_an_unknown_external_asset_is_an_error_not_a_blank_page(tmp_path):
    page = tmp_path / "index.html"
    page.write_text('<script src="https://cdn.example.org/new-widget.js"></script>', encoding="utf-8")
    with pytest.raises(data_docs.UnknownAsset, match="new-widget.js"):
        data_docs.localise(page, tmp_path)


def test_rules_and_reports_are_named_in_the_clerks_words():
    rid = "b847adf875fe09d41c3c2570113c89d45c413fc343023320242e6883bfe91b89"
    text = (
        'Values in <span class="badge">r1_lhs</span> and <span class="badge">r1_rhs</span> must always be equal.'
        f"<td>{rid}</td><td>{'0' * 64}</td><h5 class='m-0'>\n n1_min\n</h5>"
    )
    out = data_docs.clerks_words(text, {rid: "衢江区人民政府办公室 2021 a.txt (b847adf8…)"})
    assert out == (
        '<b>R1</b> 表四 每组: 总计 = 维持 + 纠正 + 其他结果 + 尚未审结 (<span class="badge">r1_lhs</span> = <span class="badge">r1_rhs</span>)'
        f"<td>衢江区人民政府办公室 2021 a.txt (b847adf8…)</td><td>{'0' * 64}</td>"
        "<h5 class='m-0'>\n N1 各表 数量应为非负整数 (表二 本年增/减 可为负, 金额可有四位小数) (n1_min)\n</h5>"
    )
