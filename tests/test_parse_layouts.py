"""Every layout family, written out by hand from one small known report, read back exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.renderer import to_fullwidth
from tests.support.renderer import width as screen_width
from transforms.parser.export import report_to_export
from transforms.parser.model import APPLICANT_CODES, APPLICATION_ROWS, REVIEW_COLUMN_CODES, REVIEW_GROUP_CODES
from transforms.parser.parse import parse_document

# The known report (2021 template): every rule holds.
APPS = {
    "new_received": [20, 5, 0, 0, 1, 0, 26],
    "carried_over": [2, 0, 0, 0, 0, 0, 2],
    "granted": [8, 3, 0, 0, 1, 0, 12],
    "partially_granted": [3, 0, 0, 0, 0, 0, 3],
    "denied_third_party": [2, 0, 0, 0, 0, 0, 2],
    "unable_not_held": [4, 1, 0, 0, 0, 0, 5],
    "rejected_duplicate": [1, 0, 0, 0, 0, 0, 1],
    "other_misc": [1, 0, 0, 0, 0, 0, 1],
    "total_processed": [19, 4, 0, 0, 1, 0, 24],
    "carried_forward": [3, 1, 0, 0, 0, 0, 4],
}
ROWS_2021 = [r for r in APPLICATION_ROWS if "2021" in r.templates]
REVIEW = [1, 0, 1, 0, 2, 0, 1, 0, 1, 2, 0, 0, 0, 0, 0]
DISCLOSURE = [("规章", [0, 0, 3]), ("行政规范性文件", [5, 2, 51]), ("行政许可", [3150]), ("行政处罚", [65]),
              ("行政强制", [10]), ("行政事业性收费", ["12372.0506"])]  # fmt: skip
DISCLOSURE_HEADERS = {"规章": ["第二十条第(一)项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                      "行政许可": ["第二十条第(五)项", "信息内容", "本年处理决定数量"],
                      "行政处罚": ["第二十条第(六)项", "信息内容", "本年处理决定数量"],
                      "行政事业性收费": ["第二十条第(八)项", "信息内容", "本年收费金额(单位:万元)"]}  # fmt: skip
TITLE = "红旗区人民政府2021年政府信息公开工作年度报告"


def app_values(code: str) -> list[int]:
    return APPS.get(code, [0] * 7)


def row_labels(code: str) -> list[str]:
    """The printed label cells of a 表三 row: parent and item for the grouped rows."""
    label = next(r.label for r in ROWS_2021 if r.code == code)
    if label.startswith("三、") and " " in label:
        return label[2:].split(" ", 1)
    return [label[2:] if label.startswith("三、") else label]


def table_rows() -> list[tuple[str, list[list[str]]]]:
    """(section heading, rows of cells) for the three tables."""
    t2: list[list[str]] = []
    for item, values in DISCLOSURE:
        if item in DISCLOSURE_HEADERS:
            head = DISCLOSURE_HEADERS[item]
            t2 += [[head[0]], head[1:]]
        t2.append([item, *map(str, values)])
    t3 = [["(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", "申请人情况"],
          ["自然人", "法人或其他组织", "总计"],
          ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]]  # fmt: skip
    for r in ROWS_2021:
        t3.append([*row_labels(r.code), *map(str, app_values(r.code))])
    t4 = [["行政复议", "行政诉讼"], ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
          ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2, [str(v) for v in REVIEW]]  # fmt: skip
    return [("二、主动公开政府信息情况", t2), ("三、收到和处理政府信息公开申请情况", t3),
            ("四、政府信息公开行政复议、行政诉讼情况", t4)]  # fmt: skip


def document(table_lines) -> str:
    lines = [TITLE, "一、总体情况", "2021年,共收到政府信息公开申请26件。"]
    for heading, rows in table_rows():
        lines.append(heading)
        lines += table_lines(rows)
    lines += ["五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。"]
    return "\n".join(lines) + "\n"


def assert_known(data: bytes, layout: str | None = None) -> dict:
    report = parse_document(data, "t.txt")
    got = report_to_export(report)
    assert got["status"] == "ok", got["error"]
    assert got["template"] == "2021"
    for r in ROWS_2021:
        assert [got["applications"][r.code][c] for c in APPLICANT_CODES] == app_values(r.code), r.code
    assert [got["review_litigation"][g][c] for g in REVIEW_GROUP_CODES for c in REVIEW_COLUMN_CODES] == REVIEW
    assert got["active_disclosure"]["normative_documents"] == {"issued": 5, "repealed": 2, "in_force": 51}
    assert got["active_disclosure"]["licensing"] == {"decisions": 3150}
    assert report.active_disclosure["fees"]["amount_10k_yuan"].value == Decimal("12372.0506")
    assert got["active_disclosure"]["fees"] == {"amount_10k_yuan": 12372.0506}
    assert got["violations"] == [] and got["repairs"] == []
    if layout:
        assert report.layout == layout
    return got


def test_tab_separated() -> None:
    assert_known(document(lambda rows: ["\t".join(["", *r]) if r[0][0].isdigit() else "\t".join(r) for r in rows]).encode(), "tab")


def test_pipe_terminated_cells_one_per_line() -> None:
    assert_known(document(lambda rows: [f"{c} |" for r in rows for c in r]).encode(), "pipe")


def test_markdown_table() -> None:
    def md(rows):
        out = []
        for i, r in enumerate(rows):
            out.append("| " + " | ".join(r) + " |")
            if i == 0:
                out.append("|" + "---|" * len(r))
        return out

    assert_known(document(md).encode(), "markdown")


def test_one_cell_per_line_with_blank_lines() -> None:
    assert_known(document(lambda rows: [x for r in rows for c in r for x in (c, "")]).encode(), "cell_per_line")


def test_full_width_forms_and_thousands_and_crlf() -> None:
    text = document(lambda rows: ["\t".join(to_fullwidth(c) for c in r) for r in rows])
    assert "３１５０" in text
    assert_known(text.replace("３１５０", "3,150").replace("\n", "\r\n").encode("utf-8-sig"))


def _labels_and_numbers(row: list[str]) -> tuple[list[str], list[str]]:
    """A rendered table row's label cells and its number cells, for the PDF-text layouts below."""
    return [c for c in row if not c.replace(".", "").isdigit()], [c for c in row if c.replace(".", "").isdigit()]


