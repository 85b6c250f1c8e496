"""The built-in templates against golden files, with all facts and with only the required."""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import date
from pathlib import Path

import pytest

from app.i18n.locales import BUILTIN_LOCALES
from app.messages.builtin import builtin_source
from app.messages.facts import Facts, Person, context
from app.messages.kinds import LINKEDIN_LIMIT, REQUIRED, MessageKind, Tone
from app.messages.render import render
from app.messages.samples import SAMPLE
from app.messages.template_checks import check

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("DEBRIEF_UPDATE_GOLDEN") == "1"
CASES = [(kind, tone) for kind in MessageKind for tone in Tone]
LOCALE_CASES = [
    (kind, tone, locale) for locale in BUILTIN_LOCALES for kind in MessageKind for tone in Tone
]
LOCALE_IDS = [f"{locale}/{k}.{t}" for k, t, locale in LOCALE_CASES]
GENDERED = re.compile(r"\b(he|she|him|her|his|hers|himself|herself)\b", re.IGNORECASE)

FULL = SAMPLE


def required_only(kind: MessageKind) -> Facts:
    """Nothing but what `kind` cannot do without (and the candidate's name)."""
    given = REQUIRED[kind]
    return Facts(
        candidate=Person(name="Alex Morgan"),
        interviewer=Person(name="Dana Lee" if "interviewer/name" in given else None),
        company="Northwind",
        role="Product designer" if "role" in given else None,
        learned="lead with outcomes" if "learned" in given else None,
        requested_on=date(2026, 11, 18) if "requested_on" in given else None,
        today=date(2026, 11, 26),
    )


def _render(kind: MessageKind, tone: Tone, facts: Facts, locale: str = "en") -> str:
    rendered = render(builtin_source(kind, tone, locale), context(facts, kind, tone, locale))
    return f"Subject: {rendered.subject}\n\n{rendered.text}"


def _compare(name: str, actual: str, locale: str = "en") -> None:
    """English goldens sit in golden/, the others in golden/<locale>/."""
    path = GOLDEN / name if locale == "en" else GOLDEN / locale / name
    path.parent.mkdir(exist_ok=True)
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {name}: run with DEBRIEF_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("kind", "tone", "locale"), LOCALE_CASES, ids=LOCALE_IDS)
def test_with_every_fact(kind: MessageKind, tone: Tone, locale: str) -> None:
    _compare(f"{kind.value}.{tone.value}.txt", _render(kind, tone, FULL, locale), locale)


@pytest.mark.parametrize(("kind", "tone", "locale"), LOCALE_CASES, ids=LOCALE_IDS)
def test_with_only_the_required_facts_there_are_no_gaps(
    kind: MessageKind, tone: Tone, locale: str
) -> None:
    text = _render(kind, tone, required_only(kind), locale)
    _compare(f"{kind.value}.{tone.value}.required.txt", text, locale)
    assert "None" not in text
    assert not re.search(r"\S  +\S", text), "a doubled space where a fact was left out"
    assert not re.search(r" [,.;:!?]", text), "a space before punctuation"
    assert "{{" not in text
    assert "{%" not in text


@pytest.mark.parametrize(("kind", "tone"), CASES, ids=[f"{k}.{t}" for k, t in CASES])
def test_unknown_pronouns_produce_no_gendered_words(kind: MessageKind, tone: Tone) -> None:
    for pronouns in (None, "ask me", "any"):
        facts = dataclasses.replace(
            FULL, interviewer=dataclasses.replace(FULL.interviewer, pronouns=pronouns)
        )
        text = _render(kind, tone, facts)
        assert not GENDERED.search(text), (pronouns, GENDERED.findall(text))


@pytest.mark.parametrize(("kind", "tone", "locale"), LOCALE_CASES, ids=LOCALE_IDS)
def test_every_builtin_passes_the_checks_organisations_templates_get(
    kind: MessageKind, tone: Tone, locale: str
) -> None:
    source = builtin_source(kind, tone, locale)
    assert check(source.subject, source.body) == []


def test_given_pronouns_are_used_as_given() -> None:
    facts = dataclasses.replace(
        FULL, interviewer=dataclasses.replace(FULL.interviewer, pronouns="xe/xem/xyr")
    )
    text = _render(MessageKind.CALL_SCRIPT, Tone.WARM, facts)
    assert re.search(r"\bxem\b", text)
    assert not GENDERED.search(text)


@pytest.mark.parametrize("locale", BUILTIN_LOCALES)
@pytest.mark.parametrize("tone", list(Tone))
def test_linkedin_fits_the_platform_limit_with_long_names(tone: Tone, locale: str) -> None:
    long = "W" * 50 + " Abcdefghi"
    facts = dataclasses.replace(
        FULL, interviewer=Person(name=long), company=long, role=long, candidate=Person(name=long)
    )
    rendered = render(
        builtin_source(MessageKind.LINKEDIN_MESSAGE, tone, locale),
        context(facts, MessageKind.LINKEDIN_MESSAGE, tone, locale),
    )
    assert len(rendered.text.strip()) <= LINKEDIN_LIMIT
