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
# A field's values and the words a person reads for them: {"session.stage_reached":
# {"final_interview": "final interview"}}.
Labels = Mapping[str, Mapping[Any, str]]

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)\}")


def template_problems(template: str, fields: Collection[str]) -> list[str]:
    return [
        f"unknown field {name!r} in the template"
        for name in PLACEHOLDER.findall(template)
        if name not in fields
    ]


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def _shown(value: Any, words: Mapping[Any, str]) -> str:
    return clip(_show(value, words), MAX_VALUE_CHARS)


def _show(value: Any, words: Mapping[Any, str], depth: int = 0) -> str:
    if isinstance(value, list | tuple):
        if depth >= _MAX_LIST_DEPTH:
            return ELLIPSIS
        shown: list[str] = []
        length = 0
        for item in value:  # no further than the part that will be shown
            if length > MAX_VALUE_CHARS:
                break
            shown.append(_show(item, words, depth + 1))
            length += len(shown[-1]) + 2
        return ", ".join(shown) or "none"
    if isinstance(value, str | int) and not isinstance(value, bool) and value in words:
        return words[value]
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Template:
    """Split once; filling is a join of literal parts and looked-up values."""

    __slots__ = ("fields", "parts")

    def __init__(self, template: str) -> None:
        pieces = PLACEHOLDER.split(template)
        # Even positions are literal text, odd positions field names.
        self.parts: tuple[tuple[bool, str], ...] = tuple(
            (index % 2 == 1, piece) for index, piece in enumerate(pieces) if piece
        )
        self.fields = tuple(text for is_field, text in self.parts if is_field)

    def fill(
        self,
        facts: Mapping[str, Any],
        labels: Labels | None = None,
        limit: int = MAX_FILLED_CHARS,
    ) -> str:
        """The engine fills a template only when every field it names has a value."""
        words = labels or {}
        filled = "".join(
            _shown(facts.get(text), words.get(text, {})) if is_field else text
            for is_field, text in self.parts
        )
        return clip(filled, limit)