def test_space_aligned_pdf_text_with_wrapped_labels() -> None:
    def pdf(rows):
        out = []
        for r in rows:
            labels, nums = _labels_and_numbers(r)
            label = "  ".join(labels)
            if nums and len(label) > 16:  # long labels wrap: head with the numbers, tail below
                out.append(label[:16].ljust(20) + "".join(n.rjust(6) for n in nums))
                out.append("    " + label[16:])
            else:
                out.append(label.ljust(20) + "".join(n.rjust(6) for n in nums))
        return out

    text = document(pdf)
    assert "    当理由逾期不补正" in text  # a wrapped 表三 label: the wrap cut through its keyword
    assert_known(text.encode("gb18030"), "space_aligned")


def test_space_aligned_numbers_on_the_wrapped_line() -> None:
    def pdf(rows):
        out = []
        for r in rows:
            labels, nums = _labels_and_numbers(r)
            label = "".join(labels)
            if nums and len(label) > 14:
                out.append(label[:14])
                out.append(("  " + label[14:]).ljust(24) + "".join(n.rjust(6) for n in nums))
            else:
                out.append(label.ljust(24) + "".join(n.rjust(6) for n in nums))
        return out

    assert_known(document(pdf).encode())


def run_together(rows: list[list[str]]) -> list[str]:
    """Cells glued as a web page's text dump glues them; 表二 keeps a space between multi-digit numbers."""
    out = []
    for r in rows:
        nums = [c for c in r if c.replace(".", "").isdigit()]
        labels = "".join(c for c in r if c not in nums)
        out.append(labels + ("" if len(nums) == 7 or all(len(n) == 1 for n in nums) else " ").join(nums))
    return out


