"""`because` templates: `{answers.wanted_job}` placeholders filled with the actual inputs."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

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


def _show(value: Any, words: Mapping[Any, str]) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_show(item, words) for item in value) or "none"
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

    def fill(self, facts: Mapping[str, Any], labels: Labels | None = None) -> str:
        """The engine fills a template only when every field it names has a value."""
        words = labels or {}
        return "".join(
            _show(facts.get(text), words.get(text, {})) if is_field else text
            for is_field, text in self.parts
        )
