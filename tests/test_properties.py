"""parse(render(r)) == r: random valid reports in every layout, with noise, round-trip exactly.

The renderer (tests/support/renderer.py) prints a report the way real sites and PDF
extractors do; these tests say what `ogi parse --json` must make of those bytes: every
value, the metadata, the status, the repaired cells, the violations.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from tests.support import renderer as R
from transforms.parser import model


def _parse(data: bytes, source: str) -> dict:
    from transforms.parser.export import report_to_export
    from transforms.parser.parse import parse_document

    return report_to_export(parse_document(data, source))


METADATA = ("year", "template", "body", "jurisdiction", "parent_jurisdictions", "admin_code", "published_on")


def _tables_and_rules(problems: list[str]) -> list[str]:
    """The differences about values, status, repairs and violations (metadata has its own tests)."""
    return [p for p in problems if p.split(":")[0] not in METADATA]


def noises(with_drops: bool = True):
    return st.builds(
        dict,
        drops=st.booleans() if with_drops else st.just(False),
        fullwidth=st.booleans(),
        garble=st.booleans(),
        chrome=st.booleans(),
        encoding=st.sampled_from(R.ENCODINGS),
        thousands=st.booleans(),
        title=st.booleans(),
        gap=st.booleans(),
    )


def _case(seed: int, layout: str, flags: dict, template: str | None = None) -> R.Case:
    rng = random.Random(seed)
    truth = R.random_report(rng, template)
    drops = R.plan_drops(truth, rng) if flags["drops"] else ()
    noise = R.noise_fits(layout, R.Noise(**{**flags, "drops": drops}))
    data = R.render(truth, layout, rng, noise)
    lenient = layout == "run_together" and len(R.run_together_solutions(truth)) != 1
    return R.Case(truth, layout, noise, data, lenient)


@pytest.mark.parametrize("layout", R.LAYOUTS)
@given(seed=st.integers(0, 2**32 - 1), flags=noises(), template=st.sampled_from(model.TEMPLATES))
def test_rendered_report_round_trips(layout, seed, flags, template):
    case = _case(seed, layout, flags, template)
    source = f"r{seed}{case.suffix()}"
    note(f"layout={layout} noise={case.noise} template={template}")
    got = _parse(case.data, source)
    assert case.diff(got, source) == []


@pytest.mark.parametrize("layout", [x for x in R.LAYOUTS if x != "run_together"])
@given(seed=st.integers(0, 2**32 - 1), flags=noises(with_drops=False))
def test_injected_arithmetic_error_is_reported_not_repaired(layout, seed, flags):
    rng = random.Random(seed)
    truth, changed = R.inject_error(R.random_report(rng), rng)
    noise = R.Noise(**{**flags, "drops": ()})
    data = R.render(truth, layout, rng, noise)
    note(f"changed={changed} noise={noise}")
    got = _parse(data, "bad.txt")
    # The printed (wrong) value is kept, nothing is repaired, and exactly the broken rules are listed.
    table, row, col = changed["table"], changed["row"], changed["column"]
    assert got[table][row][col] == changed["new"]
    assert got["status"] == "ok"
    assert got["repairs"] == []
    expected = R.evaluate_violations(truth)
    assert expected, "changing one cell must break at least one rule"
    assert _tables_and_rules(R.diff_export(got, R.expected_export(truth, data, "bad.txt", noise))) == []


def test_the_issue_digit_run_splits_by_the_rules():
    """`640020470` is 64|0|0|2|0|4|70: the only split where the parts sum to the total."""
    rng = random.Random(7)
    truth = R.random_report(rng, "2021")
    a = truth.applications
    for r in a:
        a[r] = dict.fromkeys(model.APPLICANT_CODES, 0)
    for r in ("new_received", "granted", "total_processed"):
        a[r].update(natural_person=64, social_welfare=2, other_org=4, total=70)
    assert R.digit_splits("640020470") == [(64, 0, 0, 2, 0, 4, 70)]
    data = R.render(truth, "run_together", rng, R.Noise())
    assert "一、本年新收政府信息公开申请数量640020470" in data.decode()
    got = _parse(data, "run.txt")
    assert R.diff_export(got, R.expected_export(truth, data, "run.txt"), split_runs=True) == []


def _ambiguous_truths(n: int) -> list[R.Truth]:
    found = []
    for seed in range(100_000):
        truth = R.random_report(random.Random(seed))
        if len(R.run_together_solutions(truth)) > 1:
            found.append(truth)
            if len(found) == n:
                break
    return found


def test_ambiguous_digit_runs_are_incomplete_never_guessed():
    truths = _ambiguous_truths(3)
    assert len(truths) == 3
    for i, truth in enumerate(truths):
        data = R.render(truth, "run_together", random.Random(i), R.Noise())
        got = _parse(data, "amb.txt")
        assert R.diff_export(got, R.expected_export(truth, data, "amb.txt"), lenient_incomplete=True) == []
        assert any(v is None for row in got["applications"].values() for v in row.values())


def test_three_thousand_rendered_reports_round_trip():
    """Thousands of examples, cheaply: a seeded loop over every layout, template and noise."""
    failures: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    first: dict[str, list[str]] = {}
    for seed in range(3000):
        rng = random.Random(seed)
        layout = R.LAYOUTS[seed % len(R.LAYOUTS)]
        case = R.make_case(rng, layout, error=seed % 10 == 9 and layout != "run_together")
        source = f"n{seed}{case.suffix()}"
        seen[layout] += 1
        problems = case.diff(_parse(case.data, source), source)
        if problems:
            failures[layout] += 1
            first.setdefault(layout, [f"seed {seed}: {problems[:3]}"])
    assert sum(seen.values()) == 3000
    assert not failures, {k: f"{failures[k]}/{seen[k]} fail; {first[k]}" for k in failures}


def test_renderer_truths_satisfy_every_rule():
    for seed in range(500):
        truth = R.random_report(random.Random(seed))
        assert R.evaluate_violations(truth) == []
        assert all(v >= 0 for row in truth.applications.values() for v in row.values())


def test_planned_drops_are_uniquely_recoverable_and_unplanned_ones_may_not_be():
    rng = random.Random(3)
    truth = R.random_report(rng, "2021")
    truth.applications = {r: dict.fromkeys(model.APPLICANT_CODES, 0) for r in truth.applications}
    for r in ("new_received", "granted", "total_processed"):
        truth.applications[r].update(natural_person=3, commercial=2, total=5)
    # Losing the 2 from `granted` leaves 3 0 0 0 0 5: the 2 could sit in any org column, but A2 pins it.
    assert R.drops_recoverable(truth, (("granted", "commercial"),))
    # Losing it from every row that mentions it: commercial, research, ... all fit the rules.
    lost = tuple((r, "commercial") for r in ("new_received", "granted", "total_processed"))
    assert not R.drops_recoverable(truth, lost)
    for seed in range(200):
        t = R.random_report(random.Random(seed))
        drops = R.plan_drops(t, random.Random(seed))
        assert drops == () or R.drops_recoverable(t, drops)


def test_injected_errors_break_rules():
    for seed in range(300):
        bad, changed = R.inject_error(R.random_report(random.Random(seed)), random.Random(seed))
        assert R.evaluate_violations(bad), changed


def test_cli_over_many_files_uses_workers_and_keeps_input_order(tmp_path):
    """Enough files for the CLI's process pool: every line equals the truth, in input order."""
    import json
    import subprocess
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    cases, paths = {}, []
    for seed in range(140):
        case = R.make_case(random.Random(10_000 + seed), R.LAYOUTS[seed % len(R.LAYOUTS)])
        path = tmp_path / f"c{seed:03d}{case.suffix()}"
        path.write_bytes(case.data)
        cases[str(path)] = case
        paths.append(str(path))
    proc = subprocess.run([str(repo / ".venv" / "bin" / "ogi"), "parse", "--json", "--jobs", "2", *paths],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.strip()]
    assert [x["source"] for x in lines] == paths
    bad = {x["source"]: cases[x["source"]].diff(x, x["source"]) for x in lines}
    assert {k: v for k, v in bad.items() if v} == {}
    # Exit 1 exactly when some file is incomplete (an ambiguous digit run) or rejected.
    assert proc.returncode == int(any(x["status"] in ("incomplete", "rejected") for x in lines))


