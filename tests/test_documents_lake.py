"""PDF and Word files through the lake: bronze records media type and extraction, silver the
extraction and each table's page, quarantine the reason for what cannot be read (real Delta)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import polars as pl

from tests.support import documents as D
from tests.support import renderer as R
from transforms.lake import bronze, delta, schemas, silver
from transforms.lake.settings import DataPaths

HERE = Path(__file__).resolve().parent
HUAIAN = HERE / "fixtures" / "real" / "huaian-2024__szfgs2024.pdf"
SEED = sorted((HERE / "fixtures" / "seeds").glob("*.txt"))[0]


def test_pdf_and_docx_land_parse_and_quarantine_with_provenance(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "data")
    paths.raw.mkdir(parents=True)
    shutil.copy(HUAIAN, paths.raw / "huaian.pdf")
    shutil.copy(SEED, paths.raw / "seed.txt")
    rng = random.Random(21)
    (paths.raw / "report.docx").write_bytes(D.render_docx(R.random_report(rng), rng))
    (paths.raw / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "WordDocument".encode("utf-16-le") + bytes(600))
    (paths.raw / "cut.pdf").write_bytes(HUAIAN.read_bytes()[:5000])

    bronze.land(paths, workers=1)
    index = delta.read(paths.bronze_table("documents"), schemas.BRONZE_DOCUMENTS).sort("source")
    assert index.select("source", "media_type", "extraction").rows() == [
        ("cut.pdf", "application/pdf", "pdf-text"),
        ("huaian.pdf", "application/pdf", "pdf-text"),
        ("old.doc", "application/msword", None),
        ("report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        ("seed.txt", "text/plain", "text"),
    ]

    silver.load(paths, workers=1)
    reports = delta.read(paths.silver_table("reports"), schemas.REPORTS).sort("source")
    got = reports.select(
        "source", "status", "extraction", "active_disclosure_page", "applications_page", "review_litigation_page"
    ).rows()
    assert got == [
        ("huaian.pdf", "ok", "pdf-text", 3, 4, 5),
        ("report.docx", "ok", "docx", None, None, None),
        ("seed.txt", "repaired", "text", None, None, None),  # seed 000 loses cells in extraction
    ]
    assert reports.filter(pl.col("source") == "huaian.pdf")["body"].item() == "淮安市人民政府"
    quarantine = delta.read(paths.silver_table("quarantine"), schemas.QUARANTINE).sort("source")
    reasons = dict(quarantine.select("source", "error").rows())
    assert set(reasons) == {"cut.pdf", "old.doc"}, "nothing lost: every file is in reports or quarantine"
    assert reasons["cut.pdf"].startswith("damaged PDF")
    assert reasons["old.doc"].startswith("legacy Word .doc")
