"""`ogi parse FILE...`: read reports into the canonical model; a review view or JSON lines.

The default view is what a reviewer at an open-government office checks: the header, the
three tables with Chinese labels and codes, recovered cells marked, each rule violation in
plain words. `--json` prints one export object per file, in input order. Many files are
parsed on every core.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from transforms.parser.decoding import display_width
from transforms.parser.model import (
    APPLICANT_COLUMNS,
    DISCLOSURE_ITEMS,
    DISCLOSURE_MEASURES,
    LABELS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    Cell,
    Report,
    RuleResult,
)
from transforms.parser.wording import violation_text

PARALLEL_FROM = 50  # fewer files than this parse faster in one process than a pool starts
CHUNK = 256


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "parse",
        help="parse annual report files: tables, repairs and rule findings",
        description="Parse 政府信息公开工作年度报告 files into the canonical model. "
        "Exit 0 when every file parsed (ok or repaired), 1 when any was rejected or incomplete.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="report files (text or HTML); a folder means every file in it")
    p.add_argument("--json", action="store_true", help="one JSON object per file and line (the spec's export)")
    p.add_argument("--jobs", type=int, default=0, metavar="N", help="worker processes (default: all cores for many files)")
    p.set_defaults(handler=run)


def _json_line(report: Report) -> str:
    from transforms.parser.export import report_to_export

    return json.dumps(report_to_export(report), ensure_ascii=False)


def _chunk_text(task: tuple[list[str], bool]) -> tuple[bool, str]:
    """Parse a chunk of files in a worker: (any rejected or incomplete, the ready output).

    One task and one string per chunk: the parent only writes. (The review view used to
    pickle a Report, ~250 cells, back per file; the pool's per-file traffic is gone too,
    though it was ~0.1 ms/report, not the cost the load-inflated figures suggested.)"""
    from transforms.parser.parse import parse_file

    paths, as_json = task
    failed = False
    parts: list[str] = []
    for path in paths:
        report = parse_file(path)
        failed |= report.status in ("rejected", "incomplete")
        parts.append(_json_line(report) if as_json else render(report))
    return failed, "".join(p + "\n" for p in parts)


def _warm_up() -> None:
    """Import the parser and fill its lazy caches (the divisions table) before workers fork,
    so every worker starts with them instead of loading them again."""
    from transforms.parser.parse import parse_document

    parse_document("某县人民政府2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n(七)总计\t0".encode(), "-")


def _chunks(files: list[str], jobs: int) -> list[list[str]]:
    # A few chunks per worker: big enough that task overhead vanishes, small enough that
    # one slow chunk at the end does not leave the other cores idle for long.
    size = max(1, min(CHUNK, -(-len(files) // (jobs * 8))))
    return [files[i : i + size] for i in range(0, len(files), size)]


def _outputs(files: list[str], jobs: int, as_json: bool) -> Iterator[tuple[bool, str]]:
    """(failed, text) per chunk of files, in input order."""
    if jobs <= 1 or len(files) < PARALLEL_FROM:
        for path in files:
            yield _chunk_text(([path], as_json))
        return
    _warm_up()
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    tasks = [(chunk, as_json) for chunk in _chunks(files, jobs)]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield from pool.map(_chunk_text, tasks)


def _cores() -> int:
    """Cores this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _expand(paths: list[str]) -> list[str]:
    """Files as given; a folder stands for its files (recursively, sorted, hidden ones skipped)."""
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(os.path.join(root, f) for f in sorted(files) if not f.startswith("."))
        else:
            out.append(p)
    return out


def run(args: argparse.Namespace) -> int:
    jobs = args.jobs if args.jobs > 0 else _cores()
    args.files = _expand(args.files)
    failed = False
    out = sys.stdout
    for chunk_failed, text in _outputs(args.files, jobs, args.json):
        failed |= chunk_failed
        out.write(text)
    out.flush()
    return 1 if failed else 0


# ------------------------------------------------------------------------------------------
# The review view
# ------------------------------------------------------------------------------------------
_STATUS_WORDS = {
    "ok": "ok 全部读取",
    "repaired": "repaired 部分单元格由规则推出 (*)",
    "incomplete": "incomplete 有单元格无法唯一确定 (?)",
    "rejected": "rejected 未能解析",
}


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def _fmt(cell: Cell | None) -> str:
    if cell is None or cell.value is None:
        return "?"
    from transforms.parser.export import json_number

    text = str(json_number(cell.value))
    return text + "*" if not cell.printed else text