@pytest.mark.parametrize("layout", [x for x in R.LAYOUTS if x != "run_together"])
@given(seed=st.integers(0, 2**32 - 1), flags=noises(with_drops=False), off=st.integers(1, 50))
def test_narrative_figure_that_disagrees_with_the_table_is_a_t1_warning(layout, seed, flags, off):
    """共收到政府信息公开申请N件 in the text against 一、本年新收 in 表三: T1 lists both, the table is kept."""
    rng = random.Random(seed)
    truth = R.random_report(rng)
    truth.stated_received = truth.applications["new_received"]["total"] + off
    noise = R.Noise(**{**flags, "drops": ()})
    data = R.render(truth, layout, rng, noise)
    got = _parse(data, "t1.txt")
    assert {"rule": "T1", "table": "applications", "where": "new_received", "lhs": truth.stated_received,
            "rhs": truth.applications["new_received"]["total"]} in got["violations"]
    assert _tables_and_rules(R.diff_export(got, R.expected_export(truth, data, "t1.txt", noise))) == []


@pytest.mark.parametrize("layout", ["pipes", "cells", "tabs", "html"])
def test_a_table_two_row_that_lost_a_number_stays_unknown_never_split(layout):
    """表二 has no rule: `55` for two measures is not 5|5. The row stays null, the report incomplete."""
    rng = random.Random(11)
    truth = R.random_report(rng, "2019")
    truth.active_disclosure["fees"] = {"items_prev_year": 55, "items_change": 88}
    text = R.render(truth, layout, rng, R.Noise()).decode("utf-8").replace("\r\n", "\n").replace("+88", "88")
    # Lose the 88: the printed row is then 行政事业性收费 55 and nothing else.
    lost = {"pipes": "88 |\n", "cells": "88\n", "tabs": "\t88", "html": ">88<"}[layout]
    assert text.count(lost) == 1
    text = text.replace(lost, "" if layout != "html" else "><")
    got = _parse(text.encode("utf-8"), "lost.txt")
    fees = got["active_disclosure"]["fees"]
    assert fees["items_change"] is None
    assert fees["items_prev_year"] in (None, 55)
    assert got["status"] == "incomplete"
    assert "表二" in got["error"] or "fees" in got["error"]


