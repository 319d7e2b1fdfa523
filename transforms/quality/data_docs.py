"""Data Docs a clerk can read offline: the assets shipped with the site, and the open findings on top.

GX renders every page with its CSS and JavaScript from CDNs, and government intranets have no
way out: offline the pages are blank. `finish` copies the same files, at the versions GX asks
for, from `data_docs_assets/` (taken from the npm registry, licences beside them) into the
site and points every page at them. GX also lists validations newest first, so after a no-op
run a 0-row "Succeeded" sits above the failure that still stands, and names rules and rows by
expectation and sha256 id. So the site gets `findings.html`, every open finding of the
statutory suite as silver holds it now, named in the wording of `ogi parse` and by body, year
and file, and the index leads with it.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import polars as pl

from transforms.lake import delta, schemas
from transforms.lake.settings import DataPaths
from transforms.parser.wording import RULE_NAMES, violation_text

ASSETS = Path(__file__).resolve().parent / "data_docs_assets"
VENDOR = "static/vendor"

# Each external address GX writes into a page, and the shipped file that replaces it.
_LOCAL = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/js/bootstrap.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": "bootstrap-dark/css/bootstrap-prefers-dark.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": "bootstrap-datepicker/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": "bootstrap-datepicker/js/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.js",
    # GX asks for 1.19.0's stylesheet beside 1.19.1's script; the extension's CSS did not change.
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper/popper.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega/vega-embed.min.js",
}  # fmt: skip
_ATTRIBUTE = re.compile(r'(src|href|action)="(https?://[^"]*)"')
_LOGO = re.compile(r"^https://great-expectations-web-assets\.[^/]+/logo-long\.png")
_PAIR_RULE = re.compile(r"Values in (<span[^>]*>)(a1|a2|a3|r1)_lhs</span> and <span[^>]*>\2_rhs</span> must always be equal\.")
_N1_HEADER = re.compile(r"(<h5[^>]*>\s*)(n1_min|n1_fraction_e4)(\s*</h5>)")
_REPORT_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
_BANNER = re.compile(r"<!-- ogi:current -->.*?<!-- /ogi:current -->", re.S)


class UnknownAsset(ValueError):
    """A page asks for an external file the site does not ship: GX changed its templates."""


def _relative(page: Path, site: Path, target: str) -> str:
    depth = len(page.relative_to(site).parts) - 1
    return "../" * depth + target


def localise(page: Path, site: Path) -> None:
    """Point one page at the shipped files; links out of the site (GX's newsletter) are dropped."""
    text = page.read_text(encoding="utf-8")

    def local(match: re.Match) -> str:
        attribute, url = match.groups()
        if url in _LOCAL:
            return f'{attribute}="{_relative(page, site, f"{VENDOR}/{_LOCAL[url]}")}"'
        if _LOGO.match(url):
            return f'{attribute}="{_relative(page, site, "static/images/logo-long.png")}"'
        if attribute in ("href", "action") and "greatexpectations.io" in url:
            return f'{attribute}="{_relative(page, site, "index.html")}"'
        raise UnknownAsset(f"{page.name} asks for {url}, which Data Docs do not ship")

    page.write_text(_ATTRIBUTE.sub(local, text), encoding="utf-8")


def clerks_words(text: str, reports: dict[str, str]) -> str:
    """A validation page in the words `ogi parse` uses: each rule by its statutory wording, each
    failing report by its body, year and file instead of its sha256 id."""
    text = _PAIR_RULE.sub(lambda m: f"<b>{m.group(2).upper()}</b> {html.escape(RULE_NAMES[m.group(2).upper()])} "
                          f"({m.group(1)}{m.group(2)}_lhs</span> = {m.group(1)}{m.group(2)}_rhs</span>)", text)  # fmt: skip
    text = _N1_HEADER.sub(lambda m: f"{m.group(1)}N1 {html.escape(RULE_NAMES['N1'])} ({m.group(2)}){m.group(3)}", text)
    return _REPORT_ID.sub(lambda m: html.escape(reports[m.group(0)]) if m.group(0) in reports else m.group(0), text)


def report_names(paths: DataPaths) -> dict[str, str]:
    """report_id -> "body year file (id…)", for every report in silver."""
    path = paths.silver_table(schemas.REPORTS.name)
    if not delta.exists(path):
        return {}
    frame = delta.read(path, schemas.REPORTS, ["report_id", "body", "year", "source"])
    return {r: f"{b or '(未识别机关)'} {y or ''} {src} ({r[:8]}…)" for r, b, y, src in frame.iter_rows()}


def external_urls(site: Path) -> list[str]:
    """Every address outside the site that a page would load or link to (empty when offline-ready)."""
    found = []
    for page in sorted(site.rglob("*.html")):
        found += [f"{page.relative_to(site)}: {url}" for _, url in _ATTRIBUTE.findall(page.read_text(encoding="utf-8"))]
    return found


def with_reports(paths: DataPaths, findings: pl.DataFrame) -> pl.DataFrame:
    """Findings with the body, jurisdiction, year and file of their report, in reading order."""
    reports = delta.read(paths.silver_table(schemas.REPORTS.name), schemas.REPORTS, ["report_id", "body", "jurisdiction", "year", "source"])
    return findings.join(reports.unique("report_id"), on="report_id", how="left").sort(
        "jurisdiction", "body", "year", "source", "rule", "table", "where", nulls_last=True
    )


def open_findings(paths: DataPaths) -> pl.DataFrame:
    """Every finding of the statutory suite that stands now, with the report's body, year and file."""
    findings_path = paths.silver_table(schemas.STATUTORY_FINDINGS.name)
    if not delta.exists(findings_path):
        return pl.DataFrame()
    return with_reports(paths, delta.read(findings_path, schemas.STATUTORY_FINDINGS))


def findings_markdown(findings: pl.DataFrame, limit: int = 50) -> str:
    """The first `limit` findings as a Markdown table for Dagster: body, year, file, rule in words."""
    lines = ["| 机关 body | 年度 year | 文件 file | 不符之处 what does not hold |", "|---|---|---|---|"]
    for f in findings.head(limit).iter_rows(named=True):
        words = violation_text(f["rule"], f["table"], f["where"], f["lhs"], f["rhs"], f["basis"] or "printed")
        cells = [f["body"] or "(未识别机关)", f["year"], f["source"], words]
        lines.append("| " + " | ".join(str("" if c is None else c).replace("|", "\\|") for c in cells) + " |")
    if findings.height > limit:
        lines.append(f"\n… and {findings.height - limit} more: every one on the open findings page of Data Docs")
    return "\n".join(lines)


def _cell(value: object) -> str:
    return "<td>" + html.escape("" if value is None else str(value)) + "</td>"


def findings_page(findings: pl.DataFrame) -> str:
    """findings.html: one row per open finding, every one of them (the page is the list)."""
    rows = []
    for f in findings.iter_rows(named=True):
        rows.append(
            "<tr>"
            + _cell(f["body"] or "(未识别机关)")
            + _cell(f["year"])
            + _cell(f["source"])
            + _cell(f"{f['rule']} {RULE_NAMES.get(f['rule'], '')}")
            + _cell(violation_text(f["rule"], f["table"], f["where"], f["lhs"], f["rhs"], f["basis"] or "printed"))
            + _cell("推出的单元格" if f["basis"] == "repaired" else "原表数值")
            + "</tr>"
        )
    reports = findings["report_id"].n_unique() if findings.height else 0
    rules = "".join(f"<li><b>{r}</b> {html.escape(n)}</li>" for r, n in RULE_NAMES.items())
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>当前未解决的问题 Open findings</title>
<link rel="stylesheet" href="{VENDOR}/bootstrap/css/bootstrap.min.css"></head>
<body class="container-fluid p-4">
<p><a href="index.html">← Data Docs</a></p>
<h1>当前未解决的问题 <small class="text-muted">Open findings of the statutory rules</small></h1>
<p id="ogi-summary">{findings.height} 项不符合 in {reports} 份报告 (open findings in reports), as silver holds them now,
whatever the last run validated. 规则 rules:</p>
<ul>{rules}</ul>
<table class="table table-sm table-striped" id="ogi-findings">
<thead><tr><th>机关 body</th><th>年度 year</th><th>文件 file</th><th>规则 rule</th><th>不符之处 what does not hold</th><th>依据 basis</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</body></html>
"""


def _banner(findings: pl.DataFrame) -> str:
    if findings.height:
        reports = findings["report_id"].n_unique()
        bodies = ", ".join(sorted({b for b in findings["body"].to_list() if b})[:5])
        words = f"{findings.height} 项不符合, {reports} 份报告 ({html.escape(bodies)}{' …' if reports > 5 else ''})"
        kind = "alert-warning"
    else:
        words, kind = "0 项不符合: every statutory rule holds on every report in silver", "alert-success"
    return (
        f'<!-- ogi:current --><div class="alert {kind} m-3" id="ogi-current"><b>当前状态 Current state:</b> {words}. '
        f'<a href="findings.html">每一项 every open finding →</a> '
        "The validations below are the runs' own records, newest first: an incremental run validates only what it touched.</div>"
        "<!-- /ogi:current -->"
    )


def finish(paths: DataPaths) -> Path:
    """Make the built site offline-ready and current: assets, findings page, index banner."""
    site = paths.data_docs
    shutil.copytree(ASSETS, site / VENDOR, dirs_exist_ok=True)
    names = report_names(paths)
    for page in site.rglob("*.html"):
        if page.name != "findings.html":
            localise(page, site)
            if "validations" in page.relative_to(site).parts or page.parent.name == "expectations":
                page.write_text(clerks_words(page.read_text(encoding="utf-8"), names), encoding="utf-8")
    findings = open_findings(paths)
    if findings.height == 0:
        findings = pl.DataFrame(schema={**schemas.STATUTORY_FINDINGS.schema, "body": pl.String, "jurisdiction": pl.String,
                                        "year": pl.Int32, "source": pl.String})  # fmt: skip
    (site / "findings.html").write_text(findings_page(findings), encoding="utf-8")
    index = site / "index.html"
    if index.is_file():
        text = _BANNER.sub("", index.read_text(encoding="utf-8"))
        text = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + _banner(findings), text, count=1)
        index.write_text(text, encoding="utf-8")
    return index
