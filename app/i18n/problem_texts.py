"""Problem titles and details in the caller's language (`Accept-Language`): one catalogue
per locale, `catalogues/<locale>.problems.json`, keyed by the problem's stable slug. The
localised detail is the kind's general sentence; the specifics stay machine-readable in
`errors` (pointers and codes) and `instance` (pure)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from app.i18n.locales import BUILTIN_LOCALES, DEFAULT_LOCALE, negotiate


@cache
def catalogue(locale: str) -> dict[str, dict[str, str]]:
    if locale == DEFAULT_LOCALE:
        return {}
    file = resources.files("app.i18n").joinpath("catalogues", f"{locale}.problems.json")
    result: dict[str, dict[str, str]] = json.loads(file.read_text(encoding="utf-8"))
    return result


def problem_texts(slug: str, accept_language: str | None) -> tuple[str, dict[str, str] | None]:
    """The locale to answer a problem of kind `slug` in, and its texts there (None: the
    problem's own English texts)."""
    if not accept_language:
        return DEFAULT_LOCALE, None
    locale = negotiate(BUILTIN_LOCALES, accept_language)
    texts = catalogue(locale).get(slug)
    return (locale, texts) if texts is not None else (DEFAULT_LOCALE, None)
