"""Choosing a locale as HTTP says: explicit wins and must exist; Accept-Language by quality
with RFC 4647 lookup; the default only when nothing asked for is served."""

from __future__ import annotations

import pytest

from app.i18n.locales import LocaleUnavailable, negotiate, preferences

AVAILABLE = ["en", "fr", "es", "de"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR", "fr"),
        ("fr-CA,en;q=0.5", "fr"),
        ("de-AT;q=0.4, es;q=0.9", "es"),
        ("ja, de-CH-1996;q=0.8", "de"),
        ("ja", "en"),
        ("", "en"),
        (None, "en"),
        ("*", "en"),
        ("fr;q=0, es", "es"),
        ("fr;q=abc, de", "de"),
        ("zh-Hant-TW, es-419;q=0.5", "es"),
    ],
)
def test_accept_language(header: str | None, expected: str) -> None:
    assert negotiate(AVAILABLE, header) == expected


@pytest.mark.parametrize(("explicit", "expected"), [("fr", "fr"), ("FR-ca", "fr"), ("de-DE", "de")])
def test_an_explicit_locale_wins_over_accept_language(explicit: str, expected: str) -> None:
    assert negotiate(AVAILABLE, "es", explicit) == expected


@pytest.mark.parametrize("explicit", ["ja", "pt-BR", "x-fr"])
def test_an_explicit_locale_nothing_serves_is_refused_never_replaced(explicit: str) -> None:
    with pytest.raises(LocaleUnavailable) as caught:
        negotiate(AVAILABLE, "fr", explicit)
    assert caught.value.available == AVAILABLE


def test_preferences_keep_the_order_of_equal_qualities() -> None:
    assert preferences("de;q=0.5, fr, es") == ["fr", "es", "de"]
