"""Bad input never raises: every file becomes a Report, rejected or incomplete with a clear error."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.parser.export import report_to_export
from transforms.parser.parse import parse_document, parse_file

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
SEED_003 = (SEEDS / "003_80982073e3dd5082.txt").read_bytes()


def export(data: bytes, source: str = "bad.txt") -> dict:
    return report_to_export(parse_document(data, source))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n" + os.urandom(4000), "binary file (PNG image), not a report"),
        ("这是一篇新闻稿,与信息公开无关。".encode(), "not an annual report"),
        ("政府信息公开工作年度报告\n一、总体情况\n本年度我单位积极推进政府信息公开工作。".encode(), "no report tables found"),
    ],
)
def test_rejected_with_reason(data: bytes, error: str) -> None:
    got = export(data)
    assert got["status"] == "rejected"
    assert got["error"].startswith(error)
    assert got["applications"] == {} and got["review_litigation"] == {} and got["active_disclosure"] == {}
    assert got["template"] is None and got["repairs"] == [] and got["violations"] == []


def test_png_renamed_txt_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(1000))
    report = parse_file(path)
    assert report.status == "rejected" and "PNG image" in report.error
    assert report.source == str(path)


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    report = parse_file(tmp_path / "nope.txt")
    assert report.status == "rejected" and report.error.startswith("cannot read file")


def test_truncated_report_is_incomplete_naming_what_is_missing() -> None:
    text = SEED_003.decode()
    cut = text.index("(四) 无法提供")
    got = export(text[:cut].encode())
    assert got["status"] == "incomplete"
    assert "表三 rows unable_not_held, unable_needs_creation," in got["error"]
    assert "表四 行政复议、行政诉讼情况 not found" in got["error"]
    assert got["applications"]["new_received"]["total"] == 75
    assert got["applications"]["unable_not_held"]["total"] is None
    assert all(v is None for g in got["review_litigation"].values() for v in g.values())


def test_cut_inside_a_character_or_one_damaged_byte_still_reads_as_utf8() -> None:
    text = SEED_003.decode()
    cut = len(text[: text.index("(四) 无法提供")].encode()) + 1  # inside a three-byte character
    got = export(SEED_003[:cut])
    assert got["status"] == "incomplete" and got["applications"]["new_received"]["total"] == 75
    damaged = SEED_003[:3000] + b"\xff" + SEED_003[3001:]
    assert export(damaged)["applications"] == export(SEED_003)["applications"]


def test_missing_table_is_incomplete() -> None:
    text = SEED_003.decode()
    start, end = text.index("四、政府信息公开行政复议"), text.index("五、存在的主要问题")
    got = export((text[:start] + text[end:]).encode())
    assert got["status"] == "incomplete"
    assert got["error"] == "表四 行政复议、行政诉讼情况 not found"
    assert got["applications"]["total_processed"]["total"] == 66


def test_fifty_megabytes_is_rejected_quickly() -> None:
    data = SEED_003 * (50 * 1024 * 1024 // len(SEED_003) + 1)
    start = time.perf_counter()
    got = export(data)
    assert time.perf_counter() - start < 5
    assert got["status"] == "rejected"
    assert got["error"].startswith("file too large (50.0 MB")


def test_random_bytes_of_many_sizes() -> None:
    rng = random.Random(5)
    for size in (1, 7, 100, 5000, 70000):
        got = export(rng.randbytes(size))
        assert got["status"] == "rejected", got["error"]
        assert got["error"]


@given(st.binary(max_size=3000))
def test_fuzz_bytes_never_raise(data: bytes) -> None:
    report = parse_document(data, "fuzz.bin")
    assert report.status in ("rejected", "incomplete", "ok", "repaired")
    if report.status in ("rejected", "incomplete"):
        assert report.error


@given(st.text(alphabet=st.sampled_from(list("0123456789 \t|\n一二三、()予以公开总计行政复议诉讼规章主动公开政府信息情况收到和处理申请-.,")), max_size=800))
def test_fuzz_report_like_text_never_raises(text: str) -> None:
    report = parse_document(("三、收到和处理政府信息公开申请情况\n" + text).encode(), "fuzz.txt")
    assert report.status in ("rejected", "incomplete", "ok", "repaired")
    report_to_export(report)


@given(st.integers(0, len(SEED_003)))
def test_any_truncation_of_a_real_report_never_raises(cut: int) -> None:
    got = export(SEED_003[:cut])
    assert got["status"] in ("rejected", "incomplete", "repaired")
    if got["status"] != "repaired":
        assert got["error"]


def test_a_fraction_where_a_count_belongs_is_not_read_as_one() -> None:
    text = (SEEDS / "002_1bf9cee3deb4981e.txt").read_text(encoding="utf-8")
    got = export(text.replace("二、上年结转政府信息公开申请数量 |\n14 |", "二、上年结转政府信息公开申请数量 |\n1.5 |").encode())
    assert got["status"] == "incomplete"
    assert got["error"] == "表三 carried_over.natural_person: 1.5 is not a count"
    assert got["applications"]["carried_over"]["natural_person"] is None
    assert got["applications"]["carried_over"]["total"] == 14


def test_a_guide_page_with_a_small_table_is_not_a_report() -> None:
    page = (
        "<html><body><h1>某县人民政府信息公开指南</h1><p>政府信息公开申请的处理:予以公开、部分公开。</p>"
        "<table><tr><td>受理机构</td><td>电话</td></tr><tr><td>予以公开</td><td>12</td></tr></table></body></html>"
    )
    got = export(page.encode(), "guide.html")
    assert got["status"] == "rejected"
    assert got["error"].startswith("no report tables found")
