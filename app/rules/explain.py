"""`because` templates: `{answers.wanted_job}` placeholders filled with the actual inputs.

A count takes its words by the locale's plural rules (CLDR, through Babel), written as in
ICU MessageFormat: `{answers.years_experience, plural, one {# year} other {# years}}`, `#`
standing for the number. Lists are joined as the locale joins them (`a, b and c`, `a, b
et c`) and yes/no are the locale's words: a `Wording` says how (pure: Babel only).

Filling is bounded whatever the inputs: a value shows at most `MAX_VALUE_CHARS`
characters and a filled text at most `MAX_FILLED_CHARS`, so a long answer quoted many
times cannot make a response grow with it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.lists import format_list

MAX_VALUE_CHARS = 200
MAX_FILLED_CHARS = 2_000
ELLIPSIS = "…"
_MAX_LIST_DEPTH = 3
MAX_WORDED = 10**15
# A field's values and the words a person reads for them: {"session.stage_reached":
# {"final_interview": "final interview"}}.
Labels = Mapping[str, Mapping[Any, str]]

FIELD = r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*"
PLACEHOLDER = re.compile(r"\{(" + FIELD + r")\}")
CATEGORIES = ("zero", "one", "two", "few", "many", "other")
_FORM = r"(?:zero|one|two|few|many|other)\s*\{[^{}]*\}"
PLURAL = re.compile(r"\{(" + FIELD + r"),\s*plural,((?:\s*" + _FORM + r")+)\s*\}")
FORM = re.compile(r"(zero|one|two|few|many|other)\s*\{([^{}]*)\}")
_TOKEN = re.compile(PLURAL.pattern + "|" + PLACEHOLDER.pattern)


def template_problems(template: str, fields: Collection[str]) -> list[str]:
    plurals = PLURAL.findall(template) if "plural" in template else []
    problems = [
        f"unknown field {name!r} in the template"
        for name in [*PLACEHOLDER.findall(template), *(f for f, _ in plurals)]
        if name not in fields
    ]
    problems += [
        f"the plural of {name!r} needs an `other` form"
        for name, forms in plurals
        if "other" not in dict(FORM.findall(forms))
    ]
    return problems


@lru_cache(maxsize=64)
def _babel_locale(locale: str) -> Locale:
    """Parsed once per locale: Babel parses a locale name again on every call given one."""
    return Locale.parse(locale)


def _decimal(number: float, locale: str) -> str:
    """`format_decimal(number, locale=locale)`, with the locale and its pattern parsed once."""
    parsed = _babel_locale(locale)
    pattern = parsed.decimal_formats[None]
    return str(pattern.apply(number, parsed, decimal_quantization=True, group_separator=True))


@lru_cache(maxsize=4096)
def _whole_number(number: int, locale: str) -> str:
    # Whole numbers only: 0.0 and -0.0 are one key to a cache but written differently.
    return _decimal(number, locale)


@dataclass(frozen=True)
class Wording:
    """How a locale says a list, yes, no, nothing, and which plural form a number takes.
    `locale` is a CLDR locale (`en_GB`, `fr`)."""

    locale: str = "en_GB"
    yes: str = "yes"
    no: str = "no"
    none: str = "none"

    def join(self, items: list[str]) -> str:
        if len(items) == 1:  # as Babel joins one item: the item
            return items[0]
        return format_list(items, locale=_babel_locale(self.locale)) if items else self.none

    def number(self, number: float) -> str:
        """As the locale writes it (`1.5`, `1,5`); beyond counts people give, as Python does."""
        if not -MAX_WORDED < number < MAX_WORDED:  # also NaN
            return str(number)
        if type(number) is int:
            return _whole_number(number, self.locale)
        return _decimal(number, self.locale)

    def plural(self, number: float) -> str:
        category: str = _babel_locale(self.locale).plural_form(number)
        return category


ENGLISH = Wording()


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def _shown(value: Any, words: Mapping[Any, str], wording: Wording = ENGLISH) -> str:
    return clip(_show(value, words, wording), MAX_VALUE_CHARS)


def _show(value: Any, words: Mapping[Any, str], wording: Wording, depth: int = 0) -> str:
    # The common kinds first, as the general order below would show them.
    kind = type(value)
    if kind is str:
        return words.get(value, value)
    if kind is int:
        return words[value] if value in words else wording.number(value)
    if isinstance(value, list | tuple):
        if depth >= _MAX_LIST_DEPTH:
            return ELLIPSIS
        shown: list[str] = []
        length = 0
        for item in value:  # no further than the part that will be shown
            if length > MAX_VALUE_CHARS:
                break
            shown.append(_show(item, words, wording, depth + 1))
            length += len(shown[-1]) + 2
        return wording.join(shown)
    if isinstance(value, str | int) and not isinstance(value, bool) and value in words:
        return words[value]
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return wording.yes if value else wording.no
    if isinstance(value, int | float):
        return wording.number(value)
    return str(value)


def _counted(value: Any, forms: Mapping[str, str], wording: Wording) -> str:
    """The form the number takes in the locale, `#` replaced by the number."""
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    category = wording.plural(number) if number is not None else "other"
    form = forms.get(category, forms.get("other", "#"))
    return form.replace("#", _shown(value, {}, wording))


LITERAL, FIELD_PART, PLURAL_PART = 0, 1, 2
_NO_FORMS: dict[str, str] = {}
_NO_LABELS: Labels = {}
_NO_WORDS: Mapping[Any, str] = {}


class Template:
    """Split once; filling is a join of literal parts, looked-up values and counted forms."""

    __slots__ = ("fields", "literal", "parts")

    def __init__(self, template: str) -> None:
        if "plural" not in template:  # the common case: split once, as it always was
            pieces = PLACEHOLDER.split(template)
            self.parts: tuple[tuple[int, str, dict[str, str]], ...] = tuple(
                (FIELD_PART if index % 2 else LITERAL, piece, _NO_FORMS)
                for index, piece in enumerate(pieces)
                if piece
            )
            self.fields = tuple(text for kind, text, _ in self.parts if kind != LITERAL)
            self.literal = self._literal()
            return
        parts: list[tuple[int, str, dict[str, str]]] = []
        position = 0
        for match in _TOKEN.finditer(template):
            if match.start() > position:
                parts.append((LITERAL, template[position : match.start()], {}))
            if match.group(1) is not None:
                parts.append((PLURAL_PART, match.group(1), dict(FORM.findall(match.group(2)))))
            else:
                parts.append((FIELD_PART, match.group(3), {}))
            position = match.end()
        if position < len(template):
            parts.append((LITERAL, template[position:], {}))
        self.parts = tuple(parts)
        self.fields = tuple(text for kind, text, _ in self.parts if kind != LITERAL)
        self.literal = self._literal()

    def _literal(self) -> str | None:
        """The text itself, when it names no field (as most explanations do)."""
        if self.fields:
            return None
        return "".join(text for _, text, _ in self.parts)

    def fill(
        self,
        facts: Mapping[str, Any],
        labels: Labels | None = None,
        limit: int = MAX_FILLED_CHARS,
        wording: Wording = ENGLISH,
    ) -> str:
        """The engine fills a template only when every field it names has a value."""
        literal = self.literal
        if literal is not None:
            return literal if len(literal) <= limit else clip(literal, limit)
        words = labels or _NO_LABELS
        pieces: list[str] = []
        for kind, text, forms in self.parts:
            if kind == LITERAL:
                pieces.append(text)
            elif kind == FIELD_PART:
                pieces.append(_shown(facts.get(text), words.get(text, _NO_WORDS), wording))
            else:
                pieces.append(_counted(facts.get(text), forms, wording))
        filled = "".join(pieces)
        return filled if len(filled) <= limit else clip(filled, limit)
