"""The repair solver: recover a lost cell only when the rules leave exactly one table."""

from __future__ import annotations

from transforms.parser.model import APPLICANT_CODES, application_rows, outcome_rows
from transforms.parser.numbers import splits, summing_splits
from transforms.parser.repair import Candidate, Constraint, row_candidates, solve_table
from transforms.parser.tokens import Num

A1 = [(6, (0, 1, 2, 3, 4, 5))]
R1 = [(4, (0, 1, 2, 3)), (9, (5, 6, 7, 8)), (14, (10, 11, 12, 13))]
ROWS = application_rows("2021")
CONSTRAINTS = [
    Constraint("A2", (*((r, 1) for r in outcome_rows("2021")), ("total_processed", -1))),
    Constraint("A3", (("new_received", 1), ("carried_over", 1), ("total_processed", -1), ("carried_forward", -1))),
]


def nums(text: str, glued: bool = False) -> list[Num]:
    return [Num(int(x), x, glued, 0) for x in text.split()]


def values(cands: list[Candidate]) -> set[tuple]:
    return {c.values for c in cands}


def test_complete_row_is_taken_as_printed_even_when_a1_fails() -> None:
    cands, note = row_candidates(nums("1 2 0 0 0 0 4"), 7, A1)
    assert note is None
    assert cands == [Candidate((1, 2, 0, 0, 0, 0, 4), frozenset())]


def test_lost_zero_among_zeros_is_one_reading() -> None:
    cands, _ = row_candidates(nums("0 0 0 0 0 0"), 7, A1)
    assert values(cands) == {(0,) * 7}


def test_lost_cell_readings_are_fixed_by_a1() -> None:
    cands, _ = row_candidates(nums("11 1 0 0 0 12"), 7, A1)
    assert values(cands) == {
        (0, 11, 1, 0, 0, 0, 12),
        (11, 0, 1, 0, 0, 0, 12),
        (11, 1, 0, 0, 0, 0, 12),
        (11, 1, 0, 0, 0, 12, 24),
    }
    # a reading that needs a negative cell is not one
    cands, _ = row_candidates(nums("5 0 0 0 0 3"), 7, A1)
    assert values(cands) == {(5, 0, 0, 0, 0, 3, 8)}


def test_two_lost_cells_have_no_reading() -> None:
    cands, note = row_candidates(nums("1 0 0 0 1"), 7, A1)
    assert cands == [] and "5 numbers for 7 cells" in note


def test_gap_hint_picks_the_lost_position_among_equal_readings() -> None:
    cands, _ = row_candidates(nums("3 0 0 0 0 3"), 7, A1, hint=4)
    reading = next(c for c in cands if c.values == (3, 0, 0, 0, 0, 0, 3))
    assert reading.recovered == frozenset({4})


def test_digit_runs_split_only_where_a1_holds() -> None:
    assert list(summing_splits("640020470", 7)) == [(64, 0, 0, 2, 0, 4, 70)]
    cands, _ = row_candidates(nums("640020470", glued=True), 7, A1)
    assert values(cands) == {(64, 0, 0, 2, 0, 4, 70)}
    assert cands[0].recovered == frozenset(range(7))
    # seven digits for seven cells: the cut is forced, the cells are simply read
    cands, _ = row_candidates(nums("1000001", glued=True), 7, A1)
    assert cands == [Candidate((1, 0, 0, 0, 0, 0, 1), frozenset())]
    # two cuts satisfy A1: both are kept, the table decides
    assert values(row_candidates(nums("110000011", glued=True), 7, A1)[0]) == {
        (11, 0, 0, 0, 0, 0, 11),
        (1, 10, 0, 0, 0, 0, 11),
    }


def test_review_row_of_fifteen_with_one_lost_cell() -> None:
    cands, _ = row_candidates(nums("1 0 0 0 1 0 0 0 0 0 0 0 1 1"), 15, R1)
    # the lost cell could be in any group whose rule it completes; several readings remain
    assert (1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1) in values(cands)
    assert len(values(cands)) > 1


def table(rows: dict[str, list[int]]) -> dict[str, list[Candidate]]:
    full = {r: [Candidate(tuple(rows.get(r, [0] * 7)), frozenset())] for r in ROWS}
    return full


def _solve(rows: dict[str, list[Candidate] | None]):
    return solve_table(rows, APPLICANT_CODES, "A1", CONSTRAINTS)


