"""`because` templates: `{answers.wanted_job}` placeholders filled with the actual inputs."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)\}")


def template_problems(template: str, fields: Collection[str]) -> list[str]:
    return [
        f"unknown field {name!r} in the template"
        for name in PLACEHOLDER.findall(template)
        if name not in fields
    ]


def _show(value: Any) -> str:
    if type(value) is str and value:
        return value
    if value is None or value == [] or value == "":
        return "not answered"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ", ".join(_show(item) for item in value)
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

    def fill(self, facts: Mapping[str, Any]) -> str:
        return "".join(
            _show(facts.get(text)) if is_field else text for is_field, text in self.parts
        )
