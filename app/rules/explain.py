"""`because` templates: `{answers.wanted_job}` placeholders filled with the actual inputs.

Filling is bounded whatever the inputs: a value shows at most `MAX_VALUE_CHARS`
characters and a filled text at most `MAX_FILLED_CHARS`, so a long answer quoted many
times cannot make a response grow with it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

MAX_VALUE_CHARS = 200
MAX_FILLED_CHARS = 2_000
ELLIPSIS = "…"
_MAX_LIST_DEPTH = 3
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)\}")


def template_problems(template: str, fields: Collection[str]) -> list[str]:
    return [
        f"unknown field {name!r} in the template"
        for name in PLACEHOLDER.findall(template)
        if name not in fields
    ]


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def _shown(value: Any) -> str:
    return clip(_show(value), MAX_VALUE_CHARS)


def _show(value: Any, depth: int = 0) -> str:
    if type(value) is str and value:
        return value
    if value is None or value == [] or value == "":
        return "not answered"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        if depth >= _MAX_LIST_DEPTH:
            return ELLIPSIS
        shown: list[str] = []
        length = 0
        for item in value:  # no further than the part that will be shown
            if length > MAX_VALUE_CHARS:
                break
            shown.append(_show(item, depth + 1))
            length += len(shown[-1]) + 2
        return ", ".join(shown)
    return str(value)


class Template:
    """Split once; filling is a join of literal parts and looked-up values."""

    __slots__ = ("parts",)

    def __init__(self, template: str) -> None:
        pieces = PLACEHOLDER.split(template)
        # Even positions are literal text, odd positions field names.
        self.parts: tuple[tuple[bool, str], ...] = tuple(
            (index % 2 == 1, piece) for index, piece in enumerate(pieces) if piece
        )

    def fill(self, facts: Mapping[str, Any], limit: int = MAX_FILLED_CHARS) -> str:
        filled = "".join(
            _shown(facts.get(text)) if is_field else text for is_field, text in self.parts
        )
        return clip(filled, limit)
