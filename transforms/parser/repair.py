"""Honest repair: recover a lost cell only when the rules leave exactly one possibility.

Text extraction loses cells (a row of 表三 prints six numbers for seven columns) or glues
them (`640020470`). For each row the readings consistent with its row rule (A1, or R1 for
表四) are its candidates: the row as printed; one missing cell at every position, its value
fixed by the row rule; every cut of glued digits that satisfies the rule. Distinct
candidates are kept by value, so dropping a zero among zeros is one candidate, not four.
A table is then solved as a whole: one candidate per row such that the column rules
(A2, A3) hold. Column-by-column propagation first drops candidates no choice of the other
rows can balance (cheap, and usually enough); a forward/backward pass over the rows still
undecided, with states deduplicated and capped, finds which candidates take part in some
solution. A row left with one is recovered; a row left with several keeps only the cells
all of them agree on; no solution at all recovers nothing beyond what the row rule alone
decides. A cut of glued digits that the digit count alone forces is a plain reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

from transforms.parser.model import Cell, Number
from transforms.parser.numbers import SearchTooLarge, as_int, splits, summing_splits
from transforms.parser.tokens import Num

# A row rule: (index of the total, indices of its parts); a row may hold several groups.
Group = tuple[int, tuple[int, ...]]

MAX_STATES = 20_000


@dataclass(frozen=True)
class Candidate:
    values: tuple[Number, ...]
    recovered: frozenset[int]  # positions whose value a rule supplied (not read as printed)


_PRINTED: frozenset[int] = frozenset()


def _group_of(groups: Sequence[Group], k: int) -> Group | None:
    for g in groups:
        if k == g[0] or k in g[1]:
            return g
    return None


def _splittable(nums: Sequence[Num], n: int) -> bool:
    if not all(t.raw.isdigit() for t in nums):
        return False
    return any(t.glued and len(t.raw) > 1 for t in nums) or (len(nums) == 1 and len(nums[0].raw) > 1 and n > 1)


def _stray_dropped(nums: Sequence[Num], n: int) -> list[Num] | None:
    """The row when `n` numbers share one line and the extras stand alone on lines of their
    own (a PDF page number between two rows), else None."""
    by_line: dict[int, list[Num]] = {}
    for t in nums:
        by_line.setdefault(t.line, []).append(t)
    full = [ts for ts in by_line.values() if len(ts) == n]
    if len(full) == 1 and all(len(ts) == 1 for ts in by_line.values() if ts is not full[0]):
        return full[0]
    return None


def row_candidates(
    nums: Sequence[Num], n: int, groups: Sequence[Group], hint: int | None = None
) -> tuple[list[Candidate], str | None]:
    """Distinct full readings of one printed row of `n` cells; a note when there are none.

    Readings are distinct by value. When several positions of the lost cell give the same
    values, the one `hint` names (where the layout left a gap) is the one marked recovered.
    """
    if len(nums) == n:
        return [Candidate(tuple([t.value for t in nums]), _PRINTED)], None
    if len(nums) > n:
        row = _stray_dropped(nums, n)
        if row is None:
            return [], f"{len(nums)} numbers for {n} cells"
        return [Candidate(tuple(t.value for t in row), frozenset())], None
    found: dict[tuple[Number, ...], frozenset[int]] = {}
    if _splittable(nums, n):
        totals = {g[0]: g for g in groups}

        def accept(i: int, values: list[int]) -> bool:
            g = totals.get(i)
            return g is None or sum(values[j] for j in g[1]) == values[i]

        pieces = [(t.raw, t.glued or len(nums) == 1) for t in nums]
        free = list(islice(splits(pieces, n), 2))
        if len(free) == 1:  # the digits alone force the cut (one digit per cell): a plain reading
            return [Candidate(free[0][0], frozenset())], None
        if len(pieces) == 1 and len(groups) == 1 and groups[0] == (n - 1, tuple(range(n - 1))):
            for values in summing_splits(pieces[0][0], n):  # one run for the whole row: A1's fast path
                found.setdefault(values, frozenset(range(n)))
        else:
            for values, origin in splits(pieces, n, accept):
                cut = {o for o in origin if origin.count(o) > 1}
                found.setdefault(values, frozenset(i for i, o in enumerate(origin) if o in cut))
    if not found and len(nums) == n - 1:
        ints = [as_int(t.value) for t in nums]
        if all(v is not None for v in ints):
            for k in range(n):
                g = _group_of(groups, k)
                if g is None:
                    continue
                row: list[int | None] = [*ints[:k], None, *ints[k:]]
                total, parts = g
                if k == total:
                    value = sum(row[j] for j in parts)  # type: ignore[misc]
                else:
                    value = row[total] - sum(row[j] for j in parts if j != k)  # type: ignore[operator]
                if value >= 0:
                    row[k] = value
                    if k == hint:
                        found[tuple(row)] = frozenset((k,))  # type: ignore[index]
                    else:
                        found.setdefault(tuple(row), frozenset((k,)))  # type: ignore[arg-type]
    if not found:
        return [], f"{len(nums)} numbers for {n} cells and no reading satisfies the row rule"
    return [Candidate(v, r) for v, r in found.items()], None


@dataclass(frozen=True)
class Constraint:
    """A column rule over whole rows: sum of coefficient × row value = 0, in every column."""

    rule: str
    coeffs: tuple[tuple[str, int], ...]


@dataclass
class Solved:
    cells: dict[str, dict[str, Cell]]
    problems: list[str]


def _cells(
    codes: Sequence[str], options: Sequence[Candidate], row_rule: str, col_rules: tuple[str, ...]
) -> dict[str, Cell]:
    """Cells of a row from the candidates that remain possible: agreed values only."""
    if len(options) == 1 and not options[0].recovered:
        return {code: Cell(v) for code, v in zip(codes, options[0].values, strict=True)}
    out: dict[str, Cell] = {}
    for j, code in enumerate(codes):
        vals = {c.values[j] for c in options}
        if len(vals) != 1:
            out[code] = Cell(None, printed=False)
            continue
        recovered = any(j in c.recovered for c in options)
        if not recovered:
            out[code] = Cell(options[0].values[j])
        else:
            rules = (row_rule, *col_rules) if len(options) == 1 and col_rules else (row_rule,)
            out[code] = Cell(options[0].values[j], printed=False, repair_rules=rules)
    return out


def _propagate(
    known: dict[str, list[Candidate]], feasible: dict[str, list[Candidate]], active: Sequence[Constraint], width: int
) -> bool:
    """Drop candidates that no choice of the other rows can balance, column by column.

    Each column of each constraint is a small linear equation over the rows' possible
    values in that column; a candidate whose value cannot be completed there is out.
    Cheap, and it usually leaves one candidate per row, so the full search rarely runs.
    Returns False when some column cannot be balanced at all: the table has no solution.
    """
    # Each row's possible values per column, recomputed only when its candidates change.
    values: dict[str, list[set[int]]] = {}

    def row_values(r: str) -> list[set[int]]:
        found = values.get(r)
        if found is None:
            found = values[r] = [
                {v if (v := as_int(c.values[j])) is not None else 10**15 for c in feasible[r]} for j in range(width)
            ]
        return found

    changed = True
    rounds = 0
    while changed and rounds < 10:
        changed = False
        rounds += 1
        for k in active:
            rows = [r for r, _ in k.coeffs]
            coeff = dict(k.coeffs)
            per_row = [row_values(r) for r in rows]
            for j in range(width):
                if all(len(v[j]) == 1 for v in per_row):
                    continue
                options = [{coeff[r] * x for x in v[j]} for r, v in zip(rows, per_row, strict=True)]
                # prefix[i]: sums rows[:i] can make; suffix[i]: sums rows[i:] can make
                prefix = [{0}]
                for o in options:
                    nxt = {a + b for a in prefix[-1] for b in o}
                    if len(nxt) > 4096:
                        break
                    prefix.append(nxt)
                else:
                    suffix = [{0}]
                    for o in reversed(options):
                        suffix.append({a + b for a in suffix[-1] for b in o})
                    suffix.reverse()
                    for i, r in enumerate(rows):
                        if len(options[i]) == 1:
                            continue
                        ok = {x for x in options[i] if any(-(p + x) in suffix[i + 1] for p in prefix[i])}
                        if not ok:
                            return False
                        if len(ok) < len(options[i]):
                            kept = [
                                c
                                for c in feasible[r]
                                if coeff[r] * (as_int(c.values[j]) if as_int(c.values[j]) is not None else 10**15) in ok
                            ]
                            feasible[r] = kept
                            values.pop(r, None)
                            per_row[i] = row_values(r)
                            changed = True
    return True


def solve_table(
    rows: dict[str, list[Candidate] | None],
    columns: Sequence[str],
    row_rule: str,
    constraints: Sequence[Constraint],
) -> Solved:
    """Choose one candidate per row so every active column constraint holds, if uniquely."""
    problems: list[str] = []
    known = {r: c for r, c in rows.items() if c}
    active = [k for k in constraints if all(r in known for r, _ in k.coeffs)]
    ambiguous = [r for r, c in known.items() if len(c) > 1]
    feasible: dict[str, list[Candidate]] = {r: list(c) for r, c in known.items()}
    used_rules: dict[str, tuple[str, ...]] = {}
    if ambiguous and active:
        width = len(columns)
        coef = [dict(k.coeffs) for k in active]
        dims = len(active) * width

        def contrib(row: str, cand: Candidate) -> tuple[int, ...]:
            vec = [0] * dims
            for ci, cf in enumerate(coef):
                a = cf.get(row)
                if a:
                    for j in range(width):
                        v = as_int(cand.values[j])
                        # a non-integral printed count can never balance a column
                        vec[ci * width + j] = a * v if v is not None else 10**15
            return tuple(vec)

        if not _propagate(known, feasible, active, width):
            problems.append(f"no reading of the lost cells satisfies {'/'.join(k.rule for k in active)}; left unresolved")
            feasible = {r: list(c) for r, c in known.items()}
            involved = []
        else:
            involved = [r for r in ambiguous if len(feasible[r]) > 1 and any(r in cf for cf in coef)]
        for r in ambiguous:
            if len(feasible[r]) < len(known[r]):
                used_rules[r] = tuple(k.rule for k in active if r in dict(k.coeffs))
        base = [0] * dims
        for r in known:
            if r not in involved and feasible[r]:
                base = [x + y for x, y in zip(base, contrib(r, feasible[r][0]), strict=True)]
        contribs = {r: [contrib(r, c) for c in feasible[r]] for r in involved}
        try:
            forward = [{tuple(base)}]
            for r in involved:
                nxt = {tuple(x + y for x, y in zip(s, v, strict=True)) for s in forward[-1] for v in contribs[r]}
                if len(nxt) > MAX_STATES:
                    raise SearchTooLarge
                forward.append(nxt)
            backward = [{tuple([0] * dims)}]
            for r in reversed(involved):
                nxt = {tuple(x + y for x, y in zip(s, v, strict=True)) for s in backward[-1] for v in contribs[r]}
                if len(nxt) > MAX_STATES:
                    raise SearchTooLarge
                backward.append(nxt)
            backward.reverse()  # backward[i]: sums the rows involved[i:] can make
        except SearchTooLarge:
            problems.append("repair search too large")
            involved = []
            feasible = {r: list(c) for r, c in known.items()}
            used_rules = {}
        for i, r in enumerate(involved):
            after = backward[i + 1]
            keep = []
            for cand, v in zip(feasible[r], contribs[r], strict=True):
                if any(tuple(-(x + y) for x, y in zip(s, v, strict=True)) in after for s in forward[i]):
                    keep.append(cand)
            if keep:
                feasible[r] = keep
                used_rules[r] = tuple(k.rule for k in active if r in dict(k.coeffs))
            else:
                # No table satisfies the column rules: nothing they "decided" can be trusted.
                problems.append(
                    f"no reading of the lost cells satisfies {'/'.join(k.rule for k in active)}; left unresolved"
                )
                feasible = {r: list(c) for r, c in known.items()}
                used_rules = {}
                break
    cells: dict[str, dict[str, Cell]] = {}
    for r, cands in rows.items():
        if not cands:
            cells[r] = {c: Cell(None, printed=False) for c in columns}
            continue
        options = feasible.get(r, cands)
        cells[r] = _cells(columns, options, row_rule, used_rules.get(r, ()))
        if len(options) > 1:
            unknown = [c for c in columns if cells[r][c].value is None]
            if unknown:
                problems.append(f"row {r}: {len(options)} readings fit the rules, cells {', '.join(unknown)} left empty")
    return Solved(cells, sorted(set(problems), key=problems.index))


def fill_blank_rows(
    cells: dict[str, dict[str, Cell]],
    blank: Sequence[str],
    columns: Sequence[str],
    groups: Sequence[Group],
    constraints: Sequence[Constraint],
) -> list[str]:
    """Rows whose label is printed with no figures at all (`(六)2.…缴纳费用 3.其他（七）总计 4…`),
    recovered from a column rule where it leaves one possibility in every column.

    With every other term of the rule read, the blank rows make up the difference: one blank
    row takes it (if it is a count); several blank rows on the same side take it only when it
    is 0, since counts are not negative (N1). A row is recovered whole or not at all, and only
    if its own row rule then holds. Returns the rows recovered.
    """
    recovered: list[str] = []
    pending = [r for r in blank if r in cells]
    changed = True
    while changed and pending:
        changed = False
        for k in constraints:
            coeff = dict(k.coeffs)
            unknown = [r for r in pending if r in coeff]
            others = [r for r in coeff if r not in unknown]
            if not unknown or any(r not in cells or r in pending for r in others):
                continue
            signs = {coeff[r] > 0 for r in unknown}
            if len(signs) != 1:
                continue
            found: dict[str, list[int]] = {r: [] for r in unknown}
            for c in columns:
                known = [as_int(cells[r][c].value) for r in others]
                if any(v is None for v in known):
                    break
                residual = -sum(coeff[r] * v for r, v in zip(others, known, strict=True))  # type: ignore[operator]
                if len(unknown) == 1:
                    value, rest = divmod(residual, coeff[unknown[0]])
                    if rest or value < 0:
                        break
                    found[unknown[0]].append(value)
                elif residual == 0:
                    for r in unknown:
                        found[r].append(0)
                else:
                    break
            else:
                if not all(
                    sum(vals[j] for j in parts) == vals[total] for vals in found.values() for total, parts in groups
                ):
                    continue
                rules = (k.rule,) if len(unknown) == 1 else (k.rule, "N1")
                for r, vals in found.items():
                    cells[r] = {c: Cell(v, printed=False, repair_rules=rules) for c, v in zip(columns, vals, strict=True)}
                    pending.remove(r)
                    recovered.append(r)
                changed = True
    return recovered
