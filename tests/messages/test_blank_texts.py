"""A text fact made only of spaces and line breaks is refused with the field named, never
rendered into a sentence that promises it (the built-ins write `news|trim` and look at
its last character: a blank one failed the render, a 500). Every text leaf of the inline
facts is enumerated from the preview's request schema, against every built-in template."""

from __future__ import annotations

import itertools
import re
import sys
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter, ValidationError

from app.core.config import Settings
from app.core.fields import NON_BLANK_TEXT_PATTERN, NonBlankText, PlainText
from app.i18n.locales import BUILTIN_LOCALES
from app.messages.kinds import MessageKind, Tone
from app.messages.schemas import InlineFacts

pytestmark = pytest.mark.anyio

BLANKS = ["\n", " \t\r\n \u00a0\u3000"]
COMPLETE: dict[str, Any] = {
    "candidate": {"name": "Alex Morgan"},
    "interviewer": {"name": "Dana Lee", "email": "dana@example.com", "title": "Design lead"},
    "company": "Northwind",
    "role": "Designer",
    "interview_date": "2026-11-20",
    "requested_on": "2026-11-23",
    "call_at": "2026-12-01T10:00:00Z",
    "learned": "lead with outcomes",
    "news": "I started a research course",
}


def _text_leaves(schema: dict[str, Any], defs: dict[str, Any], path: tuple[str, ...]) -> Any:
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    for option in schema.get("anyOf", []):
        yield from _text_leaves(option, defs, path)
    if schema.get("type") == "string" and "format" not in schema and "enum" not in schema:
        yield path
    for name, inner in schema.get("properties", {}).items():
        yield from _text_leaves(inner, defs, (*path, name))


def text_leaves() -> list[tuple[str, ...]]:
    schema = InlineFacts.model_json_schema()
    return sorted(set(_text_leaves(schema, schema.get("$defs", {}), ())))


def _with(facts: dict[str, Any], path: tuple[str, ...], value: str) -> dict[str, Any]:
    changed: dict[str, Any] = {**facts}
    node = changed
    for part in path[:-1]:
        node[part] = {**node.get(part, {})}
        node = node[part]
    node[path[-1]] = value
    return changed


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Every kind, tone, locale and blank is more renders than a minute's budget."""
    return settings.model_copy(update={"rate_limit_renders": 10_000})


def test_the_text_leaves_are_found() -> None:
    leaves = text_leaves()
    assert {("news",), ("learned",), ("interviewer", "name")} <= set(leaves)
    assert len(leaves) >= 10


@pytest.mark.parametrize("path", text_leaves(), ids="/".join)
async def test_a_blank_text_fact_is_refused_by_name(
    api: httpx.AsyncClient, path: tuple[str, ...]
) -> None:
    pointer = "/body/facts/" + "/".join(path)
    answered = 0
    for kind, tone, locale, blank in itertools.product(MessageKind, Tone, BUILTIN_LOCALES, BLANKS):
        response = await api.post(
            "/v1/messages/preview",
            json={"kind": kind, "tone": tone, "facts": _with(COMPLETE, path, blank)},
            headers={"Accept-Language": locale},
        )
        assert response.status_code in (200, 422), (kind, tone, locale, response.text)
        if response.status_code == 422:
            errors = response.json()["errors"]
            assert pointer in [e["pointer"] for e in errors], (kind, response.text)
            assert not [e for e in errors if re.search(r"\^|\\x|\$'", e["detail"])], errors
        answered += 1
    assert answered == len(MessageKind) * len(Tone) * len(BUILTIN_LOCALES) * len(BLANKS)


def test_non_blank_text_is_plain_text_with_something_strip_leaves() -> None:
    """Over every code point: the pattern refuses exactly what plain text refuses, and the
    texts that `str.strip` (the templates' `trim`) would leave empty."""
    non_blank, plain = TypeAdapter(NonBlankText), TypeAdapter(PlainText)
    differ = []
    for point in range(sys.maxunicode + 1):
        if 0xD800 <= point <= 0xDFFF:
            continue
        text = chr(point) * 2
        try:
            plain.validate_python(text)
        except ValidationError:
            expected = False
        else:
            expected = text.strip() != ""
        try:
            non_blank.validate_python(text)
            accepted = True
        except ValidationError:
            accepted = False
        if accepted != expected:
            differ.append(hex(point))
    assert not differ, differ[:20]
    assert NON_BLANK_TEXT_PATTERN.startswith("^")
    assert NON_BLANK_TEXT_PATTERN.endswith("$")