def _grid(title: str, rows: list[tuple[str, list[Cell | None]]], headers: list[str]) -> list[str]:
    label_w = max([display_width(r[0]) for r in rows] + [8])
    col_w = [max(display_width(h), 6) for h in headers]
    for _, cells in rows:
        for j, c in enumerate(cells):
            col_w[j] = max(col_w[j], len(_fmt(c)))
    lines = [title, "  " + _pad("", label_w) + "  " + "  ".join(_pad(h, w, True) for h, w in zip(headers, col_w, strict=True))]
    for label, cells in rows:
        lines.append(
            "  " + _pad(label, label_w) + "  " + "  ".join(_pad(_fmt(c), w, True) for c, w in zip(cells, col_w, strict=True))
        )
    return lines


def _short(label: str) -> str:
    return label.split("/")[-1]


def _row_label(label: str, limit: int = 14) -> str:
    """A 表三 row's own words, without its 三、(x) parent, cut to fit a terminal."""
    text = label.split(" ")[-1]
    if text.startswith("三、") and "(" in text:
        text = text[2:]
    text = text.split("(区分")[0]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def violation_words(r: RuleResult, report: Report) -> Iterable[str]:
    from transforms.parser.rules import n1_offending

    if r.rule == "N1":
        for row, col, value in n1_offending(r.table, report.tables()[r.table]):
            yield violation_text("N1", r.table, f"{row}.{col}", value, None)
        return
    yield violation_text(r.rule, r.table, r.where, r.lhs, r.rhs, r.basis)


def render(report: Report) -> str:
    out = [f"== {report.source}", f"状态 status: {_STATUS_WORDS.get(report.status, report.status)}"]
    if report.error:
        out.append(f"问题 error: {report.error}")
    if report.status == "rejected":
        if report.extraction:
            out.append(f"读取 extraction: {report.extraction}   类型 media type: {report.media_type}")
        return "\n".join(out)
    out.append(
        f"机关 body: {report.body or '?'}   年度 year: {report.year or '?'}   模板 template: {report.template}   "
        f"地区 jurisdiction: {' > '.join([*report.parent_jurisdictions, report.jurisdiction or '?'])}   "
        f"区划代码 admin_code: {report.admin_code or '?'}   发布 published: {report.published_on or '?'}"
    )
    out.append(f"版式 layout: {report.layout}   编码 encoding: {report.encoding}   report_id: {report.report_id[:16]}")
    out.append(f"读取 extraction: {report.extraction}   类型 media type: {report.media_type}")
    if report.table_pages:
        names = {"active_disclosure": "表二", "applications": "表三", "review_litigation": "表四"}
        pages = ", ".join(f"{names[t]} p.{p}" for t, p in sorted(report.table_pages.items(), key=lambda kv: kv[1]))
        out.append(f"页码 pages: {pages}")
    measures = {m.code: m.label for m in DISCLOSURE_MEASURES}
    items = {i.code: i.label for i in DISCLOSURE_ITEMS}
    out.append("")
    out.append("表二 主动公开政府信息情况 (active_disclosure)")
    for item, cols in report.active_disclosure.items():
        parts = [f"{measures[m]} ({m}) {_fmt(c)}" for m, c in cols.items()]
        out.append(f"  {items[item]} ({item}): " + "; ".join(parts))
    out.append("")
    row_labels = LABELS["applications.row"]
    rows = [(f"{_row_label(row_labels[r])} ({r})", [cols.get(c.code) for c in APPLICANT_COLUMNS]) for r, cols in report.applications.items()]
    out += _grid(
        "表三 收到和处理政府信息公开申请情况 (applications)",
        rows,
        [f"{_short(c.label)}" for c in APPLICANT_COLUMNS],
    )
    out.append("  列 columns: " + ", ".join(f"{_short(c.label)}={c.code}" for c in APPLICANT_COLUMNS))
    out.append("")
    rows = [
        (f"{g.label} ({g.code})", [report.review_litigation.get(g.code, {}).get(c.code) for c in REVIEW_COLUMNS])
        for g in REVIEW_GROUPS
    ]
    out += _grid("表四 行政复议、行政诉讼情况 (review_litigation)", rows, [f"{c.label}" for c in REVIEW_COLUMNS])
    out.append("")
    if any(not c.printed and c.value is not None for t in report.tables().values() for cols in t.values() for c in cols.values()):
        out.append("* 文本中缺失、由规则唯一推出的单元格 (recovered: rules in the JSON export's repairs)")
    if any(c.value is None for t in report.tables().values() for cols in t.values() for c in cols.values()):
        out.append("? 无法唯一确定的单元格 (unknown)")
    violations = report.violations
    if violations:
        out.append(f"违反规则 violations ({len(violations)}):")
        for r in violations:
            out.extend(f"  {w}" for w in violation_words(r, report))
    else:
        checked = len(report.rule_results)
        out.append(f"规则检查 rules: {checked} checks, all held")
    return "\n".join(out)