def test_run_together_digits_split_by_the_rules() -> None:
    text = document(run_together)
    assert "一、本年新收政府信息公开申请数量205001026" in text
    report = parse_document(text.encode(), "run.txt")
    got = report_to_export(report)
    assert report.layout == "run_together"
    for r in ROWS_2021:
        assert [got["applications"][r.code][c] for c in APPLICANT_CODES] == app_values(r.code), r.code
    assert [got["review_litigation"][g][c] for g in REVIEW_GROUP_CODES for c in REVIEW_COLUMN_CODES] == REVIEW
    assert got["active_disclosure"]["regulations"] == {"issued": 0, "repealed": 0, "in_force": 3}
    # The cuts came from A1 (and the column rules): those cells are marked, nothing is violated.
    assert got["status"] == "repaired"
    assert got["violations"] == []
    assert all(set(x["rules"]) <= {"A1", "A2", "A3"} for x in got["repairs"])
    assert {(x["row"], x["column"]) for x in got["repairs"]} >= {("new_received", "natural_person")}


def test_run_together_ambiguous_row_is_incomplete_never_guessed() -> None:
    text = document(run_together)
    # `110000011` cuts as 11|0|0|0|0|0|11 or 1|10|0|0|0|0|11 (both satisfy A1), and with this
    # row changed no reading satisfies A2 either: the row cannot be told, so it is not guessed.
    assert "(一)予以公开83001012" in text
    text = text.replace("(一)予以公开83001012", "(一)予以公开110000011")
    got = report_to_export(parse_document(text.encode(), "amb.txt"))
    assert got["status"] == "incomplete"
    assert "granted" in got["error"]
    assert None in got["applications"]["granted"].values()


