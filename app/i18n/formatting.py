"""Dates and times as each locale writes them, through Babel's CLDR data
(pure: no month names by hand)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format

from app.rules.explain import Template, Wording

# Debrief's English writes the day before the month, as British English does.
CLDR_LOCALES = {"en": "en_GB"}


def formatting_locale(locale: str) -> str:
    return CLDR_LOCALES.get(locale, locale.replace("-", "_"))


@lru_cache(maxsize=1024)
def long_date(day: date, locale: str) -> str:
    """`14 March 2025`, `14 mars 2025`, `14 de marzo de 2025`, `14. März 2025`."""
    return format_date(day, format="long", locale=formatting_locale(locale))


def long_moment(moment: datetime, time_zone: str, locale: str) -> str:
    """The day and the time in the person's time zone, joined as the locale joins them,
    with the zone named: `Friday, 14 March 2025, 14:00 (Europe/Paris)`."""
    cldr = formatting_locale(locale)
    local = moment.astimezone(ZoneInfo(time_zone))
    day = format_date(local.date(), format="full", locale=cldr)
    clock = format_time(local, format="HH:mm", locale=cldr)
    joined = str(get_datetime_format("full", locale=cldr)).format(clock, day).replace("'", "")
    return f"{joined} ({time_zone})"


def counted(phrase: str, count: float, locale: str) -> str:
    """A count in the locale's plural form, from a catalogue entry written as in ICU
    MessageFormat: `{count, plural, one {# day} other {# days}}` → `3 days`, `1 jour`."""
    return _template(phrase).fill({"count": count}, wording=_wording(locale))


@lru_cache(maxsize=256)
def _template(phrase: str) -> Template:
    return Template(phrase)


@lru_cache(maxsize=64)
def _wording(locale: str) -> Wording:
    return Wording(formatting_locale(locale))


def english_count(count: int, one: str, other: str) -> str:
    """`1 problem`, `3 problems`: a count in an English text (problem details), by CLDR's
    English plural rule."""
    return counted(f"{{count, plural, one {{# {one}}} other {{# {other}}}}}", count, "en")
