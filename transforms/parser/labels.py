"""Labels matched to canonical codes by meaning: distinctive keywords first, fuzzy last.

Printed labels vary (规范性文件 / 行政规范性文件, 总计 / OCR 总记, 其他法律法规禁止公开 /
其他法律行政法规禁止公开), wrap across lines and cells, and carry rowspan parents in front
((三)不予公开 1.属于国家秘密). Each row has keywords no other row's label contains; the
label nearest to the numbers is tried first, then it is joined with the labels before it
(a wrapped label's head, a parent), so stray wrap fragments cannot mislead.
"""

from __future__ import annotations

import re
from functools import lru_cache

from transforms.parser.model import APPLICATION_ROWS, DISCLOSURE_ITEMS, Template, application_rows

# Keywords on whitespace-free, NFKC text. Where two rows' keywords both occur in a joined
# label, the one occurring last (nearest the numbers) wins.
_ROW_KEYWORDS: dict[str, tuple[str, ...]] = {
    "new_received": ("本年新收", "新收政府信息", "本年收到"),
    "carried_over": ("上年结转",),
    "granted": ("予以公开",),
    "partially_granted": ("部分公开",),
    "denied_state_secret": ("国家秘密",),
    "denied_prohibited_by_law": ("禁止公开",),
    "denied_security_stability": ("三安全一稳定", "危及"),
    "denied_third_party": ("第三方",),
    "denied_internal_affairs": ("内部事务",),
    "denied_process_info": ("过程性",),
    "denied_enforcement_file": ("执法案卷",),
    "denied_query_matter": ("查询事项",),
    "unable_not_held": ("不掌握",),
    "unable_needs_creation": ("另行制作", "没有现成"),
    "unable_unclear": ("仍不明确", "补正后申请"),
    "rejected_petition": ("信访", "举报投诉"),
    "rejected_duplicate": ("重复申请",),
    "rejected_publication": ("出版物",),
    "rejected_excessive": ("大量反复", "反复申请"),
    "rejected_confirmation": ("重新出具", "确认或重新", "已获取信息"),
    "other_handling": ("其他处理",),
    "other_no_correction": ("逾期不补正", "不补正"),
    "other_no_fee": ("缴纳费用", "收费通知", "未按收费"),
    "total_processed": ("总计", "总记", "合计", "总数"),
    "carried_forward": ("结转下年", "下年度继续", "继续办理"),
}
# "3.其他" under (六) in the 2021 template: only as a whole label, "其他" alone is everywhere.
_OTHER_MISC_RE = re.compile(r"^(?:\(六\)(?:其他处理)?)?\(?3\)?[.、]?其他$")

_ITEM_KEYWORDS: dict[str, tuple[str, ...]] = {
    "regulations": ("规章",),
    "normative_documents": ("规范性文件",),
    "licensing": ("行政许可",),
    "other_admin_services": ("对外管理服务", "其他对外管理"),
    "penalty": ("行政处罚",),
    "coercion": ("行政强制",),
    "fees": ("事业性收费",),
    "procurement": ("集中采购", "政府采购"),
}

_TEMPLATE_2021_RE = re.compile(r"制发|废止|度止|现行有效|收费金额|逾期不补正|缴纳费用|收费通知")
_TEMPLATE_2019_RE = re.compile(r"新制作|新公开|对外公开总数|上一年项目|增/减|增减|采购项目|集中采购|采购总金额")
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』")


def _alternation(table: dict[str, tuple[str, ...]]) -> tuple[re.Pattern[str], dict[str, str]]:
    owner = {kw: code for code, kws in table.items() for kw in kws}
    return re.compile("|".join(sorted(map(re.escape, owner), key=len, reverse=True))), owner


_ROW_RE, _ROW_OWNER = _alternation(_ROW_KEYWORDS)
_ITEM_RE, _ITEM_OWNER = _alternation(_ITEM_KEYWORDS)


