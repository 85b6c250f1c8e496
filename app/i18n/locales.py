"""The locales Debrief speaks, and choosing one as HTTP says (RFC 9110 §12.5.4, RFC 4647
lookup): an explicit locale wins and must be available; otherwise `Accept-Language` by
quality, each range shortened from the right (`fr-CA` → `fr`), then the default (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

BUILTIN_LOCALES: tuple[str, ...] = ("en", "fr", "es", "de")
DEFAULT_LOCALE = "en"
MAX_ACCEPT_LANGUAGE_ENTRIES = 20


class LocaleUnavailable(ValueError):
    """An explicit locale that none of `available` serves."""

    def __init__(self, requested: str, available: Sequence[str]) -> None:
        super().__init__(requested)
        self.requested = requested
        self.available = list(available)


def preferences(accept_language: str | None) -> list[str]:
    """Language ranges by descending quality, ties in the order given; q=0 ones dropped."""
    ranked: list[tuple[float, int, str]] = []
    parts = (accept_language or "").split(",")[:MAX_ACCEPT_LANGUAGE_ENTRIES]
    for position, part in enumerate(parts):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = -1.0
        if tag.strip() and 0 < quality <= 1:
            ranked.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def lookup(tag: str, available: Iterable[str]) -> str | None:
    """RFC 4647 §3.4 lookup: the tag, then the tag shortened subtag by subtag from the right."""
    lowered = {locale.lower(): locale for locale in available}
    parts = tag.lower().split("-")
    while parts:
        found = lowered.get("-".join(parts))
        if found is not None:
            return found
        parts.pop()
        if parts and len(parts[-1]) == 1:  # never end on a singleton such as `x`
            parts.pop()
    return None


def negotiate(
    available: Sequence[str],
    accept_language: str | None = None,
    explicit: str | None = None,
    default: str = DEFAULT_LOCALE,
) -> str:
    """The locale to answer in. An explicit locale nothing serves raises LocaleUnavailable
    (never a silent fallback); `Accept-Language` that nothing serves falls back to `default`."""
    if explicit:
        found = lookup(explicit, available)
        if found is None:
            raise LocaleUnavailable(explicit, available)
        return found
    for tag in preferences(accept_language):
        if tag == "*":
            return default
        found = lookup(tag, available)
        if found is not None:
            return found
    return default


@lru_cache(maxsize=256)  # a locale nothing serves raises, and is not kept
def builtin_locale(requested: str) -> str:
    """The built-in locale for an explicit tag (`fr-CA` → `fr`); LocaleUnavailable if none."""
    return negotiate(BUILTIN_LOCALES, explicit=requested)


def by_precedence(
    available: Sequence[str],
    explicit: Sequence[str | None],
    preferred: str | None = None,
    accept_language: str | None = None,
    default: str = DEFAULT_LOCALE,
) -> str:
    """The first explicit locale given (the request's, then the session's) must be available
    (LocaleUnavailable otherwise); else the person's `preferred` one where available (a
    candidate's profile may name a language Debrief lacks); else `Accept-Language`."""
    for tag in explicit:
        if tag:
            return negotiate(available, explicit=tag)
    if preferred:
        found = lookup(preferred, available)
        if found is not None:
            return found
    return negotiate(available, accept_language, default=default)


def languages_of(locales: Iterable[str], default: str = DEFAULT_LOCALE) -> str:
    """A Content-Language value for a list whose items are each in a language: every one
    named once, in order of first appearance (RFC 9110 §8.5); `default` for an empty list."""
    return ", ".join(dict.fromkeys(locales)) or default