def test_table_solve_unique() -> None:
    truth = {
        "new_received": [6, 0, 0, 0, 0, 0, 6],
        "partially_granted": [4, 0, 0, 0, 0, 0, 4],
        "unable_not_held": [2, 0, 0, 0, 0, 0, 2],
        "total_processed": [6, 0, 0, 0, 0, 0, 6],
    }
    rows = table(truth)
    rows["new_received"] = row_candidates(nums("0 0 0 0 0 6"), 7, A1)[0]
    rows["partially_granted"] = row_candidates(nums("0 0 0 0 0 4"), 7, A1)[0]
    solved = _solve(rows)
    assert solved.problems == []
    cell = solved.cells["new_received"]["natural_person"]
    assert (cell.value, cell.printed) == (6, False)
    assert set(cell.repair_rules) >= {"A1", "A3"}
    cell = solved.cells["partially_granted"]["natural_person"]
    assert (cell.value, cell.printed) == (4, False)
    assert "A2" in cell.repair_rules
    assert solved.cells["new_received"]["total"].printed


def test_table_solve_ambiguous_leaves_cells_empty() -> None:
    # the 2 lost from every row that mentions it: any organisation column fits every rule
    truth = {r: [3, 2, 0, 0, 0, 0, 5] for r in ("new_received", "granted", "total_processed")}
    rows = table(truth)
    for r in truth:
        rows[r] = row_candidates(nums("3 0 0 0 0 5"), 7, A1)[0]
    solved = _solve(rows)
    # 2|3|0..., 3|2|0..., 3|0|2|..., even 3|0|0|0|0|5|8 in all three rows: every rule holds each time
    assert solved.cells["granted"]["natural_person"].value is None
    assert solved.cells["granted"]["commercial"].value is None
    assert solved.cells["granted"]["total"].value is None
    assert any("row granted: 7 readings fit the rules" in p for p in solved.problems)
    assert solved.cells["carried_over"]["total"].value == 0


def test_table_solve_without_solution_recovers_nothing_uncertain() -> None:
    truth = {"new_received": [5, 0, 0, 0, 0, 0, 5], "granted": [5, 0, 0, 0, 0, 0, 5], "total_processed": [5, 0, 0, 0, 0, 0, 5]}
    rows = table(truth)
    rows["denied_state_secret"] = [Candidate((1, 0, 0, 0, 0, 0, 1), frozenset())]  # breaks A2 as printed
    rows["granted"] = row_candidates(nums("5 0 0 0 0 5"), 7, A1)[0]
    solved = _solve(rows)
    assert any("no reading" in p for p in solved.problems)
    # readings 0|5|0..., 5|0|0..., 5|0|0|0|0|5|10 disagree on natural_person, commercial, other_org, total
    assert [solved.cells["granted"][c].value for c in APPLICANT_CODES] == [None, None, 0, 0, 0, None, None]
    assert solved.cells["granted"]["research"].printed


def test_missing_row_disables_only_the_rules_it_takes_part_in() -> None:
    truth = {"new_received": [6, 0, 0, 0, 0, 0, 6], "granted": [6, 0, 0, 0, 0, 0, 6], "total_processed": [6, 0, 0, 0, 0, 0, 6]}
    rows: dict = table(truth)
    rows["denied_state_secret"] = None  # A2 unusable; A3 still places the lost 6
    rows["new_received"] = row_candidates(nums("0 0 0 0 0 6"), 7, A1)[0]
    solved = _solve(rows)
    assert solved.cells["new_received"]["natural_person"].value == 6
    assert solved.cells["new_received"]["natural_person"].repair_rules == ("A1", "A3")
    assert all(c.value is None for c in solved.cells["denied_state_secret"].values())


def test_generic_splitter_respects_fixed_pieces_and_budget() -> None:
    got = [v for v, _ in splits([("12", False), ("0000", True), ("3", False)], 6)]
    assert got == [(12, 0, 0, 0, 0, 3)]
    assert [v for v, _ in splits([("5251", True)], 3)] == [(5, 2, 51), (5, 25, 1), (52, 5, 1)]


def test_a_page_number_between_rows_is_not_a_cell() -> None:
    row = [Num(v, str(v), False, 3) for v in (1, 0, 0, 0, 0, 0, 1)] + [Num(5, "5", False, 4)]
    cands, note = row_candidates(row, 7, A1)
    assert note is None and values(cands) == {(1, 0, 0, 0, 0, 0, 1)}
    # one number per line (cells layout): nothing tells which is extra
    row = [Num(v, str(v), False, i) for i, v in enumerate((1, 0, 0, 0, 0, 0, 1, 5))]
    assert row_candidates(row, 7, A1) == ([], "8 numbers for 7 cells")
