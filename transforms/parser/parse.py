"""Raw report bytes -> the canonical Report: the parser's one entry point.

decode (encoding, media type, NFKC) -> layout (HTML flattened to tab-separated rows) ->
sections by heading words -> tokens (labels and numbers) -> rows by label meaning ->
template from the labels -> candidates per row and a whole-table solve (repair.py) ->
rules (rules.py) -> status. Never raises: whatever goes wrong becomes a rejected Report
whose `error` says what.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from transforms.parser import layouts
from transforms.parser.decoding import Unreadable, decode, normalise_printed
from transforms.parser.labels import fuzzy_row, match_item, match_row, template_evidence
from transforms.parser.layouts import oneline
from transforms.parser.layouts.document import Extracted, document_decoded, extract_document, table_pages
from transforms.parser.metadata import extract_metadata
from transforms.parser.model import (
    APPLICANT_CODES,
    DISCLOSURE_LAYOUT,
    REVIEW_COLUMN_CODES,
    REVIEW_GROUP_CODES,
    REVIEW_PARTS,
    TEMPLATES,
    Cell,
    Number,
    Report,
    Table,
    Template,
    application_rows,
    edition_rows,
    outcome_rows,
)
from transforms.parser.numbers import SearchTooLarge, as_int, splits
from transforms.parser.repair import Candidate, Constraint, fill_blank_rows, row_candidates, solve_table
from transforms.parser.rules import evaluate
from transforms.parser.tables import (
    APPLICATIONS,
    DISCLOSURE,
    REVIEW,
    TABLE_NAMES,
    LayoutStats,
    Run,
    Section,
    column_hint,
    find_sections,
    tokenize,
)
from transforms.parser.tokens import Num

PARSER_VERSION = "1.1.0"

A1_GROUPS = [(6, tuple(range(6)))]
_R1_WIDTH = len(REVIEW_COLUMN_CODES)
R1_GROUPS = [
    (g * _R1_WIDTH + _R1_WIDTH - 1, tuple(g * _R1_WIDTH + i for i in range(len(REVIEW_PARTS))))
    for g in range(len(REVIEW_GROUP_CODES))
]
_REVIEW_POSITIONS = [f"{g}.{c}" for g in REVIEW_GROUP_CODES for c in REVIEW_COLUMN_CODES]


def parse_file(path: str | Path) -> Report:
    """Parse one file; an unreadable path becomes a rejected report, not an exception."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return Report(str(path), hashlib.sha256(b"").hexdigest(), "rejected", error=f"cannot read file: {exc.strerror or exc}")
    return parse_document(data, str(path))


def parse_document(data: bytes, source: str) -> Report:
    report_id = hashlib.sha256(data).hexdigest()
    try:
        return _parse(data, source, report_id)
    except Exception as exc:  # noqa: BLE001 - the contract: every input yields a Report
        return Report(source, report_id, "rejected", error=f"parser failure ({type(exc).__name__}: {exc})")


def _rejected(source: str, report_id: str, error: str, encoding: str | None = None, document: Extracted | None = None) -> Report:
    report = Report(source, report_id, "rejected", error=error, encoding=encoding)
    if document is not None:
        report.media_type, report.extraction = document.media_type, document.extraction
    return report


