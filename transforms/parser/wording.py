"""The statutory rules in the plain Chinese a clerk reads: one wording for `ogi parse`, Data Docs and the checks.

A rule is printed with the row, column or group it was checked on, by its label in the
report's own words, and the two sums that should have been equal.
"""

from __future__ import annotations

from decimal import Decimal

from transforms.parser.export import json_number
from transforms.parser.model import LABELS

# What each rule says, in the words of the report's own tables.
RULE_NAMES = {
    "A1": "表三 每行: 总计 = 各类申请人之和",
    "A2": "表三 每列: (七)总计 = 办理结果各项之和",
    "A3": "表三 每列: 第一项加第二项之和, 等于第三项加第四项之和 (一+二 = (七)总计+四)",
    "R1": "表四 每组: 总计 = 维持 + 纠正 + 其他结果 + 尚未审结",
    "N1": "各表 数量应为非负整数 (表二 本年增/减 可为负, 金额可有四位小数)",
}

_RULE_WORDS = {
    "A1": "{where}行: 总计 = {lhs}, 但各类申请人之和 = {rhs}",
    "A2": "{where}列: (七)总计 = {lhs}, 但办理结果各项之和 = {rhs}",
    "A3": "{where}列: 一+二 = {lhs}, 但 (七)总计+四 = {rhs}",
    "R1": "{where}: 总计 = {lhs}, 但 维持+纠正+其他+未审结 = {rhs}",
}
# The label table each rule's `where` code is looked up in.
_WHERE_LABELS = {"A1": "applications.row", "A2": "applications.column", "A3": "applications.column", "R1": "review_litigation.group"}


def where_label(rule: str, where: str) -> str:
    """The row, column or group a check ran on, by its own label and its code."""
    label = LABELS.get(_WHERE_LABELS.get(rule, ""), {}).get(where, where)
    return f"{label.split('/')[-1]} ({where})"


def violation_text(rule: str, table: str, where: str, lhs: int | float | Decimal | None, rhs: int | float | Decimal | None,
                   basis: str = "printed") -> str:  # fmt: skip
    """One failed check as `ogi parse` prints it, e.g. `A1 ... 行: 总计 = 10, 但各类申请人之和 = 9`.

    N1's `where` is the cell (`row.column`) and `lhs` its value.
    """
    if rule == "N1":
        return f"N1 {table} {where} = {json_number(lhs)}: 数量应为非负整数"
    text = _RULE_WORDS.get(rule, "{where}: {lhs} ≠ {rhs}").format(
        where=where_label(rule, where), lhs=json_number(lhs), rhs=json_number(rhs)
    )
    return f"{rule} {text}{' [含推出的单元格]' if basis == 'repaired' else ''}"
