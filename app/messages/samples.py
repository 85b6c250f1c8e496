"""A full set of facts: a template is tried on it before it is saved (and the benchmark and
the golden files use it)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.messages.facts import Facts, Person

SAMPLE = Facts(
    candidate=Person(
        name="Alex Morgan", email="alex@example.com", pronouns="they/them", sign_as="Alex"
    ),
    interviewer=Person(
        name="Dana Lee",
        title="Head of Design",
        email="dana@example.com",
        pronouns="she/her",
        address_as="Dana",
    ),
    company="Northwind",
    role="Product designer",
    interview_date=date(2026, 11, 20),
    requested_on=date(2026, 11, 18),
    call_at=datetime(2026, 12, 3, 15, tzinfo=UTC),
    time_zone="Europe/Berlin",
    learned="that my portfolio needs one case study with measurable outcomes",
    news="I have started a UX research course",
    leading_category="on_paper",
    uncertain_categories=("direction",),
    today=date(2026, 11, 26),
)