def _cells_of_check(rule: str, where: str, template: str) -> list[tuple[str, str, str]]:
    """The (table, row, column) cells a rule result at `where` reads, by the spec's definitions."""
    apps = "applications"
    if rule == "A1":
        return [(apps, where, c) for c in model.APPLICANT_CODES]
    if rule == "A2":
        return [(apps, r, where) for r in (*model.outcome_rows(template), "total_processed")]
    if rule == "A3":
        return [(apps, r, where) for r in ("new_received", "carried_over", "total_processed", "carried_forward")]
    if rule == "R1":
        return [("review_litigation", where, c) for c in model.REVIEW_COLUMN_CODES]
    return []


def test_rule_results_say_whether_they_held_on_printed_values_or_after_repair():
    """A check that reads a recovered cell proves nothing: its basis is `repaired`; otherwise `printed`."""
    from transforms.parser.parse import parse_document

    checked = 0
    for seed in range(400):
        rng = random.Random(50_000 + seed)
        layout = R.LAYOUTS[seed % (len(R.LAYOUTS) - 1)]  # every layout that can lose a cell
        truth = R.random_report(rng)
        noise = R.Noise(drops=R.plan_drops(truth, rng), gap=seed % 2 == 0)
        report = parse_document(R.render(truth, layout, rng, noise), "basis.txt")
        tables = report.tables()
        for result in report.rule_results:
            cells = _cells_of_check(result.rule, result.where, truth.template)
            if not cells:
                continue
            recovered = any(not tables[t][r][c].printed for t, r, c in cells)
            assert result.basis == ("repaired" if recovered else "printed"), (seed, layout, result)
            checked += recovered
    assert checked > 100  # enough checks over recovered cells were looked at


def test_found_by_the_thorough_profile_pdf_text_full_width_digits_and_a_blank_total_column():
    """Pinned example (F10): columns are aligned by display width, a full-width ０ is two columns wide."""
    flags = dict(drops=True, fullwidth=True, garble=True, chrome=False, encoding="utf-8", thousands=True,
                 title=False, gap=True)
    case = _case(304, "pdf_text", flags, "2021")
    assert ("denied_third_party", "total") in case.noise.drops
    assert case.diff(_parse(case.data, "f10.txt"), "f10.txt") == []
