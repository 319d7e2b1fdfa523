"""Bad input never crashes the parser: each file is rejected or incomplete, with an error naming why."""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import renderer as R

REPO = Path(__file__).resolve().parent.parent


def _parse(data: bytes, source: str = "bad.txt") -> dict:
    from transforms.parser.export import report_to_export
    from transforms.parser.parse import parse_document

    return report_to_export(parse_document(data, source))


def _assert_refused(got: dict, *keywords: str, statuses=("rejected",)) -> None:
    assert got["status"] in statuses, got
    error = got["error"] or ""
    assert error, "a refused file must say why"
    assert any(k.lower() in error.lower() for k in keywords), f"error {error!r} names none of {keywords}"


def _png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + bytes(random.Random(1).randrange(256) for _ in range(48)) for _ in range(16))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _report(layout: str = "tabs", seed: int = 5) -> tuple[R.Truth, bytes]:
    rng = random.Random(seed)
    truth = R.random_report(rng, "2021")
    return truth, R.render(truth, layout, rng, R.Noise())


def test_empty_file_is_rejected_as_empty():
    _assert_refused(_parse(b""), "empty", "空")
    _assert_refused(_parse(b"  \n\r\n\t \n"), "empty", "空")


def test_binary_garbage_is_rejected():
    data = bytes(random.Random(2).randrange(256) for _ in range(4096))
    _assert_refused(_parse(data, "garbage.txt"), "binary", "unreadable", "not text", "decode", "二进制")


def test_png_renamed_txt_is_rejected_as_an_image():
    got = _parse(_png(), "scan.txt")
    _assert_refused(got, "png", "image", "图片")
    assert got["source"] == "scan.txt"


def test_pdf_is_rejected_as_pdf():
    data = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + os.urandom(2000)
    _assert_refused(_parse(data, "report.txt"), "pdf")


def test_plain_article_without_tables_is_not_a_report():
    text = "本站讯 今天上午,全区召开安全生产工作会议,会议强调要压实责任。\n" * 40
    _assert_refused(_parse(text.encode(), "news.txt"), "not a report", "no table", "表", "table", "年度报告")


def _cut(data: bytes, marker: str) -> bytes:
    text = data.decode("utf-8")
    i = text.index(marker)
    return text[:i].encode("utf-8")


def test_report_cut_in_the_middle_of_table_three_is_incomplete_or_rejected():
    _, data = _report()
    got = _parse(_cut(data, "6.属于四类过程性信息"), "cut.txt")
    _assert_refused(got, "表三", "applications", "truncat", "missing", "缺", statuses=("incomplete", "rejected"))


SECTIONS = ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议", "五、")


@pytest.mark.parametrize("layout", ["pipes", "tabs", "html"])
@pytest.mark.parametrize(("index", "names"), [(0, ("表二", "active_disclosure")), (1, ("表三", "applications")),
                                             (2, ("表四", "review_litigation"))])
def test_report_with_a_table_missing_names_that_table(layout, index, names):
    _, data = _report(layout, seed=6)
    text = data.decode("utf-8")
    start, end = text.index(SECTIONS[index]), text.index(SECTIONS[index + 1])
    got = _parse((text[:start] + text[end:]).encode("utf-8"), "missing-table.txt")
    _assert_refused(got, *names, statuses=("incomplete", "rejected"))


@pytest.mark.parametrize(("marker", "names"), [("行政处罚", ("表二", "active_disclosure")),
                                              ("结果纠正", ("表四", "review_litigation"))])
def test_report_cut_inside_another_table_names_it(marker, names):
    _, data = _report("cells", seed=8)
    got = _parse(_cut(data, marker), "cut.txt")
    _assert_refused(got, *names, statuses=("incomplete", "rejected"))


def test_fifty_megabyte_file_gets_a_verdict(tmp_path):
    _, report = _report()
    filler = ("当前位置:首页 > 政务公开 > 新闻动态 今天上午,全区召开工作会议,部署下一阶段重点工作。" * 20 + "\n").encode()
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        while f.tell() < 50 * 2**20:
            f.write(filler * 100)
    data = path.read_bytes()
    assert len(data) >= 50 * 2**20
    got = _parse(data, "huge.txt")
    _assert_refused(got, "large", "size", "MB", "bytes", "not a report", "表", "table", statuses=("incomplete", "rejected"))


