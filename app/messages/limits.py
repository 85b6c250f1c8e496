"""What one rendering of a template may make and do, and the budget that counts it (pure).

Every value a template makes is checked as it is made (its size, a number's magnitude)
and charged to the rendering's budget (loop iterations, characters built), so no
template can build a huge value or run long, whatever it combines. Each limit is named
in plain words when it is hit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2.exceptions import SecurityError

MAX_VALUE = 50_000  # characters in any one value, and in a part's text
MAX_LOOPS = 10_000  # loop iterations in all, nested loops included
MAX_STEPS = 50_000  # steps of loop bodies in all: each time round, its body's size
MAX_BUILT = 1_000_000  # characters of text and values built in all
MAX_DIGITS = 18  # digits of a whole number
MAX_NUMBER = 10**MAX_DIGITS
MAX_EXPONENT = 64
MAX_PAD = 100  # width or precision of a %-format
NUMBER_WIDTH = 24  # characters a number, a date or another plain value writes at most


class TooCostly(SecurityError):
    """The template broke a limit; the message names it in plain words."""

    def __init__(self, message: str, lineno: int | None = None) -> None:
        super().__init__(message)
        self.lineno = lineno


@dataclass
class Budget:
    loops: int = 0
    steps: int = 0
    built: int = 0

    def loop(self, steps: int) -> None:
        self.loops += 1
        if self.loops > MAX_LOOPS:
            raise TooCostly(f"The template loops more than {MAX_LOOPS:,} times in all.")
        self.steps += steps
        if self.steps > MAX_STEPS:
            raise TooCostly(
                f"The template's loops do more than {MAX_STEPS:,} steps of work in all "
                "(each time round, a loop counts every part of its body)."
            )

    def build(self, characters: int) -> None:
        self.built += characters
        if self.built > MAX_BUILT:
            raise TooCostly(
                f"The template builds more than {MAX_BUILT:,} characters of text in all."
            )


_BUDGET: ContextVar[Budget | None] = ContextVar("template_budget", default=None)


@contextmanager
def budget() -> Iterator[Budget]:
    """A fresh budget for one rendering (and for compiling it: constants fold then)."""
    token = _BUDGET.set(Budget())
    try:
        yield _BUDGET.get() or Budget()
    finally:
        _BUDGET.reset(token)


def _current() -> Budget:
    # Outside `budget()` each operation is still bounded on its own; nothing accumulates.
    return _BUDGET.get() or Budget()


def too_long() -> TooCostly:
    return TooCostly(f"A value in the template would be longer than {MAX_VALUE:,} characters.")


TOO_MANY_DIGITS = f"Numbers in a template may have at most {MAX_DIGITS} digits."


def check_number(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= MAX_NUMBER:
        raise TooCostly(TOO_MANY_DIGITS)


def weight(value: Any, limit: int = MAX_VALUE) -> int:
    """About how many characters `value` writes out (containers counted in full, however
    shared); counting stops once past `limit`, so this costs at most `limit` steps."""
    total = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            if total > limit:
                return total
            pending.extend(item)
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            if total > limit:
                return total
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, int):
            check_number(item)
            total += 1 + item.bit_length() * 3 // 10  # about its digits
        else:
            total += NUMBER_WIDTH
        if total > limit:
            return total
    return total


def bounded(value: Any) -> Any:
    """`value`, once it is known to be small enough; its size is charged to the budget."""
    size = weight(value)
    if size > MAX_VALUE:
        raise too_long()
    _current().build(size)
    return value


def charge(characters: int) -> None:
    _current().build(characters)


def counted(iterable: Iterable[Any], steps: int) -> Iterator[Any]:
    """The items of a loop whose body has `steps` parts, each charged to the budget
    before the body runs for it."""
    spend = _current()
    for item in iterable:
        spend.loop(steps)
        yield item


def joined(pieces: Iterable[Any]) -> str:
    """The pieces as one text, refused as soon as it grows too long."""
    texts: list[str] = []
    size = 0
    for piece in pieces:
        text = piece if isinstance(piece, str) else str(bounded(piece))
        size += len(text)
        if size > MAX_VALUE:
            raise TooCostly(f"The template writes more than {MAX_VALUE:,} characters.")
        texts.append(text)
    _current().build(size)
    return "".join(texts)


def concatenated(parts: tuple[Any, ...]) -> str:
    """`a ~ b ~ c`, refused as soon as it grows too long."""
    texts: list[str] = []
    size = 0
    for part in parts:
        text = part if isinstance(part, str) else str(bounded(part))
        size += len(text)
        if size > MAX_VALUE:
            raise too_long()
        texts.append(text)
    _current().build(size)
    return "".join(texts)


# A %-format's conversions: mapping key, flags, width, precision, length, type.
_CONVERSION = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?"
    r"[hlL]?(?P<type>[a-zA-Z%])"
)


def _check_format(text: str, arguments: Any) -> None:
    """Refuse a %-format that could write more than a value may hold, before it runs."""
    conversions = [m for m in _CONVERSION.finditer(text) if m["type"] != "%"]
    for match in conversions:
        for size in (match["width"], match["precision"]):
            if size == "*":
                raise TooCostly("A format in a template may not take its width from a value.")
            if size and (len(size) > 3 or int(size) > MAX_PAD):
                raise TooCostly(
                    f"A format in a template may pad or cut to at most {MAX_PAD} characters."
                )
    # repr() may write a character as up to ten (`\U0001f600`); str() as one.
    spread = 10 if any(m["type"] in "ra" for m in conversions) else 1
    uses = len(conversions) if isinstance(arguments, dict) else 1
    estimate = len(text) + len(conversions) * MAX_PAD + uses * spread * weight(arguments)
    if estimate > MAX_VALUE:
        raise too_long()


def _check_repeat(left: Any, right: Any) -> None:
    for sequence, times in ((left, right), (right, left)):
        repeats = isinstance(sequence, str | list | tuple) and isinstance(times, int)
        if repeats and times > 0 and weight(sequence) * times > MAX_VALUE:
            raise too_long()


def check_operands(operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result could be too large, before it is computed."""
    check_number(left)
    check_number(right)
    if operator == "**" and (
        not isinstance(right, int | float) or isinstance(right, bool) or abs(right) > MAX_EXPONENT
    ):
        raise TooCostly(f"Exponents above {MAX_EXPONENT} are not allowed in a template.")
    if operator == "*":
        _check_repeat(left, right)
    elif operator == "+" and not isinstance(left, int | float):
        if weight(left) + weight(right) > MAX_VALUE:
            raise too_long()
    elif operator == "%" and isinstance(left, str):
        _check_format(left, right)


def checked_result(value: Any) -> Any:
    """An operation's result: a number in range, or a value small enough (charged)."""
    if isinstance(value, int | float | complex):
        check_number(value)
        return value
    return bounded(value)
