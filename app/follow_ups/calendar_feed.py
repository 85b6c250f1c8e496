"""A candidate's subscribable calendar: their calls and what they should do next.

A calendar application cannot send an Authorization header, so the feed's URL carries
its own credential: a random token of 256 bits, shown once, of which only the SHA-256 is
kept. Minting a new one revokes the old; deleting it revokes it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.candidates.models import Candidate
from app.candidates.service import get_candidate
from app.core.errors import NotFound
from app.core.ids import CANDIDATE, utc_now
from app.core.lookup import find_owned, visible
from app.core.security import Principal, Role, Scope
from app.follow_ups.models import CalendarFeed, FollowUp
from app.follow_ups.schemas import OPEN_STATUSES, FollowUpKind
from app.i18n.locales import BUILTIN_LOCALES, DEFAULT_LOCALE, languages_of, lookup
from app.messages.facts import phrases
from app.messages.formats import header_safe
from app.messages.kinds import CALL_MINUTES
from app.sessions.models import ReflectionSession

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//Debrief//Calendar feed//EN"
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 64
FEED_PATH = "/v1/calendar-feeds/{token}.ics"
# A follow-up is a reminder, not a meeting: a short slot at the time it falls due.
REMINDER_MINUTES = 15


def feed_locale(candidate_locale: str) -> str:
    """The built-in locale of the candidate's profile, else English."""
    return lookup(candidate_locale, BUILTIN_LOCALES) or DEFAULT_LOCALE


def event_locale(row: ReflectionSession, feed: str) -> str:
    """A session's own locale (always one Debrief speaks) wins over the feed's."""
    return lookup(row.locale, BUILTIN_LOCALES) or feed if row.locale else feed


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def mint(session: AsyncSession, caller: Principal, candidate_id: str) -> tuple[str, datetime]:
    """A new token for the candidate's feed (the old one, if any, stops working)."""
    candidate = await get_candidate(session, caller, candidate_id)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utc_now()
    row = await session.get(CalendarFeed, candidate.id)
    if row is None:
        row = CalendarFeed(candidate_id=candidate.id, organization_id=candidate.organization_id)
        session.add(row)
    row.token_hash = _hash(token)
    row.created_at = now
    await session.flush()
    return token, now


async def revoke(session: AsyncSession, caller: Principal, candidate_id: str) -> None:
    candidate = await get_candidate(session, caller, candidate_id)
    row = await session.get(CalendarFeed, candidate.id)
    if row is None:
        raise NotFound(f"Candidate {candidate.id} has no calendar feed.")
    await session.delete(row)
    await session.flush()


def _unknown() -> NotFound:
    return NotFound("No calendar feed at this address: it was never issued, or was revoked.")


async def render(session: AsyncSession, token: str) -> tuple[bytes, str]:
    """The feed of whoever holds the token, and the languages it is written in (each
    session's locale, else the candidate's); an unknown token is a 404 like any other."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise _unknown()
    feed = await session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    if feed is None:
        raise _unknown()
    # The feed reads as its candidate would, through the same scoping as their token.
    reader = Principal(
        organization_id=feed.organization_id,
        api_key_id=None,
        scopes=frozenset({Scope.READ}),
        role=Role.CANDIDATE,
        subject=feed.candidate_id,
        candidate_ids=frozenset({feed.candidate_id}),
    )
    candidate = await find_owned(session, Candidate, CANDIDATE, feed.candidate_id, reader)
    if candidate is None:
        raise _unknown()
    sessions = {
        row.id: row
        for row in await session.scalars(
            select(ReflectionSession).where(*visible(ReflectionSession, reader))
        )
    }
    follow_ups = await session.scalars(
        select(FollowUp)
        .where(*visible(FollowUp, reader), FollowUp.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(FollowUp.due_key)
    )
    # icalendar loads with the first feed served, not with every server process.
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", header_safe(f"Debrief: {candidate.display_name}"))
    now = utc_now()
    default = feed_locale(candidate.locale)
    used = []
    for row in sorted(sessions.values(), key=lambda r: r.id):
        if row.call_scheduled_for is not None:
            used.append(event_locale(row, default))
            calendar.add_component(_call(row, now, used[-1]))
    for follow_up in follow_ups:
        row = sessions[follow_up.session_id]
        used.append(event_locale(row, default))
        calendar.add_component(_reminder(follow_up, row, now, used[-1]))
    ical: bytes = calendar.to_ical()
    return ical, languages_of(used, default)


def _summary(key: str, row: ReflectionSession, locale: str) -> str:
    texts = phrases(locale)
    name = row.interviewer.get("name") if isinstance(row.interviewer, dict) else None
    who = str(name) if name else texts["calendar_interviewer"]
    return header_safe(texts[key].format(who=who, company=row.company))


def _call(row: ReflectionSession, now: datetime, locale: str) -> Event:
    """The same UID and SEQUENCE as the call's invite (app/messages/renditions.py)."""
    assert row.call_scheduled_for is not None
    from icalendar import Event

    event = Event()
    event.add("uid", f"call-{row.id}@debrief")
    event.add("sequence", row.call_sequence)
    event.add("status", "CANCELLED" if row.call_cancelled_at else "CONFIRMED")
    event.add("dtstamp", now)
    event.add("dtstart", row.call_scheduled_for)
    event.add("duration", timedelta(minutes=CALL_MINUTES))
    event.add("summary", _summary("calendar_call", row, locale))
    return event


def _reminder(follow_up: FollowUp, row: ReflectionSession, now: datetime, locale: str) -> Event:
    what = _summary(f"calendar_{FollowUpKind(follow_up.kind).value}", row, locale)
    from icalendar import Event

    event = Event()
    event.add("uid", f"{follow_up.id}@debrief")
    event.add("dtstamp", now)
    event.add("dtstart", follow_up.due_at)
    event.add("duration", timedelta(minutes=REMINDER_MINUTES))
    event.add("summary", what)
    event.add("transp", "TRANSPARENT")
    return event