@settings(max_examples=150)
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise(data):
    got = _parse(data, "fuzz.bin")
    assert got["status"] in ("rejected", "incomplete")
    assert isinstance(got["error"], str) and got["error"]


@given(st.integers(0, 2**32 - 1), st.integers(0, 10_000), st.sampled_from(R.LAYOUTS))
def test_reports_cut_or_spliced_anywhere_never_raise(seed, cut, layout):
    rng = random.Random(seed)
    data = R.render(R.random_report(rng), layout, rng, R.Noise())
    cut = cut % max(1, len(data))
    # A cut can split a multi-byte character, and garbage can land in the middle of a table.
    mangled = data[:cut] + bytes(rng.randrange(256) for _ in range(rng.randint(0, 40))) + data[cut + rng.randint(0, 200):]
    got = _parse(mangled, "mangled.txt")
    assert got["status"] in ("ok", "repaired", "incomplete", "rejected")
    if got["status"] == "rejected":
        assert got["error"]


def _ogi(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = REPO / ".venv" / "bin" / "ogi"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "transforms.cli"]
    return subprocess.run([*cmd, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_cli_rejects_with_exit_code_one_and_a_json_line(tmp_path):
    (tmp_path / "scan.txt").write_bytes(_png())
    (tmp_path / "empty.txt").write_bytes(b"")
    _, good = _report()
    (tmp_path / "good.txt").write_bytes(good)
    proc = _ogi("parse", "--json", "scan.txt", "empty.txt", "good.txt", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.strip()]
    by_source = {Path(x["source"]).name: x for x in lines}
    assert set(by_source) == {"scan.txt", "empty.txt", "good.txt"}
    assert by_source["scan.txt"]["status"] == "rejected" and by_source["scan.txt"]["error"]
    assert by_source["empty.txt"]["status"] == "rejected" and by_source["empty.txt"]["error"]
    assert by_source["good.txt"]["status"] == "ok"


def test_cli_exit_zero_when_every_file_parses(tmp_path):
    _, good = _report("html", seed=9)
    (tmp_path / "good.html").write_bytes(good)
    proc = _ogi("parse", "--json", "good.html", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    (line,) = [json.loads(x) for x in proc.stdout.splitlines() if x.strip()]
    assert line["status"] == "ok"


def test_cli_usage_error_exits_two(tmp_path):
    proc = _ogi("parse", "--no-such-flag", cwd=tmp_path)
    assert proc.returncode == 2


@pytest.mark.parametrize("name", ["missing.txt"])
def test_cli_missing_file_is_reported_not_crashed(tmp_path, name):
    proc = _ogi("parse", "--json", name, cwd=tmp_path)
    assert proc.returncode in (1, 2)
    assert "Traceback" not in proc.stderr


def test_docx_and_old_word_files_are_rejected_by_kind():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    _assert_refused(_parse(buf.getvalue(), "report.txt"), "docx", "word", "zip")
    _assert_refused(_parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000), "report.doc"), "ole", "doc", "office", "word")


def test_a_site_error_page_is_not_a_report():
    page = "<html><head><title>404</title></head><body><p>页面不存在或已删除</p><a>返回首页</a></body></html>"
    _assert_refused(_parse(page.encode(), "report.html"), "not an annual report", "not a report", "no table", "表")


def test_utf16_text_is_read_not_refused():
    """Notepad's 'Unicode' is UTF-16 with a BOM: still the report's text."""
    rng = random.Random(5)
    truth = R.random_report(rng, "2021")
    data = R.render(truth, "tabs", rng, R.Noise()).decode("utf-8").encode("utf-16")
    got = _parse(data, "u16.txt")
    assert R.diff_export(got, R.expected_export(truth, data, "u16.txt", R.Noise())) == []