def _parse(data: bytes, source: str, report_id: str) -> Report:
    try:
        # PDF and Word documents: read into lines by their own layout readers (layouts.document)
        document = extract_document(data)
        decoded = decode(data, normalise_html=False) if document is None else document_decoded(document)
    except Unreadable as exc:
        return _rejected(source, report_id, str(exc))
    text, printed = decoded.text, decoded.printed
    if decoded.media_type == "text/html":
        from transforms.parser.layouts.html import to_text

        # NFKC after the markup is read: less text to normalise, and a full-width ＜ in the
        # text or an entity for a full-width digit (&#65297;) reads as text, normalised.
        text, printed = normalise_printed(to_text(text))
    lines = text.split("\n")
    one_line = oneline.is_one_line(lines)
    if one_line:
        lines = oneline.unfold(lines)
        text, printed = "\n".join(lines), None  # printed columns mean nothing once the line is cut
    stats = LayoutStats()
    sections = find_sections(lines, stats, text, printed)
    if APPLICATIONS not in sections:
        # No 表三 heading: look for its rows anywhere (headings can be lost in extraction).
        whole = Section(APPLICATIONS, 0, len(lines))
        whole.tokens = tokenize(lines, 0, len(lines), whole.stats, printed)
        named = {match_row(run.labels, t) for run in whole.runs for t in ("2021", "2019")} - {None}
        if len(named) >= 3:  # a few 表三 rows by name, not one stray keyword in some other table
            sections[APPLICATIONS] = whole
            stats.kinds.update(whole.stats.kinds)
            stats.glued += whole.stats.glued
            stats.numeric_lines += whole.stats.numeric_lines
    if not any(s.number_count for s in sections.values()):
        if "政府信息公开" not in text:
            return _rejected(source, report_id, "not an annual report: no 政府信息公开 text or tables", decoded.encoding, document)
        return _rejected(source, report_id, "no report tables found (表二, 表三, 表四 all missing)", decoded.encoding, document)

    template = _template(sections)
    if template is None:
        return _rejected(source, report_id, "unknown template: no 2019 or 2021 table labels found", decoded.encoding, document)
    problems: list[str] = []
    report = Report(source, report_id, "ok", template=template, encoding=decoded.encoding)
    report.layout = "html" if decoded.media_type == "text/html" else "one_line" if one_line else layouts.family(
        stats.kinds, stats.glued, stats.numeric_lines
    )
    if document is not None:
        report.layout = document.layout
        report.media_type, report.extraction = document.media_type, document.extraction
        report.table_pages = table_pages(document, sections)
        problems.extend(document.notes)
    else:
        report.media_type, report.extraction = decoded.media_type, "html" if decoded.media_type == "text/html" else "text"
    report.applications_template = _applications_template(sections.get(APPLICATIONS), template)
    report.applications = _applications(
        sections.get(APPLICATIONS), report.applications_template, problems, report.layout in ("html", "pdf", "docx")
    )
    report.review_litigation = _review(sections.get(REVIEW) or _review_inside(sections.get(APPLICATIONS)), problems)
    report.active_disclosure = _disclosure(sections.get(DISCLOSURE), template, problems)
    _metadata(report, text)
    report.rule_results = evaluate(report, _narrative(lines, sections))
    unknown = recovered = False
    for table in (report.applications, report.review_litigation, report.active_disclosure):
        for cols in table.values():
            for c in cols.values():
                if c.value is None:
                    unknown = True
                elif not c.printed:
                    recovered = True
    if unknown:
        report.status = "incomplete"
    elif recovered:
        report.status = "repaired"
    if report.status == "incomplete":
        report.error = "; ".join(problems) or "some cells could not be read"
    return report


def _narrative(lines: list[str], sections: dict[str, Section]) -> str:
    """The text before the first table: where the overview states its figures (for T1)."""
    first = min((s.start for s in sections.values()), default=len(lines))
    return "\n".join(lines[: max(first - 1, 0)])


def _metadata(report: Report, text: str) -> None:
    # No try/except: a bug here must fail the tests, not quietly drop every report's jurisdiction.
    meta = extract_metadata(text)
    for name in ("year", "body", "jurisdiction", "parent_jurisdictions", "admin_code", "published_on"):
        value = getattr(meta, name, None)
        if value is not None:
            setattr(report, name, list(value) if name == "parent_jurisdictions" else value)


def _template(sections: dict[str, Section]) -> Template | None:
    """2019 or 2021 from the table labels alone (some bodies used the wrong template for the year)."""
    labels = [text for kind in (DISCLOSURE, APPLICATIONS) if kind in sections for run in sections[kind].runs for text in run.labels]
    n2019, n2021 = template_evidence(labels)
    if APPLICATIONS in sections:
        # 表三 itself: (六) split into 逾期不补正 / 收费 sub-rows (2021) or one row with numbers (2019)
        for run in sections[APPLICATIONS].runs:
            nearest = run.labels[-1] if run.labels else ""
            if nearest.endswith("其他处理"):
                n2019 += 2
            elif "逾期不补正" in nearest or "缴纳费用" in nearest:
                n2021 += 2
    if n2019 == n2021:
        return None
    return "2019" if n2019 > n2021 else "2021"


def _match_run(run: Run, template: Template) -> str | None:
    """A row's labels on its own line first; then with a wrapped tail below; then with the lines above."""
    own = run.labels[len(run.labels) - run.own :] if run.own else []
    if own:
        code = match_row(own, template)
        if code:
            return code
    if run.tail:
        code = match_row(["".join(own) + "".join(run.tail)], template)
        if code:
            return code
    return match_row(run.labels, template) if len(run.labels) > len(own) else None


def _int_value(v: Number) -> Number:
    i = as_int(v)
    return i if i is not None else v


