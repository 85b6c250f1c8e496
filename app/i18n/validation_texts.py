"""What is wrong with a field, in the caller's language: pydantic's error types mapped to
sentences in `catalogues/<locale>.validation.json`, filled from the error's context
(`{max_length}`, counts in their plural forms); a type the catalogue lacks gets its
`_default` sentence, never English (pure). A text that does not match one of our kinds of
text is told what that kind is (`string_pattern_mismatch/<kind>`), never its pattern. The
English catalogue holds only those: for the rest, pydantic's English sentence stands."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from babel.lists import format_list

from app.core.fields import TEXT_KINDS
from app.i18n.formatting import formatting_locale
from app.rules.explain import Template, Wording

DEFAULT = "_default"
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


@cache
def validation_catalogue(locale: str) -> dict[str, str]:
    file = resources.files("app.i18n").joinpath("catalogues", f"{locale}.validation.json")
    if not file.is_file():
        return {}
    result: dict[str, str] = json.loads(file.read_text(encoding="utf-8"))
    return result


def _context(error_type: str, ctx: Mapping[str, Any], cldr: str) -> dict[str, Any]:
    values = {name: value for name, value in ctx.items() if value is not None}
    if error_type in ("enum", "literal_error") and isinstance(values.get("expected"), str):
        # pydantic writes the choices in English ("'a', 'b' or 'c'"): say them as the
        # locale says an alternative.
        choices = _QUOTED.findall(values["expected"])
        if choices:
            values["expected"] = format_list(choices, style="or", locale=cldr)
    if error_type == "union_tag_invalid" and isinstance(values.get("expected_tags"), str):
        tags = _QUOTED.findall(values["expected_tags"])
        if tags:
            values["expected_tags"] = format_list(tags, style="or", locale=cldr)
    return values


def _sentence_key(error_type: str, ctx: Mapping[str, Any]) -> str:
    pattern = ctx.get("pattern")
    if error_type == "string_pattern_mismatch" and isinstance(pattern, str):
        kind = TEXT_KINDS.get(pattern)
        if kind is not None:
            return f"{error_type}/{kind}"
    return error_type


def field_detail(error_type: str, ctx: Mapping[str, Any] | None, locale: str) -> str | None:
    """The sentence for one field's error in `locale` (None: the catalogue has none, so
    pydantic's English sentence stands)."""
    texts = validation_catalogue(locale)
    context = ctx or {}
    text = texts.get(_sentence_key(error_type, context)) or texts.get(error_type)
    text = text or texts.get(DEFAULT)
    if text is None:
        return None
    cldr = formatting_locale(locale)
    template = Template(text)
    values = _context(error_type, context, cldr)
    if not set(template.fields) <= set(values):
        if DEFAULT not in texts:
            return None
        template = Template(texts[DEFAULT])
    return template.fill(values, wording=Wording(cldr))
