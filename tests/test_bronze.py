"""Bronze landing on real Delta tables in a temporary data directory."""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from transforms.lake import bronze, delta, schemas
from transforms.lake.settings import DataPaths

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    p = DataPaths(tmp_path / "data")
    p.raw.mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, p.raw / seed.name)
    return p


def _index(p: DataPaths) -> pl.DataFrame:
    return delta.read(p.bronze_table("documents"), schemas.BRONZE_DOCUMENTS).sort("source")


def test_landing_indexes_every_file_with_its_hash_and_keeps_the_bytes(paths: DataPaths) -> None:
    result = bronze.land(paths)
    index = _index(paths)
    assert (result.files_seen, result.documents_added, result.blobs_added, result.version) == (5, 5, 5, 0)
    assert index.height == 5
    for row in index.iter_rows(named=True):
        data = (paths.raw / row["source"]).read_bytes()
        assert row["report_id"] == hashlib.sha256(data).hexdigest()
        assert row["size_bytes"] == len(data)
        assert row["blob_path"] == f"blobs/{row['report_id'][:2]}/{row['report_id']}"
        assert bronze.read_blob(paths, row["blob_path"]) == data
        assert (row["encoding"], row["media_type"]) == ("utf-8", "text/plain")
    assert index.schema == schemas.BRONZE_DOCUMENTS.polars_schema


def test_rerun_reads_nothing_and_commits_nothing(paths: DataPaths) -> None:
    bronze.land(paths)
    again = bronze.land(paths)
    assert (again.files_seen, again.files_hashed, again.documents_added, again.version) == (5, 0, 0, 0)
    assert delta.version(paths.bronze_table("documents")) == 0


def test_same_bytes_at_two_paths_are_stored_once_and_indexed_twice(paths: DataPaths) -> None:
    bronze.land(paths)
    seed = sorted(paths.raw.glob("*.txt"))[0]
    (paths.raw / "mirror").mkdir()
    shutil.copy(seed, paths.raw / "mirror" / "copy.txt")
    result = bronze.land(paths)
    assert (result.documents_added, result.blobs_added) == (1, 0)
    index = _index(paths)
    sha = hashlib.sha256(seed.read_bytes()).hexdigest()
    assert index.filter(pl.col("report_id") == sha)["source"].to_list() == [seed.name, "mirror/copy.txt"]
    blobs = [p for p in (paths.bronze / "blobs").rglob("*") if p.is_file()]
    assert len(blobs) == 5


def test_changed_file_is_a_new_document_and_the_old_bytes_stay(paths: DataPaths) -> None:
    bronze.land(paths)
    target = sorted(paths.raw.glob("*.txt"))[1]
    old = target.read_bytes()
    target.write_bytes(old + "\n（更正）".encode())
    result = bronze.land(paths)
    assert (result.documents_added, result.blobs_added, result.version) == (1, 1, 1)
    rows = _index(paths).filter(pl.col("source") == target.name)
    assert sorted(rows["report_id"].to_list()) == sorted(
        [hashlib.sha256(old).hexdigest(), hashlib.sha256(target.read_bytes()).hexdigest()]
    )
    assert bronze.read_blob(paths, bronze.blob_relpath(hashlib.sha256(old).hexdigest())) == old


def test_partial_and_hidden_files_wait(paths: DataPaths) -> None:
    (paths.raw / "incoming.txt.part").write_bytes(b"half a report")
    (paths.raw / ".DS_Store").write_bytes(b"\x00\x01")
    assert bronze.land(paths).documents_added == 5


def test_unlanded_lists_exactly_the_new_and_changed_files(paths: DataPaths) -> None:
    assert len(bronze.unlanded(paths)) == 5
    bronze.land(paths)
    assert bronze.unlanded(paths) == []
    (paths.raw / "new.txt").write_bytes("新报告".encode())
    seed = sorted(paths.raw.glob("0*.txt"))[0]
    os.utime(seed, ns=(1_000_000_000, 1_000_000_000))
    assert sorted(f.source for f in bronze.unlanded(paths)) == sorted(["new.txt", seed.name])


def test_parallel_landing_matches_serial(paths: DataPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(60):
        (paths.raw / "batch" / f"{i:03d}.txt").parent.mkdir(exist_ok=True)
        (paths.raw / "batch" / f"{i:03d}.txt").write_bytes(f"报告 {i % 40}".encode("gb18030"))
    monkeypatch.setattr(bronze, "_PARALLEL_FROM", 10)
    monkeypatch.setattr(bronze, "_CHUNK", 7)
    stamp = datetime(2026, 11, 1, tzinfo=UTC)
    result = bronze.land(paths, workers=2, now=stamp)
    assert (result.documents_added, result.blobs_added) == (65, 45)
    index = _index(paths)
    assert index["landed_at"].unique().to_list() == [stamp]
    batch = index.filter(pl.col("source").str.starts_with("batch/"))
    assert batch["encoding"].unique().to_list() == ["gb18030"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("第一项".encode(), ("utf-8", "text/plain")),
        (b"\xef\xbb\xbf" + "第一项".encode(), ("utf-8-sig", "text/plain")),
        ("政府信息公开工作年度报告".encode("gb18030"), ("gb18030", "text/plain")),
        ('<html><meta charset="gbk"><body>报告</body></html>'.encode("gbk"), ("gb18030", "text/html")),
        ("<!DOCTYPE html><table><tr><td>一</td></tr></table>".encode(), ("utf-8", "text/html")),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", (None, "image/png")),
        (b"%PDF-1.7\n", (None, "application/pdf")),
        (b"PK\x03\x04\x14\x00", (None, "application/zip")),
        (b"", (None, "application/x-empty")),
        (bytes(range(256)) * 4, (None, "application/octet-stream")),
    ],
)
def test_sniff(data: bytes, expected: tuple[str | None, str]) -> None:
    assert bronze.sniff(data) == expected


def test_listing_digest_changes_with_any_file(paths: DataPaths) -> None:
    before = bronze.listing_digest(bronze.scan_raw(paths.raw))
    assert bronze.listing_digest(bronze.scan_raw(paths.raw)) == before
    (paths.raw / "later.txt").write_text("x")
    assert bronze.listing_digest(bronze.scan_raw(paths.raw)) != before


def test_unreadable_file_is_reported_and_retried_not_lost(paths: DataPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = paths.raw / "locked.txt"
    locked.write_bytes("报告".encode())

    def deny(file, *args, **kwargs):  # tests run as root, which file modes do not stop
        if str(file).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied")
        return open(file, *args, **kwargs)

    monkeypatch.setattr(bronze, "open", deny, raising=False)
    result = bronze.land(paths)
    assert result.documents_added == 5
    assert result.unreadable == [("locked.txt", "unreadable: Permission denied")]
    monkeypatch.undo()
    assert [f.source for f in bronze.unlanded(paths)] == ["locked.txt"]
    assert bronze.land(paths).documents_added == 1