HTML_ROWSPAN = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}</title><script>var a = "<table><tr><td>9</td></tr></table>";</script></head><body>
<div class="crumb">当前位置:首页 &gt; 政务公开</div><h1>{title}</h1>
<p>发布日期:2022-01-29</p>{sections}<div>分享到: 微信 微博</div><a>打印</a></body></html>"""


def html_table(rows: list[list[str]], heading: str) -> str:
    out = [f"<p><strong>{heading}</strong></p>", '<table border="1"><tbody>']
    for r in rows:
        tds = []
        for c in r:
            if c == "(三)不予公开":
                tds.append(f'<td rowspan="8"><p>(三)不予</p><p>公开</p></td>')
            elif c in ("(四)无法提供", "(五)不予处理", "(六)其他处理"):
                tds.append(f'<td rowspan="3">{c}</td>')
            elif c.startswith("(本列"):
                tds.append(f'<td colspan="3" rowspan="3">{c}</td>')
            else:
                tds.append(f"<td>{c}&nbsp;</td>" if c.isdigit() else f"<td><span>{c}</span></td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def test_html_with_rowspan_colspan_in_gb18030() -> None:
    sections = "".join(html_table(rows, heading) for heading, rows in table_rows())
    page = HTML_ROWSPAN.format(title=TITLE, sections=sections)
    data = page.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    got = assert_known(data, "html")
    assert got["published_on"] in ("2022-01-29", None)  # metadata is another module's; it should find it


def test_html_layout_table_wrapping_the_page() -> None:
    sections = "".join(html_table(rows, heading) for heading, rows in table_rows())
    page = f"<html><body><table><tr><td>导航</td><td><div>{TITLE}</div>{sections}</td></tr></table></body></html>"
    assert_known(page.encode(), "html")


def _table_three_2019() -> list[str]:
    """表三 of the 2019 form as tab-separated lines (label, then the row's values)."""
    t3 = []
    for r in APPLICATION_ROWS:
        if "2019" in r.templates:
            label = r.label[2:] if r.label.startswith("三、") else r.label
            values = app_values("other_misc" if r.code == "other_handling" else r.code)
            t3.append("\t".join([*label.split(" ", 1), *map(str, values)]))
    return t3


def test_template_2019_from_labels_not_year() -> None:
    """A 2021 report printed on the 2019 form reads as template 2019."""
    t3 = _table_three_2019()
    text = "\n".join(
        [
            "某县人民政府2021年政府信息公开工作年度报告",
            "二、主动公开政府信息情况",
            "第二十条第(一)项",
            "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
            "规章\t0\t0\t0",
            "规范性文件\t19\t19\t19",
            "第二十条第(五)项",
            "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
            "行政许可\t647\t-55\t27,865",
            "其他对外管理服务事项\t125\t284\t518",
            "第二十条第(六)项",
            "行政处罚\t429\t-58\t296",
            "行政强制\t67\t-16\t53",
            "第二十条第(八)项",
            "行政事业性收费\t5\t1",
            "第二十条第(九)项",
            "信息内容\t采购项目数量\t采购总金额",
            "政府集中采购\t362\t94799.5301",
            "三、收到和处理政府信息公开申请情况",
            *t3,
            "四、政府信息公开行政复议、行政诉讼情况",
            "\t".join(map(str, REVIEW)),
            "五、存在的主要问题及改进情况",
        ]
    )
    report = parse_document(text.encode(), "t2019.txt")
    got = report_to_export(report)
    assert got["template"] == "2019", got["error"]
    assert got["status"] == "ok", got["error"]
    assert got["applications"]["other_handling"] == dict(zip(APPLICANT_CODES, [1, 0, 0, 0, 0, 0, 1], strict=True))
    assert got["active_disclosure"]["licensing"] == {"items_prev_year": 647, "items_change": -55, "decisions": 27865}
    assert got["active_disclosure"]["procurement"] == {"projects": 362, "amount_10k_yuan": 94799.5301}
    assert got["violations"] == []


def test_no_template_evidence_is_rejected() -> None:
    text = document(lambda rows: ["\t".join(r) for r in rows])
    for word in ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "逾期不补正", "缴纳费用", "收费通知"):
        text = text.replace(word, "某某")
    got = report_to_export(parse_document(text.encode(), "x.txt"))
    assert got["status"] == "rejected"
    assert got["error"].startswith("unknown template")


@pytest.mark.parametrize("heading", ["三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"])
def test_a_lost_section_heading_still_finds_its_table(heading: str) -> None:
    text = document(lambda rows: ["\t".join(r) for r in rows])
    assert heading in text
    assert_known(text.replace(heading + "\n", "").encode())


def test_pdftotext_layout_of_a_real_report() -> None:
    """Seed 003's tables as `pdftotext -layout` prints them: labels wrapped above and below
    their numbers, rowspan parents in the middle of their block, a page number and a
    repeated header at a page break, full-width forms, a thousands separator."""
    import json
    from pathlib import Path

    here = Path(__file__).resolve().parent / "fixtures"
    got = report_to_export(parse_document((here / "parser" / "pdftotext_layout_003.txt").read_bytes(), "p.txt"))
    want = json.loads((here / "seeds" / "003_80982073e3dd5082.expected.json").read_text(encoding="utf-8"))
    assert got["status"] == "ok", got["error"]  # nothing lost here, so nothing to repair
    for key in ("template", "applications", "review_litigation", "active_disclosure", "violations"):
        assert got[key] == want[key], key


def _word_td(text: str, attrs: str = "") -> str:
    inner = text if text else "<o:p>&nbsp;</o:p>"
    return (f"<td width=\"57\" valign=\"center\" {attrs} style='border:solid windowtext 1.0pt;padding:0cm 5.4pt'>"
            f"<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US "
            f"style='font-size:10.5pt;font-family:仿宋_GB2312'>{inner}<o:p></o:p></span></p></td>")