def _applications_template(section: Section | None, template: Template) -> Template:
    """The template of 表三's own row list. Some 2021 reports kept 2019's 表三 (六): one
    其他处理 row with figures and none of the three numbered rows; their 表三 is read with the
    2019 rows, so the row they print is stored, not three rows they never printed."""
    if section is None:
        return template
    other = next(t for t in TEMPLATES if t != template)
    mine, theirs = set(edition_rows(template)), set(edition_rows(other))
    if any(_match_run(run, template) in mine for run in section.runs):
        return template
    return other if any(run.nums and _match_run(run, other) in theirs for run in section.runs) else template


def _blank_rows(
    section: Section, sequence: list[str | None], found: dict[str, list[Num]], template: Template, order: dict[str, int]
) -> None:
    """Rows printed as a label with no figures (`2.…缴纳费用…申请 3.其他（七）总计 4 0 0…`): their
    labels end up above the next row's. A label there that names a row of its own, in order
    between the rows around it, is that row, found with no numbers (repair may recover it)."""
    prev = -1
    for run, code in zip(section.runs, sequence, strict=True):
        if code is None:
            continue
        above = run.labels[: len(run.labels) - run.own]
        for label in above:
            row = match_row([label], template)
            if row is not None and row not in found and prev < order[row] < order[code]:
                found[row] = []
        prev = order[code]


def _applications(section: Section | None, template: Template, problems: list[str], prefer_right: bool) -> Table:
    codes = application_rows(template)
    if section is None:
        problems.append(f"{TABLE_NAMES[APPLICATIONS]} not found")
        return {r: {c: Cell(None, printed=False) for c in APPLICANT_CODES} for r in codes}
    found: dict[str, list[Num]] = {}
    order = {c: i for i, c in enumerate(codes)}
    sequence: list[str | None] = []
    unmatched: list[tuple[int, list[str], list[Num]]] = []  # (place in sequence, labels, numbers)
    for run in section.runs:
        code = _match_run(run, template)
        if code is not None and code not in found:
            found[code] = run.nums
            sequence.append(code)
        else:
            sequence.append(None)
            unmatched.append((len(sequence) - 1, run.labels + run.tail, run.nums))
    # A run no keyword names (a wrap cut through it, OCR damage) sits between two matched
    # rows: it is the row of that gap, the only one or the one its label resembles.
    for pos, labels, nums in unmatched:
        prev = next((order[c] for c in reversed(sequence[:pos]) if c), -1)
        nxt = next((order[c] for c in sequence[pos + 1 :] if c), len(codes))
        gap = {codes[i] for i in range(prev + 1, nxt) if codes[i] not in found}
        code = next(iter(gap)) if len(gap) == 1 and nxt - prev == 2 else (fuzzy_row(labels, template, gap) if gap else None)
        if code:
            found[code] = nums
            sequence[pos] = code
    _blank_rows(section, sequence, found, template, order)
    width = len(APPLICANT_CODES)
    reference = [nums for nums in found.values() if len(nums) == width and len({t.line for t in nums}) == 1]
    rows: dict[str, list[Candidate] | None] = {}
    missing = [r for r in codes if r not in found]
    if missing:
        problems.append(f"表三 row{'s' if len(missing) > 1 else ''} {', '.join(missing)} not found")
    for r in codes:
        if r not in found:
            rows[r] = None
            continue
        try:
            nums = found[r]
            hint = column_hint(nums, reference, width, prefer_right) if len(nums) == width - 1 else None
            cands, note = row_candidates(nums, width, A1_GROUPS, hint)
        except SearchTooLarge:
            cands, note = [], "repair search too large"
        if note:
            problems.append(f"表三 row {r}: {note}")
        rows[r] = cands or None
    outcomes = outcome_rows(template)
    constraints = [
        Constraint("A2", (*((r, 1) for r in outcomes), ("total_processed", -1))),
        Constraint("A3", (("new_received", 1), ("carried_over", 1), ("total_processed", -1), ("carried_forward", -1))),
    ]
    solved = solve_table(rows, APPLICANT_CODES, "A1", constraints)
    problems.extend(f"表三 {p}" for p in solved.problems)
    blank = [r for r in codes if r in found and not found[r]]
    for r in fill_blank_rows(solved.cells, blank, APPLICANT_CODES, A1_GROUPS, constraints):
        problems.remove(f"表三 row {r}: 0 numbers for {width} cells and no reading satisfies the row rule")
    out: Table = {}
    for r in codes:
        cols = solved.cells[r]
        if not all(type(cell.value) is int for cell in cols.values()):
            cols = {
                c: cell if cell.value is None or type(cell.value) is int else _as_count(cell, f"表三 {r}.{c}", problems)
                for c, cell in cols.items()
            }
        out[r] = cols
    return out


