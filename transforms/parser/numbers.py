"""Numbers as reports print them, and the ways a run of digits can be cut back into cells.

Reports print counts (`6`, `1,234`), signed changes (`-55`) and 万元 amounts with up to
four decimals (`12372.0506`). When a web page's cells run together the digits of a whole
row arrive as one string (`640020470` for 64|0|0|2|0|4|70); `splits` enumerates the cuts,
and the caller keeps only those the table's rules accept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation

from transforms.parser.model import Number

# One printed number: grouped thousands, plain digits, optional sign and decimals. 本年增/减
# prints increases with their sign (+302) as it prints decreases (-55).
NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
NUMBER_RE = re.compile(NUMBER)
NUMBERS_ONLY_RE = re.compile(rf"{NUMBER}(?: +{NUMBER})*")


def parse_number(text: str) -> Number:
    """`"1,234"` -> 1234, `"-55"` -> -55, `"+302"` -> 302, `"12372.0506"` -> Decimal, `"5.0"` -> Decimal("5.0")."""
    text = text.replace(",", "")
    if "." in text:
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - NUMBER_RE admits only valid decimals
            raise ValueError(text) from None
    return int(text)


def is_integral(value: Number) -> bool:
    return isinstance(value, int) or value == value.to_integral_value()


def as_int(value: Number) -> int | None:
    """The value as an int when it is a whole number, else None."""
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else None


class SearchTooLarge(Exception):
    """A repair or split search exceeded its budget: the caller marks the table incomplete."""


def splits(
    pieces: list[tuple[str, bool]],
    n: int,
    accept: Callable[[int, list[int]], bool] | None = None,
    budget: int = 200_000,
) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every way to cut `pieces` into exactly `n` non-negative integers, in order.

    Yields (values, origin): origin[i] is the index of the piece value i was cut from.

    `pieces` holds (digits, splittable): a splittable run may be cut anywhere (no part
    with a leading zero, except "0" itself), a fixed one stays whole. `accept(i, values)`
    is called after value `i` is placed and prunes a branch by returning False (the
    caller checks a row rule as soon as the cells it spans are known).
    """
    steps = 0
    values: list[int] = []
    origin: list[int] = []
    # capacity[i]: the most values pieces[i:] can still yield (one per digit of a run).
    capacity = [0] * (len(pieces) + 1)
    for i in range(len(pieces) - 1, -1, -1):
        digits, splittable = pieces[i]
        capacity[i] = capacity[i + 1] + (len(digits) if splittable else 1)

    def place(v: int, pi: int) -> bool:
        values.append(v)
        origin.append(pi)
        if accept is None or accept(len(values) - 1, values):
            return True
        values.pop()
        origin.pop()
        return False

    def unplace() -> None:
        values.pop()
        origin.pop()

    def rec(pi: int, rest: str) -> Iterator[tuple[int, ...]]:
        # pieces[:pi] are consumed; `rest` is the uncut tail of the run before pieces[pi].
        nonlocal steps
        steps += 1
        if steps > budget:
            raise SearchTooLarge
        if not rest:
            if pi == len(pieces):
                if len(values) == n:
                    yield tuple(values), tuple(origin)
                return
            digits, splittable = pieces[pi]
            if not splittable:
                if len(values) < n and place(int(digits), pi):
                    yield from rec(pi + 1, "")
                    unplace()
                return
            yield from rec(pi + 1, digits)
            return
        left = n - len(values)
        if left < 1 + (len(pieces) - pi) or left > len(rest) + capacity[pi]:
            return
        limit = 1 if rest[0] == "0" else len(rest)
        for k in range(1, limit + 1):
            if place(int(rest[:k]), pi - 1):
                yield from rec(pi, rest[k:])
                unplace()

    yield from rec(0, "")


def summing_splits(digits: str, n: int, budget: int = 200_000) -> Iterator[tuple[int, ...]]:
    """Cuts of one digit run into `n` numbers whose last is the sum of the others (rule A1).

    The total is chosen first (a suffix of the run), so every part is bounded by it: far
    fewer branches than cutting blindly and checking the sum at the end.
    """
    steps = 0
    length = len(digits)
    for k in range(1, length - n + 2):
        tail = digits[length - k :]
        if k > 1 and tail[0] == "0":
            continue
        total = int(tail)
        head = digits[: length - k]
        acc: list[int] = []

        def rec(pos: int, left: int, remaining: int) -> Iterator[tuple[int, ...]]:
            nonlocal steps
            steps += 1
            if steps > budget:
                raise SearchTooLarge
            if left == 0:
                if pos == len(head) and remaining == 0:
                    yield (*acc, total)
                return
            rest = len(head) - pos
            if rest < left:
                return
            longest = 1 if head[pos] == "0" else rest - left + 1
            for ln in range(1, longest + 1):
                v = int(head[pos : pos + ln])
                if v > remaining:
                    break
                acc.append(v)
                yield from rec(pos + ln, left - 1, remaining - v)
                acc.pop()

        yield from rec(0, n - 1, total)
