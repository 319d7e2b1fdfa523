"""Raw bytes -> normalised text, or a clear reason why the bytes are not a readable report.

Chinese government sites serve UTF-8 and GB2312/GBK (read here as GB18030, their
superset); some pages declare one and serve the other, so a strict UTF-8 decode that
succeeds wins over a declaration. NFKC turns full-width digits and punctuation
(１８, （一）, ：) into their ASCII forms, so every later regex sees one alphabet.
NFKC also narrows them, one screen column where two were printed: the lines it changed are
kept as printed, so space-aligned (PDF text) columns are measured as they were laid out.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

# A report page is a few hundred KB at most, even with inline styles; far larger input is
# a dump or an attack, and reading it would stall a whole batch.
MAX_BYTES = 16 * 1024 * 1024


class Unreadable(Exception):
    """The bytes are not a text report; the message says what they are instead."""


@dataclass(frozen=True)
class Decoded:
    text: str  # NFKC-normalised, \n line ends, tabs kept
    encoding: str
    media_type: str  # "text/plain" | "text/html"
    # The lines as printed, where NFKC changed any (None for an HTML page read with
    # normalise_html=False: the caller normalises its visible text).
    printed: PrintedLines | None = None


# (magic prefix, what it is, supported later?)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"BM", "BMP image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office (OLE) document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"{\\rtf", "RTF document"),
)

_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HTML_HINT_RE = re.compile(r"<(?:html|!doctype html|table|tr|td|body|div|p)\b", re.I)
# Characters that mean "binary" when frequent: C0 controls other than \t \n \r \f, and U+FFFD.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")  # str.translate is slow on CJK text
# The C0 controls of _CONTROL_RE as bytes: UTF-8 writes every other character with bytes
# >= 0x80, so counting these bytes in the encoded text counts those characters.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])


def _sniff_binary(data: bytes) -> str | None:
    head = data[:16]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            if what == "BMP image" and b"\x00" not in data[:64]:
                continue  # a text file may start with "BM"
            if what == "ZIP archive" and b"word/" in data[:4096]:
                return "DOCX document"
            if what == "ZIP archive" and b"xl/" in data[:4096]:
                return "XLSX workbook"
            return what
    if head[8:12] == b"WEBP" and head.startswith(b"RIFF"):
        return "WEBP image"
    return None


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 saved without a BOM (Windows tools do): NUL in every other byte of ASCII text."""
    head = data[:4096]
    if len(head) < 16 or b"\x00" not in head:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    for enc, nuls, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if nuls > half * 0.1 and other * 4 < nuls:
            try:
                head[: len(head) // 2 * 2].decode(enc)
            except UnicodeDecodeError:
                continue
            return enc
    return None


def _declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET_RE.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    if name in {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn"}:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        if err.start >= len(data) - 3:  # a file cut off inside its last character
            try:
                return data[: err.start].decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                pass
    declared = _declared_charset(data)
    for enc in dict.fromkeys(e for e in (declared, "gb18030") if e):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as err:
            if err.start >= len(data) - 3:
                try:
                    return data[: err.start].decode(enc), enc
                except UnicodeDecodeError:
                    continue
        except LookupError:
            continue
    # UTF-8 with a few damaged bytes is still UTF-8: keep it, marking the damage.
    text = data.decode("utf-8", "replace")
    if text.count("\ufffd") * 1000 < len(text):
        return text, "utf-8"
    # Mixed or damaged bytes: let charset-normalizer guess, and keep what it can read.
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    if best is not None and best.encoding:
        return data.decode(best.encoding, "replace"), best.encoding
    return data.decode("gb18030", "replace"), "gb18030"


# Characters NFKC leaves alone and reports are mostly made of: ASCII, CJK ideographs, the
# common CJK and typographic punctuation. Only the runs between them are normalised: NFKC
# over a whole 30 KB page costs a millisecond, over its few full-width runs next to nothing.
_NFKC_UNSAFE_RE = re.compile(r"[^\x00-\x7f\u4e00-\u9fff\u3001\u3002\u3008-\u3011\u3014-\u301b\u2014\u2018\u2019\u201c\u201d]+")


def _nfkc_run(m: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", m.group())


class PrintedLines:
    """A text's lines as printed, before NFKC narrowed its full-width characters (split on
    first use: most reports never ask)."""

    __slots__ = ("_before", "_after", "_lines")

    def __init__(self, before: str, after: str) -> None:
        self._before, self._after = before, after
        self._lines: list[str] | None = None

    def get(self, i: int, line: str) -> str | None:
        """Line i as printed, if NFKC changed it (`line` is line i normalised)."""
        if self._lines is None:
            lines = self._before.split("\n")
            # NFKC maps no character to a line break: the same lines, unless that ever changes
            self._lines = lines if len(lines) == self._after.count("\n") + 1 else []
        if i >= len(self._lines):
            return None
        printed = self._lines[i]
        return printed if printed != line else None


def normalise(text: str) -> str:
    """NFKC, one line-end convention, no invisible characters; tabs and line breaks kept."""
    return normalise_printed(text)[0]


def normalise_printed(text: str) -> tuple[str, PrintedLines | None]:
    """`normalise`, and the lines as printed where NFKC changed any."""
    # `in` runs at memchr speed; a regex character class costs ~10 ns per CJK character.
    if any(ch in text for ch in _INVISIBLE):
        text = _INVISIBLE_RE.sub("", text)
    # Line ends first (NFKC never touches \r or \n), so the printed lines are the same lines.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if unicodedata.is_normalized("NFKC", text):
        return text, None
    normed = _NFKC_UNSAFE_RE.sub(_nfkc_run, text)
    return normed, (PrintedLines(text, normed) if normed != text else None)


# Screen columns as a PDF's text extraction lays them out: East Asian Wide and Fullwidth
# characters (unicodedata.east_asian_width W or F) take two. Every character of these ranges
# is W or F, and they hold nearly every wide character a report prints; any other non-ASCII
# character is looked up.
_WIDE = "\u3000-\u303e\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\uff01-\uff60\uffe0-\uffe6\U00020000-\U0003fffd"
# One pass: a wide character matches with an empty group, any other non-ASCII one as itself.
_NON_ASCII_RE = re.compile(f"[{_WIDE}]|([^\\x00-\\x7f])")


def display_width(text: str) -> int:
    """Columns on screen: East Asian Wide and Fullwidth characters take two."""
    if text.isascii():
        return len(text)
    found = _NON_ASCII_RE.findall(text)
    wide = found.count("")
    width = len(text) + wide
    if wide < len(found):
        width += sum(1 for ch in found if ch and unicodedata.east_asian_width(ch) in ("W", "F"))
    return width


@lru_cache(maxsize=4096)
def _narrowing(run: str) -> tuple[tuple[int, int], ...]:
    """A run NFKC changes, in pieces: (length after NFKC, columns it lost) for each character,
    or for the whole run where NFKC composed characters across it (only its ends are known)."""
    normed = unicodedata.normalize("NFKC", run)
    afters = [unicodedata.normalize("NFKC", ch) for ch in run]
    if sum(map(len, afters)) == len(normed):
        return tuple((len(after), display_width(ch) - display_width(after)) for ch, after in zip(run, afters))
    return ((len(normed), display_width(run) - display_width(normed)),)


def column_shifts(printed: str) -> tuple[list[int], list[int]]:
    """Where NFKC narrowed a printed line: offsets in the normalised line, and the columns
    lost before each.

    The screen column of an offset in the normalised line is the display width of the text
    before it plus `shift_at` that offset."""
    offsets: list[int] = []
    shifts: list[int] = []
    shift = offset = pos = 0
    for m in _NFKC_UNSAFE_RE.finditer(printed):
        offset += m.start() - pos  # characters NFKC leaves alone: one for one
        pos = m.end()
        for length, lost in _narrowing(m.group()):
            offset += length
            if lost:
                shift += lost
                offsets.append(offset)
                shifts.append(shift)
    return offsets, shifts


def shift_at(shifts: tuple[list[int], list[int]], offset: int) -> int:
    """Columns NFKC took from a printed line before `offset` of the normalised line."""
    k = bisect_right(shifts[0], offset)
    return shifts[1][k - 1] if k else 0


def _control_count(sample: str) -> int:
    """len(_CONTROL_RE.findall(sample)), without a regex step per character."""
    encoded = sample.encode("utf-8", "surrogatepass")
    return len(encoded) - len(encoded.translate(None, _CONTROL_BYTES)) + sample.count("\ufffd")


def decode(data: bytes, normalise_html: bool = True) -> Decoded:
    """Decode and normalise report bytes; raises Unreadable with a message for the user.

    `normalise_html=False` leaves an HTML page's text as decoded: the caller normalises the
    visible text it extracts (a fifth of the page; markup needs no NFKC)."""
    if not data or not data.strip():
        raise Unreadable("empty file")
    if len(data) > MAX_BYTES:
        raise Unreadable(
            f"file too large ({len(data) / 1048576:.1f} MB, limit {MAX_BYTES // 1048576} MB), not a single report"
        )
    what = _sniff_binary(data)
    if what in ("PDF", "DOCX document", "MS Office (OLE) document", "RTF document"):
        raise Unreadable(f"{what} input is not supported yet (text and HTML only)")
    if what:
        raise Unreadable(f"binary file ({what}), not a report")
    utf16 = _bomless_utf16(data)
    if utf16 is None and b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Unreadable("binary file (NUL bytes), not a report")
    raw, encoding = (data.decode(utf16, "replace"), utf16) if utf16 else _decode(data)
    sample = raw[:20000]
    bad = _control_count(sample)
    if sample and bad / len(sample) > 0.02:
        raise Unreadable(f"unreadable bytes ({bad} control or undecodable characters in the first {len(sample)}), not a text report")
    media_type = "text/html" if _HTML_HINT_RE.search(raw[:65536]) else "text/plain"
    if media_type == "text/html" and not normalise_html:
        return Decoded(raw, encoding, media_type)
    text, printed = normalise_printed(raw)
    return Decoded(text, encoding, media_type, printed)
