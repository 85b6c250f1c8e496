"""Counts in texts take each locale's plural form (CLDR, through Babel): catalogue entries
are written `{count, plural, one {# day} other {# days}}` with every category the locale
has; no text makes a plural by hand (`day(s)`, `> 1` guards)."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from babel import Locale

from app.i18n.formatting import counted, english_count, formatting_locale
from app.i18n.locales import BUILTIN_LOCALES
from app.messages.facts import context
from app.messages.kinds import MessageKind, Tone
from app.messages.samples import SAMPLE
from app.rules.explain import FORM, PLURAL

TEMPLATES = resources.files("app.messages").joinpath("builtin_templates")
APP = Path(__file__).parent.parent.parent / "app"


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("locale", BUILTIN_LOCALES)
def test_every_plural_entry_has_the_locales_categories(locale: str) -> None:
    categories = set(Locale.parse(formatting_locale(locale)).plural_form.tags) | {"other"}
    found = 0
    for name in ("phrases", "call_questions"):
        data = json.loads(TEMPLATES.joinpath(f"{locale}/{name}.json").read_text(encoding="utf-8"))
        for text in _strings(data):
            for _, forms in PLURAL.findall(text):
                found += 1
                given = dict(FORM.findall(forms))
                assert set(given) == categories, (locale, text)
                assert all("#" in form for form in given.values()), text
    assert found >= 2


@pytest.mark.parametrize(
    ("locale", "one", "three"),
    [
        ("en", "1 day", "3 days"),
        ("fr", "1 jour", "3 jours"),
        ("es", "1 día", "3 días"),
        ("de", "1 Tag", "3 Tagen"),
    ],
)
def test_a_nudge_counts_the_days_in_the_locale(locale: str, one: str, three: str) -> None:
    for days, expected in ((1, one), (3, three)):
        facts = dataclasses.replace(SAMPLE, requested_on=SAMPLE.today - timedelta(days=days))
        variables = context(facts, MessageKind.FOLLOW_UP_NUDGE, Tone.WARM, locale)
        assert variables["request"]["elapsed"] == expected
    minutes = context(SAMPLE, MessageKind.CALL_SCRIPT, Tone.WARM, locale)["call"]["length"]
    assert minutes.startswith("15 ")


def test_counted_and_english_count() -> None:
    assert counted("{count, plural, one {# Minute} other {# Minuten}}", 1, "de") == "1 Minute"
    assert counted("{count, plural, one {# minute} many {# minutes} other {# minutes}}", 0, "fr")
    assert english_count(1, "problem", "problems") == "1 problem"
    assert english_count(0, "problem", "problems") == "0 problems"
    assert english_count(2, "answer needs", "answers need") == "2 answers need"


def test_no_text_makes_a_plural_by_hand() -> None:
    hand_made = re.compile(r"\w\(s\)|\(e\)s\b|days > 1|minutes > 1")
    for path in [*APP.rglob("*.py"), *APP.rglob("*.j2"), *APP.rglob("*.json")]:
        text = path.read_text(encoding="utf-8")
        text = text.replace("Scope(s)", "").replace("int(s)", "")
        assert not hand_made.search(text), (path, hand_made.findall(text))