def _as_count(cell: Cell, where: str, problems: list[str]) -> Cell:
    """Counts are whole numbers: a printed `1.5` where a count belongs is not read as one."""
    if cell.value is not None and type(cell.value) is not int:
        whole = as_int(cell.value)
        if whole is None:
            problems.append(f"{where}: {cell.value} is not a count")
            return Cell(None, printed=False)
        cell.value = whole
    return cell


_REVIEW_HEADER_WORDS = ("行政复议", "行政诉讼", "结果维持", "尚未审结")


def _review_inside(section: Section | None) -> Section | None:
    """表四 without its heading: the numbers after 行政复议 ... 尚未审结 at the end of 表三's span."""
    if section is None:
        return None
    tokens = section.tokens
    for i in range(len(tokens) - 1, -1, -1):
        t = tokens[i]
        if type(t) is not Num and any(w in t.text for w in _REVIEW_HEADER_WORDS):
            # back to the first header label of this group of labels
            j = i
            while j > 0 and type(tokens[j - 1]) is not Num:
                j -= 1
            if any(w in tokens[k].text for k in range(j, i + 1) for w in ("行政复议", "行政诉讼")):
                found = Section(REVIEW, t.line, section.end)
                found.tokens = tokens[j:]
                if sum(1 for x in found.tokens if type(x) is Num) >= 10:
                    return found
            return None
    return None


def _review(section: Section | None, problems: list[str]) -> Table:
    empty = {g: {c: Cell(None, printed=False) for c in REVIEW_COLUMN_CODES} for g in REVIEW_GROUP_CODES}
    if section is None:
        problems.append(f"{TABLE_NAMES[REVIEW]} not found")
        return empty
    nums = [t for t in section.tokens if isinstance(t, Num)]
    try:
        cands, note = row_candidates(nums, len(_REVIEW_POSITIONS), R1_GROUPS)
    except SearchTooLarge:
        cands, note = [], "repair search too large"
    if note:
        problems.append(f"表四: {note}")
    solved = solve_table({"review": cands or None}, _REVIEW_POSITIONS, "R1", [])
    problems.extend(f"表四: {p.removeprefix('row review: ')}" for p in solved.problems)
    out: Table = {g: {} for g in REVIEW_GROUP_CODES}
    for pos, cell in solved.cells["review"].items():
        g, c = pos.split(".")
        out[g][c] = _as_count(cell, f"表四 {g}.{c}", problems)
    return out


def _disclosure(section: Section | None, template: Template, problems: list[str]) -> Table:
    layout = DISCLOSURE_LAYOUT[template]
    out: Table = {item: {m: Cell(None, printed=False) for m in measures} for item, measures in layout.items()}
    if section is None:
        problems.append(f"{TABLE_NAMES[DISCLOSURE]} not found")
        return out
    seen: set[str] = set()
    for run in section.runs:
        labels, nums = run.labels, run.nums
        item = match_item(labels)
        if item is None or item not in layout or item in seen:
            continue
        seen.add(item)
        values = _disclosure_values(nums, len(layout[item]))
        if values is None:
            problems.append(f"表二 {item}: {len(nums)} numbers for {len(layout[item])} measures")
            continue
        for m, v in zip(layout[item], values, strict=True):
            out[item][m] = Cell(_int_value(v))
    missing = [item for item in layout if item not in seen]
    if missing:
        problems.append(f"表二 item{'s' if len(missing) > 1 else ''} {', '.join(missing)} not found")
    return out


def _disclosure_values(nums: Sequence[Num], n: int) -> Sequence[Number] | None:
    if len(nums) == n:
        return [t.value for t in nums]
    if len(nums) < n and all(t.raw.isdigit() for t in nums) and any(t.glued for t in nums):
        # Cells ran together (digits glued to the label): only a cut that the digits alone
        # force is a reading. 表二 has no rule to check a cut, so a number standing on its
        # own (`55 |` whose neighbour was lost) is never cut: 5|5 would be a guess.
        try:
            found = {v for v, _ in splits([(t.raw, t.glued) for t in nums], n, budget=20_000)}
        except SearchTooLarge:
            return None
        if len(found) == 1:
            return list(found.pop())
    return None
