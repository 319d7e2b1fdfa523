"""The five real seed reports: `ogi parse --json` must equal their expected exports exactly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from transforms.parser.export import report_to_export
from transforms.parser.model import APPLICANT_CODES, application_rows
from transforms.parser.parse import parse_document

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
COMPARED = (
    "status",
    "year",
    "template",
    "body",
    "jurisdiction",
    "parent_jurisdictions",
    "admin_code",
    "published_on",
    "applications",
    "review_litigation",
    "active_disclosure",
    "violations",
)


def _expected(path: Path) -> dict:
    return json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cli_exports() -> dict[str, dict]:
    """One real `ogi parse --json` run over every seed, as a user would call it."""
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ogi"), "parse", "--json", *map(str, SEED_FILES)],
        capture_output=True,
        text=True,
        check=False,
        cwd=SEEDS.parent.parent.parent,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(SEED_FILES)
    exports = [json.loads(line) for line in lines]
    assert [e["source"] for e in exports] == [str(p) for p in SEED_FILES], "one line per file, in input order"
    return {Path(e["source"]).name: e for e in exports}


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_cli_json_equals_expected(path: Path, cli_exports: dict[str, dict]) -> None:
    got, want = cli_exports[path.name], _expected(path)
    assert list(got) == [
        "source", "report_id", "status", "error", "year", "template", "body", "jurisdiction",
        "parent_jurisdictions", "admin_code", "published_on", "applications", "review_litigation",
        "active_disclosure", "repairs", "violations", "extraction",
    ]  # fmt: skip
    for key in COMPARED:
        assert got[key] == want[key], key
    assert got["error"] is None
    assert got["violations"] == []


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_in_process_equals_expected(path: Path) -> None:
    data = path.read_bytes()
    report = parse_document(data, path.name)
    got = report_to_export(report)
    want = _expected(path)
    assert got["source"] == want["source"]
    assert got["report_id"] == __import__("hashlib").sha256(data).hexdigest()
    for key in ("status", "template", "applications", "review_litigation", "active_disclosure", "violations"):
        assert got[key] == want[key], key
    # Every rule was evaluated on every seed, and held.
    rules = [(r.rule, r.where) for r in report.rule_results]
    n_rows = len(application_rows(report.template))
    assert sum(1 for r, _ in rules if r == "A1") == n_rows
    assert sum(1 for r, _ in rules if r == "A2") == len(APPLICANT_CODES)
    assert sum(1 for r, _ in rules if r == "A3") == len(APPLICANT_CODES)
    assert sum(1 for r, _ in rules if r == "R1") == 3
    assert sum(1 for r, _ in rules if r == "N1") == 3
    assert all(r.held for r in report.rule_results)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_metadata_matches(path: Path) -> None:
    got = report_to_export(parse_document(path.read_bytes(), path.name))
    want = _expected(path)
    for key in ("year", "body", "jurisdiction", "parent_jurisdictions", "admin_code", "published_on"):
        assert got[key] == want[key], key


def _repairs(name: str) -> list[dict]:
    path = next(p for p in SEED_FILES if p.name.startswith(name))
    return report_to_export(parse_document(path.read_bytes(), path.name))["repairs"]


def test_seed_000_repairs_are_the_four_lost_cells() -> None:
    reps = {(r["row"], r["column"]): r for r in _repairs("000")}
    assert {k: r["value"] for k, r in reps.items() if k[0] in ("new_received", "partially_granted")} == {
        ("new_received", "natural_person"): 6,
        ("partially_granted", "natural_person"): 4,
    }
    # granted and other_no_fee each lose a zero; every reading puts 0 there.
    assert sorted(k[0] for k in reps) == ["granted", "new_received", "other_no_fee", "partially_granted"]
    assert all(reps[k]["value"] == 0 for k in reps if k[0] in ("granted", "other_no_fee"))
    # The 6 and the 4 could sit in any applicant column by A1 alone: the column rules placed them.
    assert set(reps[("new_received", "natural_person")]["rules"]) > {"A1"}
    assert set(reps[("partially_granted", "natural_person")]["rules"]) > {"A1"}
    assert all(set(r["rules"]) <= {"A1", "A2", "A3"} for r in reps.values())


def test_seed_003_every_row_under_three_and_four_lost_one_zero() -> None:
    reps = _repairs("003")
    rows = application_rows("2021")
    lost_rows = rows[rows.index("granted") :]
    assert sorted(r["row"] for r in reps) == sorted(lost_rows)
    assert all(r["value"] == 0 and r["table"] == "applications" for r in reps)
    by_row = {r["row"]: r for r in reps}
    # partially_granted prints `11 1 0 0 0 12`: only A2/A3 put the 1 in the commercial column.
    for row in ("partially_granted", "unable_not_held"):
        assert by_row[row]["column"] != "commercial"
        assert set(by_row[row]["rules"]) >= {"A1", "A2"}
    path = next(p for p in SEED_FILES if p.name.startswith("003"))
    report = parse_document(path.read_bytes(), path.name)
    for row in ("partially_granted", "unable_not_held"):
        cell = report.applications[row]["commercial"]
        assert (cell.value, cell.printed) == (1, True)
    # A1-A3 checks that touch a recovered cell say so.
    for result in (r for r in report.rule_results if r.rule == "A2"):
        touched = any(not report.applications[row][result.where].printed for row in rows[rows.index("granted") :])
        assert result.basis == ("repaired" if touched else "printed"), result
    assert next(r for r in report.rule_results if r.rule == "A1" and r.where == "new_received").basis == "printed"
