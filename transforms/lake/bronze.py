"""Bronze: every raw file as it landed, content-addressed and never modified.

Landing copies each file's bytes to `lake/bronze/blobs/<sha[:2]>/<sha>` (written once, by
atomic rename) and appends one row per new (report_id, source) pair to the Delta index
`lake/bronze/documents`. The same bytes landed at two paths are stored once and indexed
twice; a file changed in place is a new document and the old bytes stay.

A small scan cache beside the index remembers (source, size, mtime) -> report_id for the
files already landed, so a rescan of a large landing folder only reads and hashes files that
are new or changed. It is a cache: deleting it costs one rehash, never data.
"""

from __future__ import annotations

import hashlib
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from transforms.lake import delta
from transforms.lake.files import write_parquet
from transforms.lake.schemas import BRONZE_DOCUMENTS
from transforms.lake.settings import DataPaths
from transforms.parser.layouts.document import DOCX, DOCX_MEDIA_TYPE, HTML, PDF_TEXT, TEXT, media_type_of

SCAN_CACHE = "_landing_cache.parquet"
_CACHE_SCHEMA = {"source": pl.String, "size_bytes": pl.Int64, "mtime_ns": pl.Int64, "report_id": pl.String}

# Files still being written by a well-behaved producer (written under a temporary name, then
# renamed) and dot-files are not landed.
_PARTIAL_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload")

_PARALLEL_FROM = 2_000  # below this, worker start-up costs more than it saves
_CHUNK = 500

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"RIFF", "application/octet-stream"),
    (b"PK\x03\x04", "application/zip"),  # DOCX and XLSX are zip containers
    (b"\x1f\x8b", "application/gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # legacy .doc
)
_HTML_MARKERS = ("<!doctype html", "<html", "<head", "<body", "<table", "<meta ", "<div", "<p>")
_DECLARED_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class RawFile:
    source: str  # path relative to raw/, with forward slashes
    size_bytes: int
    mtime_ns: int


@dataclass(frozen=True)
class LandingResult:
    files_seen: int
    files_hashed: int
    documents_added: int  # new rows in bronze.documents
    blobs_added: int  # new distinct contents among them
    version: int | None  # bronze.documents' Delta version after landing
    rows: int  # bronze.documents' row count after landing
    added: pl.DataFrame  # the appended rows
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (source, reason): not landed


# The reader each media type goes to (silver records what was used: a scanned PDF is pdf-ocr).
_EXTRACTION = {"text/plain": TEXT, "text/html": HTML, "application/pdf": PDF_TEXT, DOCX_MEDIA_TYPE: DOCX}


def extraction_for(media_type: str) -> str | None:
    """How a document of this media type is read (None: no reader, it will be quarantined)."""
    return _EXTRACTION.get(media_type)


def sniff(data: bytes) -> tuple[str | None, str]:
    """(encoding, media type) of raw bytes: cheap checks first, charset-normalizer last."""
    if not data:
        return None, "application/x-empty"
    head = data[:16]
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
        # which Office file a zip or OLE container holds: DOCX, XLSX, legacy .doc ...
        return None, media_type_of(data) or "application/octet-stream"
    for magic, media in _MAGIC:
        if head.startswith(magic):
            return None, media
    if data.startswith(b"\xef\xbb\xbf"):
        encoding: str | None = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif b"\x00" in data[:8192]:
        return None, "application/octet-stream"
    else:
        encoding = _text_encoding(data)
    if encoding is None:
        return None, "application/octet-stream"
    sample = data[:4096].decode(encoding, errors="ignore").lower()
    media = "text/html" if any(m in sample for m in _HTML_MARKERS) else "text/plain"
    return encoding, media


def _text_encoding(data: bytes) -> str | None:
    declared = _DECLARED_CHARSET.search(data[:4096])
    candidates = ["utf-8"]
    if declared:
        candidates.insert(0, declared.group(1).decode("ascii").lower())
    candidates.append("gb18030")  # a superset of GBK and GB2312: what Chinese sites serve
    for name in candidates:
        try:
            data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        return "gb18030" if name in ("gbk", "gb2312") else name
    from charset_normalizer import from_bytes  # slow import; rarely reached

    best = from_bytes(data[:65536]).best()
    return best.encoding if best else None


def scan_raw(raw: Path) -> list[RawFile]:
    """Every landable file under `raw`, sorted by source."""
    found: list[RawFile] = []
    if not raw.is_dir():
        return found
    # plain strings, not Path objects: this runs over every file at every sensor tick
    root = str(raw).rstrip(os.sep) + os.sep
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file() and not entry.name.endswith(_PARTIAL_SUFFIXES):
                    st = entry.stat()
                    rel = entry.path[len(root) :]
                    if os.sep != "/":
                        rel = rel.replace(os.sep, "/")
                    found.append(RawFile(rel, st.st_size, st.st_mtime_ns))
    found.sort(key=lambda f: f.source)
    return found


def listing_digest(files: list[RawFile]) -> str:
    """A fingerprint of a landing-folder listing: changes when any file appears or changes."""
    h = hashlib.sha256()
    for f in files:
        h.update(f"{f.source}\0{f.size_bytes}\0{f.mtime_ns}\n".encode())
    return h.hexdigest()


def blob_relpath(report_id: str) -> str:
    return f"blobs/{report_id[:2]}/{report_id}"


