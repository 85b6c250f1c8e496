"""How follow-ups move by themselves: reactions to the session's and messages' events.

Each runs in the transaction of the change it reacts to (see app/core/reactions.py), so a
follow-up is never out of step with its session. The cadence in force when a follow-up is
planned sets its time; changing the cadence later moves only follow-ups planned after.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.candidates.models import Candidate
from app.core.cadence import Cadence, cadence_of
from app.core.event_types import EventType
from app.core.ids import utc_now
from app.core.outbox_models import OutboxEvent
from app.core.reactions import react_to
from app.follow_ups import schedule
from app.follow_ups.schemas import OPEN_STATUSES, FollowUpKind, FollowUpStatus
from app.messages.kinds import CALL_MINUTES
from app.sessions.models import ReflectionSession
from app.sessions.schemas import Outcome, SessionStatus

K = FollowUpKind
UNANSWERED = (K.FOLLOW_UP_NUDGE, K.MARK_NO_REPLY)
AFTER_THE_CALL = (K.THANK_YOU_EMAIL, K.STAY_IN_TOUCH_NOTE)
BEFORE_THE_REQUEST = (SessionStatus.OPEN.value, SessionStatus.REFLECTED.value)
EVERY_KIND = tuple(FollowUpKind)


async def _row(session: AsyncSession, event: OutboxEvent) -> ReflectionSession | None:
    if event.session_id is None:
        return None
    return await session.get(ReflectionSession, event.session_id)


def _moment(data: dict[str, Any], key: str = "at") -> datetime:
    value = data.get(key)
    return datetime.fromisoformat(value) if isinstance(value, str) else utc_now()


async def _request_due(session: AsyncSession, row: ReflectionSession, cadence: Cadence) -> datetime:
    """The morning, in the candidate's time zone, the cadence's delay after the decision
    (or after the session was opened, when the decision's date is not known)."""
    decided = row.decision_date or row.created_at.date()
    candidate = await session.get(Candidate, row.candidate_id)
    time_zone = candidate.time_zone if candidate is not None else "UTC"
    return schedule.morning_of(
        decided + timedelta(days=cadence.feedback_request_after_days), time_zone
    )


@react_to(EventType.SESSION_CREATED, EventType.SESSION_UPDATED)
async def plan_the_request(session: AsyncSession, event: OutboxEvent) -> None:
    """A rejection calls for a feedback request; a changed decision date moves it."""
    fields = event.data.get("fields")
    if fields is not None and not {"outcome", "decision_date"} & set(fields):
        return
    row = await _row(session, event)
    if row is None or row.status not in BEFORE_THE_REQUEST:
        return
    now = utc_now()
    created = event.type == EventType.SESSION_CREATED.value
    planned = (
        []
        if created
        else await schedule.of_session(session, row.id, (K.FEEDBACK_REQUEST_EMAIL,), None)
    )
    still_open = [f for f in planned if f.status == FollowUpStatus.SCHEDULED.value]
    if row.outcome != Outcome.REJECTED.value:
        for follow_up in still_open:
            schedule.resolve(follow_up, FollowUpStatus.CANCELLED, now)
        return
    due = await _request_due(session, row, await cadence_of(session, row.organization_id))
    if not planned or all(f.status == FollowUpStatus.CANCELLED.value for f in planned):
        schedule.add(session, row, K.FEEDBACK_REQUEST_EMAIL, due, now)
    for follow_up in still_open:
        schedule.reschedule(follow_up, due, now)


async def _complete(
    session: AsyncSession, session_id: str, kinds: tuple[FollowUpKind, ...], now: datetime
) -> None:
    for follow_up in await schedule.of_session(session, session_id, kinds):
        schedule.resolve(follow_up, FollowUpStatus.DONE, now)


async def _cancel(
    session: AsyncSession, session_id: str, kinds: tuple[FollowUpKind, ...], now: datetime
) -> None:
    for follow_up in await schedule.of_session(session, session_id, kinds):
        schedule.resolve(follow_up, FollowUpStatus.CANCELLED, now)


@react_to(EventType.FEEDBACK_REQUESTED)
async def plan_the_nudge(session: AsyncSession, event: OutboxEvent) -> None:
    """The request went out: nudge once if nobody answers, then call it no reply."""
    row = await _row(session, event)
    if row is None:
        return
    now, sent = utc_now(), _moment(event.data)
    await _complete(session, row.id, (K.FEEDBACK_REQUEST_EMAIL,), now)
    if await schedule.of_session(session, row.id, UNANSWERED, None):
        return
    cadence = await cadence_of(session, row.organization_id)
    nudge = schedule.days_later(sent, cadence.nudge_after_days)
    schedule.add(session, row, K.FOLLOW_UP_NUDGE, nudge, now)
    schedule.add(
        session, row, K.MARK_NO_REPLY, schedule.days_later(nudge, cadence.no_reply_after_days), now
    )


@react_to(EventType.MESSAGE_SENT)
async def complete_what_was_sent(session: AsyncSession, event: OutboxEvent) -> None:
    """Sending a message does the follow-up that asked for it; after the nudge, the wait
    for a reply starts again from the nudge."""
    kind = event.data.get("kind")
    if event.session_id is None or kind not in {k.value for k in FollowUpKind}:
        return
    now = utc_now()
    await _complete(session, event.session_id, (FollowUpKind(kind),), now)
    if kind == K.FOLLOW_UP_NUDGE.value:
        row = await _row(session, event)
        if row is None:
            return
        cadence = await cadence_of(session, row.organization_id)
        wait_until = schedule.days_later(_moment(event.data), cadence.no_reply_after_days)
        for follow_up in await schedule.of_session(session, row.id, (K.MARK_NO_REPLY,)):
            schedule.reschedule(follow_up, wait_until, now)


async def _plan_after(
    session: AsyncSession, row: ReflectionSession, moment: datetime, *, move: bool
) -> None:
    """The thank-you (the same day, by default) and the stay-in-touch note (months later).
    `move`: a rescheduled call moves those still open; otherwise only missing ones are added."""
    now = utc_now()
    cadence = await cadence_of(session, row.organization_id)
    due = {
        K.THANK_YOU_EMAIL: schedule.days_later(moment, cadence.thank_you_after_days),
        K.STAY_IN_TOUCH_NOTE: schedule.add_months(moment, cadence.stay_in_touch_after_months),
    }
    existing = await schedule.of_session(session, row.id, AFTER_THE_CALL, None)
    for kind, due_at in due.items():
        mine = [f for f in existing if f.kind == kind.value]
        open_ones = [f for f in mine if f.status in {s.value for s in OPEN_STATUSES}]
        if move:
            for follow_up in open_ones:
                schedule.reschedule(follow_up, due_at, now)
        if all(f.status == FollowUpStatus.CANCELLED.value for f in mine):
            schedule.add(session, row, kind, due_at, now)


@react_to(EventType.CALL_SCHEDULED)
async def plan_after_the_call(session: AsyncSession, event: OutboxEvent) -> None:
    """The interviewer answered: no nudge; thank them after the call, stay in touch."""
    row = await _row(session, event)
    if row is None or row.call_scheduled_for is None:
        return
    await _cancel(session, row.id, UNANSWERED, utc_now())
    end_of_call = row.call_scheduled_for + timedelta(minutes=CALL_MINUTES)
    await _plan_after(session, row, end_of_call, move=True)


@react_to(EventType.CALL_CANCELLED)
async def drop_what_the_call_needed(session: AsyncSession, event: OutboxEvent) -> None:
    if event.session_id is not None:
        await _cancel(session, event.session_id, AFTER_THE_CALL, utc_now())


@react_to(EventType.FEEDBACK_RECEIVED)
async def plan_after_the_feedback(session: AsyncSession, event: OutboxEvent) -> None:
    """Feedback came (by email, or the call took place): no nudge; a thank-you is due
    the same day if none was planned for a call."""
    row = await _row(session, event)
    if row is None:
        return
    await _cancel(session, row.id, UNANSWERED, utc_now())
    await _plan_after(session, row, _moment(event.data), move=False)


@react_to(EventType.SESSION_CLOSED)
async def close_what_is_left(session: AsyncSession, event: OutboxEvent) -> None:
    """Closing the session is the outreach's end: a due "no reply" is thereby done, and
    whatever else is left is cancelled."""
    if event.session_id is None:
        return
    now = utc_now()
    for follow_up in await schedule.of_session(session, event.session_id, EVERY_KIND):
        done = (
            follow_up.kind == K.MARK_NO_REPLY.value and follow_up.status == FollowUpStatus.DUE.value
        )
        schedule.resolve(follow_up, FollowUpStatus.DONE if done else FollowUpStatus.CANCELLED, now)