def _last_keyword(text: str, pattern: re.Pattern[str], owner: dict[str, str], allowed: frozenset[str]) -> str | None:
    found = None
    for m in pattern.finditer(text):
        code = owner[m.group()]
        if code in allowed:
            found = code
    return found


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


@lru_cache(maxsize=4)
def _row_cores(template: Template) -> tuple[tuple[str, frozenset[str]], ...]:
    """The distinctive tail of each row label (after its enumerator), as bigrams."""
    allowed = set(application_rows(template))
    cores = []
    for row in APPLICATION_ROWS:
        if row.code in allowed:
            tail = re.sub(r"^(?:三、)?(?:\(.\))?(?:\d\.)?", "", row.label.split(" ")[-1]).translate(_QUOTES)
            cores.append((row.code, frozenset(_bigrams(tail))))
    return tuple(cores)


def fuzzy_row(labels: list[str], template: Template, among: frozenset[str] | set[str]) -> str | None:
    """The row among `among` whose label best contains the label nearest the numbers.

    For labels no keyword names (a wrap cut through the keyword, OCR damage): the share
    of the printed label's character bigrams found in each canonical label, nearest label
    first, then joined with the one before. Only a clear best match counts.
    """
    joined = ""
    for k in range(1, min(len(labels), 2) + 1):
        joined = labels[-k].translate(_QUOTES) + joined
        grams = _bigrams(joined)
        if len(grams) < 3:
            continue
        scored = sorted(
            ((len(grams & core) / len(grams), code) for code, core in _row_cores(template) if code in among),
            reverse=True,
        )
        if scored and scored[0][0] >= 0.6 and (len(scored) == 1 or scored[1][0] < scored[0][0] - 0.15):
            return scored[0][1]
    return None


def match_row(labels: list[str], template: Template, max_join: int = 4) -> str | None:
    """The 表三 row code the label group ending nearest the numbers names by keyword, if any."""
    return _match_row(tuple(labels[-max_join:]), template)


# Reports print the same labels again and again: a lookup instead of joins and a regex pass.
@lru_cache(maxsize=65536)
def _match_row(labels: tuple[str, ...], template: Template) -> str | None:
    allowed = _allowed_rows(template)
    joined = ""
    for k in range(1, len(labels) + 1):
        joined = labels[-k] + joined  # no keyword spans a quote: quotes need not be removed
        if k == 1 and template == "2021" and _OTHER_MISC_RE.match(joined):
            return "other_misc"
        code = _last_keyword(joined, _ROW_RE, _ROW_OWNER, allowed)
        if code:
            return code
    return None


@lru_cache(maxsize=4)
def _allowed_rows(template: Template) -> frozenset[str]:
    return frozenset(application_rows(template))


_ALL_ITEMS = frozenset(i.code for i in DISCLOSURE_ITEMS)


def match_item(labels: list[str], max_join: int = 3) -> str | None:
    """The 表二 item code the label group ending nearest the numbers names, if any."""
    return _match_item(tuple(labels[-max_join:]))


@lru_cache(maxsize=65536)
def _match_item(labels: tuple[str, ...]) -> str | None:
    joined = ""
    for k in range(1, len(labels) + 1):
        joined = labels[-k] + joined
        code = _last_keyword(joined, _ITEM_RE, _ITEM_OWNER, _ALL_ITEMS)
        if code:
            return code
    return None


def template_evidence(labels: list[str]) -> tuple[int, int]:
    """How many labels speak for the 2019 and the 2021 template."""
    n2019 = n2021 = 0
    for label in labels:  # no keyword spans two labels: counted label by label, cached
        a, b = _label_evidence(label)
        n2019 += a
        n2021 += b
    return n2019, n2021


@lru_cache(maxsize=65536)
def _label_evidence(label: str) -> tuple[int, int]:
    return len(_TEMPLATE_2019_RE.findall(label)), len(_TEMPLATE_2021_RE.findall(label))
