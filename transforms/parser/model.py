"""The canonical report model: every code, label and rule of the annual report, defined once.

Everything else (parser, silver schemas, the `codes` silver table that dbt and the
expectations join to, tests) reads these tuples; nothing else lists the rows again.
See docs/report-model.md (a copy of the spec) for the meaning of each code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Template = Literal["2019", "2021"]
TEMPLATES: tuple[Template, ...] = ("2019", "2021")
BOTH: tuple[Template, ...] = TEMPLATES

Status = Literal["ok", "repaired", "incomplete", "rejected"]
STATUSES: tuple[Status, ...] = ("ok", "repaired", "incomplete", "rejected")

Number = int | Decimal


@dataclass(frozen=True)
class Code:
    """One canonical code: a row, column, group, item or measure of a table."""

    code: str
    label: str
    templates: tuple[Template, ...] = BOTH
    # What the code means for analysis: for 表三 rows the outcome category the marts sum
    # over (granted, denied, ...); for 表二 measures the kind of number it holds.
    category: str | None = None


# ---------------------------------------------------------------------------------------
# 表三 收到和处理政府信息公开申请情况 -> `applications`
# ---------------------------------------------------------------------------------------
APPLICANT_COLUMNS: tuple[Code, ...] = (
    Code("natural_person", "自然人"),
    Code("commercial", "法人或其他组织/商业企业"),
    Code("research", "法人或其他组织/科研机构"),
    Code("social_welfare", "法人或其他组织/社会公益组织"),
    Code("legal_service", "法人或其他组织/法律服务机构"),
    Code("other_org", "法人或其他组织/其他"),
    Code("total", "总计"),
)

# category: received (一、二), outcome category of 三 (granted ... other), total_processed, carried_forward
APPLICATION_ROWS: tuple[Code, ...] = (
    Code("new_received", "一、本年新收政府信息公开申请数量", BOTH, "received"),
    Code("carried_over", "二、上年结转政府信息公开申请数量", BOTH, "received"),
    Code("granted", "三、(一)予以公开", BOTH, "granted"),
    Code("partially_granted", "三、(二)部分公开(区分处理的,只计这一情形,不计其他情形)", BOTH, "partially_granted"),
    Code("denied_state_secret", "三、(三)不予公开 1.属于国家秘密", BOTH, "denied"),
    Code("denied_prohibited_by_law", "三、(三)不予公开 2.其他法律行政法规禁止公开", BOTH, "denied"),
    Code("denied_security_stability", "三、(三)不予公开 3.危及“三安全一稳定”", BOTH, "denied"),
    Code("denied_third_party", "三、(三)不予公开 4.保护第三方合法权益", BOTH, "denied"),
    Code("denied_internal_affairs", "三、(三)不予公开 5.属于三类内部事务信息", BOTH, "denied"),
    Code("denied_process_info", "三、(三)不予公开 6.属于四类过程性信息", BOTH, "denied"),
    Code("denied_enforcement_file", "三、(三)不予公开 7.属于行政执法案卷", BOTH, "denied"),
    Code("denied_query_matter", "三、(三)不予公开 8.属于行政查询事项", BOTH, "denied"),
    Code("unable_not_held", "三、(四)无法提供 1.本机关不掌握相关政府信息", BOTH, "unable"),
    Code("unable_needs_creation", "三、(四)无法提供 2.没有现成信息需要另行制作", BOTH, "unable"),
    Code("unable_unclear", "三、(四)无法提供 3.补正后申请内容仍不明确", BOTH, "unable"),
    Code("rejected_petition", "三、(五)不予处理 1.信访举报投诉类申请", BOTH, "rejected"),
    Code("rejected_duplicate", "三、(五)不予处理 2.重复申请", BOTH, "rejected"),
    Code("rejected_publication", "三、(五)不予处理 3.要求提供公开出版物", BOTH, "rejected"),
    Code("rejected_excessive", "三、(五)不予处理 4.无正当理由大量反复申请", BOTH, "rejected"),
    Code("rejected_confirmation", "三、(五)不予处理 5.要求行政机关确认或重新出具已获取信息", BOTH, "rejected"),
    Code("other_handling", "三、(六)其他处理", ("2019",), "other"),
    Code(
        "other_no_correction",
        "三、(六)其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ("2021",),
        "other",
    ),
    Code(
        "other_no_fee",
        "三、(六)其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ("2021",),
        "other",
    ),
    Code("other_misc", "三、(六)其他处理 3.其他", ("2021",), "other"),
    Code("total_processed", "三、(七)总计", BOTH, "total_processed"),
    Code("carried_forward", "四、结转下年度继续办理", BOTH, "carried_forward"),
)

OUTCOME_CATEGORIES = ("granted", "partially_granted", "denied", "unable", "rejected", "other")

# ---------------------------------------------------------------------------------------
# 表四 行政复议、行政诉讼 -> `review_litigation` (printed as one row of 15 numbers)
# ---------------------------------------------------------------------------------------
REVIEW_GROUPS: tuple[Code, ...] = (
    Code("review", "行政复议"),
    Code("litigation_direct", "行政诉讼/未经复议直接起诉"),
    Code("litigation_after_review", "行政诉讼/复议后起诉"),
)
REVIEW_COLUMNS: tuple[Code, ...] = (
    Code("upheld", "结果维持"),
    Code("corrected", "结果纠正"),
    Code("other", "其他结果"),
    Code("pending", "尚未审结"),
    Code("total", "总计"),
)

# ---------------------------------------------------------------------------------------
# 表二 主动公开政府信息情况 -> `active_disclosure`
# measure category: count (non-negative integer), signed_count (本年增/减), amount (万元, 4 decimals)
# ---------------------------------------------------------------------------------------
DISCLOSURE_ITEMS: tuple[Code, ...] = (
    Code("regulations", "规章"),
    Code("normative_documents", "(行政)规范性文件"),
    Code("licensing", "行政许可"),
    Code("other_admin_services", "其他对外管理服务事项", ("2019",)),
    Code("penalty", "行政处罚"),
    Code("coercion", "行政强制"),
    Code("fees", "行政事业性收费"),
    Code("procurement", "政府集中采购", ("2019",)),
)

DISCLOSURE_MEASURES: tuple[Code, ...] = (
    Code("issued", "本年制发件数", ("2021",), "count"),
    Code("repealed", "本年废止件数", ("2021",), "count"),
    Code("in_force", "现行有效件数", ("2021",), "count"),
    Code("made", "本年新制作数量", ("2019",), "count"),
    Code("published", "本年新公开数量", ("2019",), "count"),
    Code("published_total", "对外公开总数量", ("2019",), "count"),
    Code("items_prev_year", "上一年项目数量", ("2019",), "count"),
    Code("items_change", "本年增/减", ("2019",), "signed_count"),
    Code("decisions", "(本年)处理决定数量", BOTH, "count"),
    Code("projects", "采购项目数量", ("2019",), "count"),
    Code("amount_10k_yuan", "金额(单位:万元)", BOTH, "amount"),
)

# Which measures each item prints, per template, in printed order.
DISCLOSURE_LAYOUT: dict[Template, dict[str, tuple[str, ...]]] = {
    "2021": {
        "regulations": ("issued", "repealed", "in_force"),
        "normative_documents": ("issued", "repealed", "in_force"),
        "licensing": ("decisions",),
        "penalty": ("decisions",),
        "coercion": ("decisions",),
        "fees": ("amount_10k_yuan",),
    },
    "2019": {
        "regulations": ("made", "published", "published_total"),
        "normative_documents": ("made", "published", "published_total"),
        "licensing": ("items_prev_year", "items_change", "decisions"),
        "other_admin_services": ("items_prev_year", "items_change", "decisions"),
        "penalty": ("items_prev_year", "items_change", "decisions"),
        "coercion": ("items_prev_year", "items_change", "decisions"),
        "fees": ("items_prev_year", "items_change"),
        "procurement": ("projects", "amount_10k_yuan"),
    },
}

AMOUNT_DECIMALS = 4


# ---------------------------------------------------------------------------------------
# The statutory consistency rules (logic in transforms/parser/rules.py)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    id: str
    table: str
    statement: str
    severity: Literal["error", "warning"] = "error"


RULES: tuple[Rule, ...] = (
    Rule("A1", "applications", "每行：总计 = 自然人 + 五类法人或其他组织之和"),
    Rule("A2", "applications", "每列：(七)总计 = 办理结果各项之和"),
    Rule("A3", "applications", "每列：一 + 二 = (七)总计 + 四"),
    Rule("R1", "review_litigation", "每组：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结"),
    Rule("N1", "all", "数量为非负整数（本年增/减可为负，金额最多4位小数）"),
    Rule("X1", "applications", "本年上年结转 = 同一机关上一年结转下年度", "warning"),
    Rule("T1", "applications", "正文所述数字与表格一致", "warning"),
)
RULE_IDS = tuple(r.id for r in RULES)
TABLES = ("applications", "review_litigation", "active_disclosure")


# ---------------------------------------------------------------------------------------
# Lookups derived from the tuples above
# ---------------------------------------------------------------------------------------
def application_rows(template: Template) -> tuple[str, ...]:
    return tuple(r.code for r in APPLICATION_ROWS if template in r.templates)


def edition_rows(template: Template) -> tuple[str, ...]:
    """The 表三 rows only this template prints (2019: other_handling; 2021: the three (六) rows)."""
    return tuple(r.code for r in APPLICATION_ROWS if r.templates == (template,))


def outcome_rows(template: Template) -> tuple[str, ...]:
    """Rows from `granted` to the last `other_*` row: the terms of rule A2."""
    return tuple(r.code for r in APPLICATION_ROWS if template in r.templates and r.category in OUTCOME_CATEGORIES)


APPLICANT_CODES = tuple(c.code for c in APPLICANT_COLUMNS)
APPLICANT_PARTS = APPLICANT_CODES[:-1]  # every column but `total`: the terms of rule A1
REVIEW_GROUP_CODES = tuple(g.code for g in REVIEW_GROUPS)
REVIEW_COLUMN_CODES = tuple(c.code for c in REVIEW_COLUMNS)
REVIEW_PARTS = REVIEW_COLUMN_CODES[:-1]  # every column but `total`: the terms of rule R1
MEASURE_CATEGORY = {m.code: m.category for m in DISCLOSURE_MEASURES}
ROW_CATEGORY = {r.code: r.category for r in APPLICATION_ROWS}
LABELS = {
    "applications.row": {r.code: r.label for r in APPLICATION_ROWS},
    "applications.column": {c.code: c.label for c in APPLICANT_COLUMNS},
    "review_litigation.group": {g.code: g.label for g in REVIEW_GROUPS},
    "review_litigation.column": {c.code: c.label for c in REVIEW_COLUMNS},
    "active_disclosure.item": {i.code: i.label for i in DISCLOSURE_ITEMS},
    "active_disclosure.measure": {m.code: m.label for m in DISCLOSURE_MEASURES},
}


# ---------------------------------------------------------------------------------------
# A parsed report: what the parser returns and silver stores
# ---------------------------------------------------------------------------------------
@dataclass
class Cell:
    """One table cell. `value` is what the project believes the report states."""

    value: Number | None
    printed: bool = True
    # For a recovered cell (printed=False, value set): the rules that determined it.
    repair_rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleResult:
    """One evaluated check: rule × table × scope (`where`: a row, column or group code)."""

    rule: str
    table: str
    where: str
    lhs: Number | None
    rhs: Number | None
    held: bool
    # "printed" when every cell in the check was read from the text; "repaired" when the
    # check involves a recovered cell (then holding proves nothing).
    basis: Literal["printed", "repaired"] = "printed"


Table = dict[str, dict[str, Cell]]


@dataclass
class Report:
    source: str
    report_id: str
    status: Status
    error: str | None = None
    year: int | None = None
    template: Template | None = None
    body: str | None = None
    jurisdiction: str | None = None
    parent_jurisdictions: list[str] = field(default_factory=list)
    admin_code: str | None = None
    published_on: date | None = None
    applications: Table = field(default_factory=dict)
    # The template whose 表三 row list the report prints: `template` unless the report mixes
    # editions (a 2021 report whose 表三 keeps 2019's single (六)其他处理 row).
    applications_template: Template | None = None
    review_litigation: Table = field(default_factory=dict)
    active_disclosure: Table = field(default_factory=dict)
    rule_results: list[RuleResult] = field(default_factory=list)
    # How the text was read: which layout family and which encoding.
    layout: str | None = None
    encoding: str | None = None
    # Provenance: the file's media type, how its text was extracted (text | html | pdf-text |
    # pdf-ocr | docx) and, for paged documents, the page each table starts on.
    media_type: str | None = None
    extraction: str | None = None
    table_pages: dict[str, int] = field(default_factory=dict)

    def tables(self) -> dict[str, Table]:
        return {
            "applications": self.applications,
            "review_litigation": self.review_litigation,
            "active_disclosure": self.active_disclosure,
        }

    @property
    def violations(self) -> list[RuleResult]:
        return [r for r in self.rule_results if not r.held]
