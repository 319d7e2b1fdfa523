"""Bytes -> text: encodings, media types, and what is refused with a clear reason."""

from __future__ import annotations

import pytest

from transforms.parser.decoding import MAX_BYTES, Unreadable, decode

TEXT = "二、主动公开政府信息情况\n规章\t０\t１２\n（一）予以公开：３"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_encodings_read_and_normalised(encoding: str) -> None:
    d = decode(TEXT.encode(encoding))
    assert d.text == "二、主动公开政府信息情况\n规章\t0\t12\n(一)予以公开:3"
    assert d.media_type == "text/plain"
    assert d.encoding in {encoding, "gb18030", "utf-8-sig", "utf-16"}


def test_declared_html_charset_is_used_when_bytes_are_not_utf8() -> None:
    page = '<html><head><meta charset="gb2312"></head><body><table><tr><td>规章</td></tr></table></body></html>'
    d = decode(page.encode("gbk"))
    assert d.media_type == "text/html" and d.encoding == "gb18030"
    assert "规章" in d.text


def test_utf8_page_declaring_gbk_is_read_as_utf8() -> None:
    page = '<html><head><meta charset="gbk"></head><body>规章</body></html>'
    assert decode(page.encode()).encoding == "utf-8"


def test_crlf_and_invisible_characters() -> None:
    d = decode("规\u200b章\r\n0\r1".encode())
    assert d.text == "规章\n0\n1"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"  \n\t\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "binary file (PNG image), not a report"),
        (b"\xff\xd8\xff\xe0" + bytes(100), "binary file (JPEG image), not a report"),
        (b"GIF89a" + bytes(50), "binary file (GIF image), not a report"),
        (b"%PDF-1.7\n...", "PDF input is not supported yet"),
        (b"PK\x03\x04" + b"\x00" * 30 + b"word/document.xml", "DOCX document input is not supported yet"),
        (b"PK\x03\x04" + b"\x00" * 60, "binary file (ZIP archive), not a report"),
        (b"abc\x00def" * 10, "binary file (NUL bytes), not a report"),
    ],
)
def test_refused_with_a_clear_reason(data: bytes, message: str) -> None:
    with pytest.raises(Unreadable) as err:
        decode(data)
    assert str(err.value).startswith(message)


def test_control_character_soup_is_unreadable() -> None:
    with pytest.raises(Unreadable, match="unreadable bytes"):
        decode(bytes(range(1, 9)) * 200)


def test_oversized_input_is_refused_without_reading_it() -> None:
    with pytest.raises(Unreadable, match="file too large"):
        decode(b"a" * (MAX_BYTES + 1))


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(encoding: str) -> None:
    text = "三、收到和处理政府信息公开申请情况\n(七)总计\t0\t1\n" * 3
    d = decode(text.encode(encoding))
    assert d.encoding == encoding and d.text == text


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_cut_inside_the_last_character(encoding: str) -> None:
    data = TEXT.encode(encoding)
    for cut in range(len(data) - 6, len(data)):
        d = decode(data[:cut])
        assert d.encoding == encoding
        assert "二、主动公开政府信息情况" in d.text


def test_lines_nfkc_changed_are_kept_as_printed() -> None:
    d = decode("规章\n行政许可  ３，１５０  0\r\n（一）\u3000予以公开\n0  1".encode())
    assert d.text == "规章\n行政许可  3,150  0\n(一) 予以公开\n0  1"
    lines = d.text.split("\n")
    assert [d.printed.get(i, line) for i, line in enumerate(lines)] == [
        None, "行政许可  ３，１５０  0", "（一）\u3000予以公开", None
    ]  # fmt: skip
    assert decode("规章  0  1".encode()).printed is None



def test_screen_columns_of_a_printed_line() -> None:
    from transforms.parser.decoding import column_shifts, display_width, normalise, shift_at

    printed = "（三）不予公开  ０   12  ３４"
    line = normalise(printed)
    assert line == "(三)不予公开  0   12  34"
    assert (display_width(printed), display_width(line)) == (29, 24)
    shifts = column_shifts(printed)
    # where each number ends on the page: its column as printed, not as normalised
    for number, col in {"0": 18, "12": 23, "34": 29}.items():
        end = line.index(number) + len(number)
        assert display_width(line[:end]) + shift_at(shifts, end) == col
    assert column_shifts(line) == ([], [])
    # outside the common CJK ranges each character is looked up: · — “ narrow (A), ㈠ wide
    assert display_width("·—“") == 3 and display_width("㈠一") == 4
