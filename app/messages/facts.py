"""What a message is written from, and the template variables made from it (pure)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from babel import Locale, UnknownLocaleError

from app.i18n import formatting
from app.i18n.locales import DEFAULT_LOCALE, LocaleUnavailable, builtin_locale
from app.messages.kinds import CALL_MINUTES, REQUIRED, MessageKind, Tone
from app.messages.pronouns import forms


@dataclass(frozen=True)
class Person:
    name: str | None = None
    email: str | None = None
    pronouns: str | None = None
    title: str | None = None
    phone: str | None = None
    address_as: str | None = None  # how the interviewer is greeted
    sign_as: str | None = None  # how the candidate signs


@dataclass(frozen=True)
class Facts:
    candidate: Person
    interviewer: Person
    company: str | None = None
    role: str | None = None
    interview_date: date | None = None
    requested_on: date | None = None
    call_at: datetime | None = None
    time_zone: str = "UTC"
    learned: str | None = None
    news: str | None = None
    leading_category: str | None = None
    uncertain_categories: tuple[str, ...] = ()
    today: date = field(default_factory=date.today)

    def missing(self, kind: MessageKind) -> list[str]:
        """The required facts of `kind` that are absent, as paths (`interviewer/name`)."""
        absent = []
        for path in REQUIRED[kind]:
            value: Any = self
            for part in path.split("/"):
                value = getattr(value, part)
            if value is None or value == "":
                absent.append(path)
        return absent


def texts_locale(locale: str) -> str:
    """The built-in locale whose phrases and questions a template in `locale` sees; an
    organisation's template in a locale of its own sees the default locale's."""
    try:
        return builtin_locale(locale)
    except LocaleUnavailable:
        return DEFAULT_LOCALE


def debrief_speaks(locale: str) -> bool:
    try:
        builtin_locale(locale)
    except LocaleUnavailable:
        return False
    return True


def dates_in(locale: str) -> bool:
    """Whether Babel's CLDR data can write dates in `locale`."""
    try:
        Locale.parse(formatting.formatting_locale(locale))
    except (UnknownLocaleError, ValueError):
        return False
    return True


@cache
def _catalogue(locale: str, name: str) -> dict[str, Any]:
    text = resources.files("app.messages").joinpath(f"builtin_templates/{locale}/{name}.json")
    result: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return result


def call_questions(locale: str) -> dict[str, Any]:
    return _catalogue(texts_locale(locale), "call_questions")


def phrases(locale: str) -> dict[str, str]:
    return _catalogue(texts_locale(locale), "phrases")


def counted(phrase: str, count: float, locale: str) -> str:
    if type(count) is int:  # every count a message has: the call's minutes, days ago
        return _counted_whole(phrase, count, locale)
    return formatting.counted(phrase, count, texts_locale(locale))


@lru_cache(maxsize=1024)
def _counted_whole(phrase: str, count: int, locale: str) -> str:
    # Whole numbers only: 0.0 and -0.0 would be one key to a cache but written differently.
    return formatting.counted(phrase, count, texts_locale(locale))


def _dates_locale(locale: str) -> str:
    """Dates are written in the locale itself wherever Babel can (`it`: `14 marzo 2026`)."""
    if debrief_speaks(locale):
        return builtin_locale(locale)
    return locale if dates_in(locale) else DEFAULT_LOCALE


def long_date(day: date, locale: str = DEFAULT_LOCALE) -> str:
    return formatting.long_date(day, _dates_locale(locale))


def long_moment(moment: datetime, time_zone: str, locale: str = DEFAULT_LOCALE) -> str:
    return formatting.long_moment(moment, time_zone, _dates_locale(locale))


def ordered_questions(facts: Facts, locale: str) -> list[dict[str, Any]]:
    """The five interviewer questions, those that probe the leading reason first, then those
    that probe a reason the diagnosis is unsure of, then the rest in the method's order.

    Each says why it comes early only from what it actually asks (`probes`): a question
    that asks nothing about a reason never claims to probe it.
    """
    data = call_questions(locale)
    words = phrases(locale)
    labels: dict[str, str] = data["categories"]
    focus = [c for c in (facts.leading_category, *facts.uncertain_categories) if c]

    def rank(question: dict[str, Any]) -> int:
        hits = [focus.index(c) for c in question["probes"] if c in focus]
        return min(hits) if hits else len(focus)

    result = []
    for question in sorted(data["questions"], key=rank):
        probed = [c for c in focus if c in question["probes"]]
        reason = None
        if probed:
            category = probed[0]
            asks = question["probes"][category]
            which = "focus_leading" if category == facts.leading_category else "focus_unsure"
            reason = words[which].format(category=labels[category], asks=asks)
        fields = {k: question[k] for k in ("key", "title", "ask", "follow_up", "categories")}
        result.append({**fields, "answer_keys": question["answer_keys"], "focus_reason": reason})
    return result