def test_word_exported_html_2019_template() -> None:
    """Seed 002's figures in the markup Word's 'save as web page' produces (MsoNormal spans,
    <o:p> empties, rowspan parents, a layout table around everything), GBK-encoded."""
    import json
    from pathlib import Path

    from transforms.parser.model import APPLICATION_ROWS as ROWS

    want = json.loads((Path(__file__).resolve().parent / "fixtures" / "seeds" / "002_1bf9cee3deb4981e.expected.json").read_text(encoding="utf-8"))
    apps = want["applications"]
    t3 = ["<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0>",
          "<tr>" + _word_td("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", 'colspan=3 rowspan=3') + _word_td("申请人情况", "colspan=7") + "</tr>",
          "<tr>" + _word_td("自然人", "rowspan=2") + _word_td("法人或其他组织", "colspan=5") + _word_td("总计", "rowspan=2") + "</tr>",
          "<tr>" + "".join(_word_td(x) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")) + "</tr>"]  # fmt: skip
    parents_done: set[str] = set()
    sizes = {"(三)不予公开": 8, "(四)无法提供": 3, "(五)不予处理": 5}
    for r in ROWS:
        if "2019" not in r.templates:
            continue
        cells = ""
        label = r.label[2:] if r.label.startswith("三、") else r.label
        if r.code == "granted":
            cells += _word_td("三、本年度办理结果", "rowspan=21")
        if " " in label:
            parent, item = label.split(" ", 1)
            if parent not in parents_done:
                parents_done.add(parent)
                cells += _word_td(parent, f"rowspan={sizes[parent]}")
            cells += _word_td(item)
        elif r.label.startswith("三、"):
            cells += _word_td(label, "colspan=2")
        else:
            cells += _word_td(label, "colspan=3")
        cells += "".join(_word_td(str(v)) for v in apps[r.code].values())
        t3.append("<tr>" + cells + "</tr>")
    t3.append("</table>")
    t2 = ("<table border=1><tr>" + _word_td("第二十条第(一)项", "colspan=4") + "</tr><tr>"
          + "".join(_word_td(x) for x in ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量")) + "</tr>")
    labels = {"regulations": "规章", "normative_documents": "规范性文件", "licensing": "行政许可",
              "other_admin_services": "其他对外管理服务事项", "penalty": "行政处罚", "coercion": "行政强制",
              "fees": "行政事业性收费", "procurement": "政府集中采购"}  # fmt: skip
    heads = {"licensing": ("第二十条第(五)项", "上一年项目数量", "本年增/减", "处理决定数量"),
             "penalty": ("第二十条第(六)项", "上一年项目数量", "本年增/减", "处理决定数量"),
             "fees": ("第二十条第(八)项", "上一年项目数量", "本年增/减"),
             "procurement": ("第二十条第(九)项", "采购项目数量", "采购总金额")}  # fmt: skip
    for item, values in want["active_disclosure"].items():
        if item in heads:
            clause, *cols = heads[item]
            t2 += "<tr>" + _word_td(clause, "colspan=4") + "</tr><tr>" + _word_td("信息内容") + "".join(_word_td(c) for c in cols) + "</tr>"
        t2 += "<tr>" + _word_td(labels[item]) + "".join(_word_td(f"{v:,}" if isinstance(v, int) else str(v)) for v in values.values()) + "</tr>"
    t2 += "</table>"
    review = want["review_litigation"]
    t4 = ("<table border=1><tr>" + _word_td("行政复议", "colspan=5") + _word_td("行政诉讼", "colspan=10") + "</tr><tr>"
          + "".join(_word_td(v) for v in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")) + "</tr><tr>"
          + "".join(_word_td(str(v)) for g in review.values() for v in g.values()) + "</tr></table>")
    body = (f"<p class=MsoNormal><b>二、主动公开政府信息情况</b></p>{t2}<p class=MsoNormal><b>三、收到和处理政府信息公开申请情况</b></p>"
            + "\n".join(t3) + f"<p><b>四、政府信息公开行政复议、行政诉讼情况</b></p>{t4}<p><b>五、存在的主要问题及改进措施</b></p>")
    page = ("<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><head><meta http-equiv=Content-Type content=\"text/html; charset=gb2312\">"
            "<style><!-- p.MsoNormal {margin:0cm} --></style></head><body lang=ZH-CN><table width=\"100%\"><tr><td><div class=WordSection1>"
            f"<p class=MsoNormal align=center><b><span>二七区人民政府2020年政府信息公开工作年度报告</span></b></p>{body}</div></td></tr></table></body></html>")
    got = report_to_export(parse_document(page.encode("gbk"), "word.html"))
    assert got["status"] == "ok", got["error"]
    for key in ("template", "applications", "review_litigation", "active_disclosure", "violations"):
        assert got[key] == want[key], key


def test_zero_as_ideographic_zero_and_counts_with_units() -> None:
    from pathlib import Path

    seed = (Path(__file__).resolve().parent / "fixtures" / "seeds" / "002_1bf9cee3deb4981e.txt").read_text(encoding="utf-8")
    text = seed.replace("3.要求提供公开出版物 |\n0 |\n0 |", "3.要求提供公开出版物 |\n〇 |\n0 |")
    text = text.replace("(六)其他处理 |\n70 |", "(六)其他处理 |\n70件 |")
    assert text.count("〇") == 1 and "70件" in text
    got = report_to_export(parse_document(text.encode(), "z.txt"))
    assert got["status"] == "ok", got["error"]
    assert got["applications"]["rejected_publication"]["natural_person"] == 0
    assert got["applications"]["other_handling"]["natural_person"] == 70


def _report_2019(disclosure_lines: list[str]) -> dict:
    """A valid 2019 report whose 表二 is the given lines (tab-separated), as exported."""
    t3 = _table_three_2019()
    text = "\n".join(
        ["某县人民政府2019年政府信息公开工作年度报告", "二、主动公开政府信息情况", *disclosure_lines,
         "三、收到和处理政府信息公开申请情况", *t3,
         "四、政府信息公开行政复议、行政诉讼情况", "\t".join(map(str, REVIEW)), "五、存在的主要问题及改进情况"]
    )  # fmt: skip
    return report_to_export(parse_document(text.encode(), "t2019.txt"))


TABLE_TWO_2019 = [
    "第二十条第(一)项", "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量", "规章\t0\t0\t0", "规范性文件\t19\t19\t19",
    "第二十条第(五)项", "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
    "行政许可\t647\t-55\t27,865", "其他对外管理服务事项\t125\t284\t518",
    "第二十条第(六)项", "行政处罚\t429\t-58\t296", "行政强制\t67\t-16\t53",
    "第二十条第(八)项", "行政事业性收费\t5\t1",
    "第二十条第(九)项", "信息内容\t采购项目数量\t采购总金额", "政府集中采购\t362\t94799.5301",
]  # fmt: skip


def test_table_two_increase_with_its_plus_sign_and_units_in_cells() -> None:
    lines = [
        line.replace("行政强制\t67\t-16\t53", "行政强制\t3\t+302\t530")
        .replace("\t284\t", "\t+284件\t")
        .replace("政府集中采购\t362\t94799.5301", "政府集中采购\t362个\t0.0000")
        for line in TABLE_TWO_2019
    ]
    got = _report_2019(lines)
    assert got["status"] == "ok", got["error"]
    assert got["active_disclosure"]["coercion"] == {"items_prev_year": 3, "items_change": 302, "decisions": 530}
    assert got["active_disclosure"]["other_admin_services"] == {"items_prev_year": 125, "items_change": 284, "decisions": 518}
    assert got["active_disclosure"]["procurement"] == {"projects": 362, "amount_10k_yuan": 0}
    # Cells that ran together, a unit after each number: the units are not part of the label.
    lines = [line.replace("行政许可\t647\t-55\t27,865", "行政许可0件 0 869件") for line in TABLE_TWO_2019]
    got = _report_2019(lines)
    assert got["status"] == "ok", got["error"]
    assert got["active_disclosure"]["licensing"] == {"items_prev_year": 0, "items_change": 0, "decisions": 869}


@pytest.mark.parametrize("fees", ["行政事业性收费\t55", "行政事业性收费 |\n55 |", "行政事业性收费\n55"])
def test_table_two_number_standing_alone_is_never_cut(fees: str) -> None:
    # 表二 has no rule to check a cut: `55` with its neighbour lost is not 5|5.
    lines = [fees if line == "行政事业性收费\t5\t1" else line for line in TABLE_TWO_2019]
    got = _report_2019(lines)
    assert got["status"] == "incomplete"
    assert got["active_disclosure"]["fees"] == {"items_prev_year": None, "items_change": None}
    assert got["error"] == "表二 fees: 1 numbers for 2 measures"
    assert got["repairs"] == []
    # Digits glued to the label whose only cut the digit count forces are still read.
    lines = [("行政事业性收费00" if line == "行政事业性收费\t5\t1" else line) for line in TABLE_TWO_2019]
    got = _report_2019(lines)
    assert got["active_disclosure"]["fees"] == {"items_prev_year": 0, "items_change": 0}




def _pdf_on_screen_columns(lost_row: str, lost_col: str, wide, on_lost_row: bool):
    """表三 as PDF text laid out on screen columns (a 44-column label, numbers right-aligned
    in 8-column slots), `lost_row`'s `lost_col` cell left blank, and `wide(label, numbers)`
    applied to that row alone or to every other 表三 row."""
    lost_labels = row_labels(lost_row)

    def pdf(rows):
        out = []
        for r in rows:
            labels, nums = _labels_and_numbers(r)
            label = "  ".join(labels)
            if len(nums) == 7:
                is_lost = labels == lost_labels
                if is_lost:
                    nums[APPLICANT_CODES.index(lost_col)] = ""
                if is_lost == on_lost_row:
                    label, nums = wide(label, nums)
            out.append(label + " " * max(2, 44 - screen_width(label))
                       + "".join(" " * (8 - screen_width(n)) + n for n in nums).rstrip())  # fmt: skip
        return out

    return pdf


@pytest.mark.parametrize(
    "wide",
    [
        pytest.param(lambda label, nums: (label, [to_fullwidth(n) for n in nums]), id="digits"),
        pytest.param(lambda label, nums: (to_fullwidth(label), nums), id="label"),  # (三) 1. as （三） １．
        pytest.param(lambda label, nums: (label.replace("  ", "\u3000" * 5), nums), id="ideographic-spaces"),
        pytest.param(lambda label, nums: (to_fullwidth(label), [to_fullwidth(n) if i % 2 else n for i, n in enumerate(nums)]),
                     id="label-and-some-digits"),  # fmt: skip
    ],
)
@pytest.mark.parametrize("on_lost_row", [True, False], ids=["on-the-lost-row", "on-the-other-rows"])
@pytest.mark.parametrize("lost_col", ["natural_person", "research", "total"])
def test_space_aligned_full_width_forms_and_a_blank_cell_mark_that_cell_recovered(wide, on_lost_row, lost_col) -> None:
    """F10: a zero lost among zeros reads the same whichever cell was lost, so only the
    blank's column says which cell to mark recovered. Full-width ０, （, １． and U+3000 take
    two columns on the page and one after NFKC: columns are measured as printed."""
    text = document(_pdf_on_screen_columns("denied_state_secret", lost_col, wide, on_lost_row))
    report = parse_document(text.encode(), "t.txt")
    assert report.layout == "space_aligned"
    got = report_to_export(report)
    assert got["status"] == "repaired", got["error"]
    assert [(r["row"], r["column"], r["value"]) for r in got["repairs"]] == [("denied_state_secret", lost_col, 0)]
    row = report.applications["denied_state_secret"]
    assert [c for c in APPLICANT_CODES if not row[c].printed] == [lost_col]
    assert [row[c].value for c in APPLICANT_CODES] == [0] * 7