def read_blob(paths: DataPaths, blob_path: str) -> bytes:
    return (paths.bronze / blob_path).read_bytes()


def _store(bronze_root: str, raw_root: str, files: list[tuple[str, int, int]]) -> list[tuple]:
    """Read, hash, sniff and store a chunk of files; runs in worker processes."""
    rows = []
    for source, _, _ in files:
        path = os.path.join(raw_root, source)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
            st = os.stat(path)
        except FileNotFoundError:  # removed between scan and landing: the next scan decides
            continue
        except OSError as e:  # unreadable (permissions, I/O): not landed, retried next run, reported
            rows.append((None, source, 0, 0, None, f"unreadable: {e.strerror or e}", None, False, None))
            continue
        sha = hashlib.sha256(data).hexdigest()
        rel = blob_relpath(sha)
        target = os.path.join(bronze_root, rel)
        new_blob = False
        if not os.path.exists(target):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            tmp = f"{target}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)  # atomic: a blob is either absent or complete
            new_blob = True
        encoding, media = sniff(data)
        rows.append((sha, source, len(data), st.st_mtime_ns, encoding, media, rel, new_blob, extraction_for(media)))
    return rows


def read_cache(paths: DataPaths) -> pl.DataFrame:
    cache = paths.bronze / SCAN_CACHE
    if cache.exists():
        return pl.read_parquet(cache)
    return pl.DataFrame(schema=_CACHE_SCHEMA)


def _write_cache(paths: DataPaths, frame: pl.DataFrame) -> None:
    write_parquet(frame, paths.bronze / SCAN_CACHE)


def unlanded(paths: DataPaths, files: list[RawFile] | None = None) -> list[RawFile]:
    """Files in raw/ whose (source, size, mtime) the last landing did not record."""
    files = scan_raw(paths.raw) if files is None else files
    known = {(s, n, m) for s, n, m in read_cache(paths).select("source", "size_bytes", "mtime_ns").iter_rows()}
    return [f for f in files if (f.source, f.size_bytes, f.mtime_ns) not in known]


def land(paths: DataPaths, workers: int | None = None, now: datetime | None = None) -> LandingResult:
    """Land every new or changed file of raw/ into bronze; one Delta commit at most."""
    with delta.writer_lock(paths.bronze):
        return _land(paths, workers, now)


def _land(paths: DataPaths, workers: int | None, now: datetime | None) -> LandingResult:
    table = paths.bronze_table(BRONZE_DOCUMENTS.name)
    files = scan_raw(paths.raw)
    todo = unlanded(paths, files)
    stored: list[tuple] = []
    jobs = [(f.source, f.size_bytes, f.mtime_ns) for f in todo]
    workers = workers or os.cpu_count() or 1
    if len(jobs) >= _PARALLEL_FROM and workers > 1:
        chunks = [jobs[i : i + _CHUNK] for i in range(0, len(jobs), _CHUNK)]
        with ProcessPoolExecutor(workers) as pool:
            for rows in pool.map(_store, [str(paths.bronze)] * len(chunks), [str(paths.raw)] * len(chunks), chunks):
                stored.extend(rows)
    elif jobs:
        stored = _store(str(paths.bronze), str(paths.raw), jobs)

    unreadable = [(row[1], row[5]) for row in stored if row[0] is None]
    stored = [row for row in stored if row[0] is not None]
    columns = ["report_id", "source", "size_bytes", "mtime_ns", "encoding", "media_type", "blob_path", "new_blob", "extraction"]
    landed = pl.DataFrame(
        stored,
        schema={
            "report_id": pl.String,
            "source": pl.String,
            "size_bytes": pl.Int64,
            "mtime_ns": pl.Int64,
            "encoding": pl.String,
            "media_type": pl.String,
            "blob_path": pl.String,
            "new_blob": pl.Boolean,
            "extraction": pl.String,
        },
        orient="row",
    ).select(columns)
    index = delta.read(table, BRONZE_DOCUMENTS, ["report_id", "source"])
    known_ids = index.select("report_id").unique()
    added = landed.join(index, on=["report_id", "source"], how="anti").unique(["report_id", "source"], keep="first")
    stamp = now or datetime.now(UTC)
    rows = added.select(
        "report_id",
        "source",
        "size_bytes",
        pl.lit(stamp).cast(pl.Datetime("us", "UTC")).alias("landed_at"),
        "encoding",
        "media_type",
        "blob_path",
        "extraction",
    )
    v = delta.append(rows, table, BRONZE_DOCUMENTS)
    # The cache records only what is now committed, so a crash before the append rehashes.
    cache = pl.concat(
        [
            read_cache(paths).join(landed.select("source"), on="source", how="anti"),
            landed.select(list(_CACHE_SCHEMA)),
        ]
    )
    current = pl.DataFrame({"source": [f.source for f in files]}, schema={"source": pl.String})
    _write_cache(paths, cache.join(current, on="source", how="semi"))
    blobs_added = rows.select("report_id").unique().join(known_ids, on="report_id", how="anti").height
    return LandingResult(
        files_seen=len(files),
        files_hashed=len(stored),
        documents_added=rows.height,
        blobs_added=blobs_added,
        version=delta.version(table) if v is None else v,
        rows=index.height + rows.height,
        added=rows,
        unreadable=unreadable,
    )