def greeting(person: Person, tone: Tone, locale: str = DEFAULT_LOCALE) -> str:
    """The salutation: the words the person asked to be addressed by, when given; otherwise
    one that is right for any name, since which part of a name is used, and with what
    title, differs between people and cultures (and guessing a gender is never right)."""
    words = phrases(locale)
    if tone is Tone.FORMAL:
        named = person.address_as or person.name
        return (
            words["greeting_formal"].format(name=named)
            if named
            else words["greeting_formal_unnamed"]
        )
    if person.address_as:
        return words["greeting_informal"].format(name=person.address_as)
    return words["greeting_informal_unnamed"]


def _person(person: Person, fallback: str) -> dict[str, Any]:
    words = forms(person.pronouns, person.name, fallback)
    return {
        "name": person.name,
        "email": person.email,
        "title": person.title,
        "phone": person.phone,
        "pronouns": person.pronouns,
        "they": words.they,
        "them": words.them,
        "their": words.their,
        "pronouns_known": words.known,
        "address_as": person.address_as,
        "signature": person.sign_as or person.name,
    }


def context(facts: Facts, kind: MessageKind, tone: Tone, locale: str) -> dict[str, Any]:
    """The variables a template sees; every optional one is None or empty when unknown."""
    days = (facts.today - facts.requested_on).days if facts.requested_on else None
    words = phrases(locale)
    return {
        "kind": kind.value,
        "tone": tone.value,
        "locale": locale,
        "candidate": _person(facts.candidate, words["the_candidate"]),
        "interviewer": _person(facts.interviewer, words["your_interviewer"]),
        "greeting": greeting(facts.interviewer, tone, locale),
        "company": facts.company,
        "role": facts.role,
        "interview_date": long_date(facts.interview_date, locale) if facts.interview_date else None,
        "request": {
            "sent_on": long_date(facts.requested_on, locale) if facts.requested_on else None,
            "days": days,
            "elapsed": counted(words["count_days_ago"], days, locale) if days else None,
        },
        "call": {
            "minutes": CALL_MINUTES,
            "length": counted(words["count_minutes"], CALL_MINUTES, locale),
            "when": long_moment(facts.call_at, facts.time_zone, locale) if facts.call_at else None,
        },
        "learned": facts.learned,
        "news": facts.news,
        "diagnosis": {
            "leading": facts.leading_category,
            "uncertain": list(facts.uncertain_categories),
        },
        "questions": ordered_questions(facts, locale) if kind is MessageKind.CALL_SCRIPT else [],
        "closing_notes": call_questions(locale)["closing_notes"],
    }


# The shape of `context()`, for checking a template's variables before it is saved:
# a dict maps attribute names to their shapes, a list holds the shape of its items,
# None is a plain value.
QUESTION_SHAPE: dict[str, Any] = dict.fromkeys(
    ("key", "title", "ask", "follow_up", "categories", "answer_keys", "focus_reason")
)
PERSON_SHAPE: dict[str, Any] = dict.fromkeys(
    (
        "name",
        "email",
        "title",
        "phone",
        "pronouns",
        "they",
        "them",
        "their",
        "pronouns_known",
        "address_as",
        "signature",
    )
)
SHAPE: dict[str, Any] = {
    "kind": None,
    "tone": None,
    "locale": None,
    "candidate": PERSON_SHAPE,
    "interviewer": PERSON_SHAPE,
    "greeting": None,
    "company": None,
    "role": None,
    "interview_date": None,
    "request": {"sent_on": None, "days": None, "elapsed": None},
    "call": {"minutes": None, "length": None, "when": None},
    "learned": None,
    "news": None,
    "diagnosis": {"leading": None, "uncertain": [None]},
    "questions": [QUESTION_SHAPE],
    "closing_notes": None,
}


CATEGORIES = ("in_person", "on_paper", "direction")
# A category this close to the leading one's score is one the diagnosis is unsure of.
UNSURE_WITHIN = 0.25


def focus_of(verdict: dict[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    """The leading category of a stored verdict, and the ones it is unsure of."""
    scores = {
        c["key"]: float(c["score"])
        for c in verdict.get("categories", [])
        if c.get("key") in CATEGORIES
    }
    ranked = sorted((k for k, s in scores.items() if s > 0), key=lambda k: -scores[k])
    primary = verdict.get("primary_category")
    if primary in CATEGORIES:
        top = scores.get(primary, 0.0)
        unsure = tuple(k for k in ranked if k != primary and top - scores[k] < UNSURE_WITHIN)
        return primary, unsure
    return None, tuple(ranked[:2])
