"""Reading and writing follow-up rows: the small steps the planner and the API share."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.follow_ups.models import FOLLOW_UP, FollowUp
from app.follow_ups.schemas import OPEN_STATUSES, FollowUpKind, FollowUpStatus
from app.sessions.models import ReflectionSession

# A follow-up due "on a day" is due at this hour of the candidate's morning.
MORNING = time(9, 0)


def due_key(due_at: datetime, follow_up_id: str) -> str:
    return f"{due_at.astimezone(UTC):%Y%m%dT%H%M%S.%f}~{follow_up_id}"


def set_due(row: FollowUp, due_at: datetime) -> None:
    row.due_at = due_at
    row.due_key = due_key(due_at, row.id)


def add(
    session: AsyncSession,
    row: ReflectionSession,
    kind: FollowUpKind,
    due_at: datetime,
    now: datetime,
) -> FollowUp:
    follow_up = FollowUp(
        id=FOLLOW_UP.new(now),
        organization_id=row.organization_id,
        candidate_id=row.candidate_id,
        session_id=row.id,
        kind=kind.value,
        status=FollowUpStatus.SCHEDULED.value,
        created_at=now,
        updated_at=now,
        resolved_at=None,
    )
    set_due(follow_up, due_at)
    session.add(follow_up)
    return follow_up


def resolve(row: FollowUp, status: FollowUpStatus, now: datetime) -> None:
    row.status = status.value
    row.resolved_at = now
    row.updated_at = now


def reschedule(row: FollowUp, due_at: datetime, now: datetime) -> None:
    set_due(row, due_at)
    row.status = FollowUpStatus.SCHEDULED.value
    row.updated_at = now


async def of_session(
    session: AsyncSession,
    session_id: str,
    kinds: tuple[FollowUpKind, ...],
    statuses: tuple[FollowUpStatus, ...] | None = OPEN_STATUSES,
) -> list[FollowUp]:
    """The session's follow-ups of these kinds (by default, only those still open)."""
    statement = select(FollowUp).where(
        FollowUp.session_id == session_id, FollowUp.kind.in_([k.value for k in kinds])
    )
    if statuses is not None:
        statement = statement.where(FollowUp.status.in_([s.value for s in statuses]))
    return list((await session.scalars(statement.order_by(FollowUp.id))).all())


def morning_of(day: date, time_zone: str) -> datetime:
    """9:00 on that day in the candidate's time zone, as UTC."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.combine(day, MORNING, tzinfo=zone).astimezone(UTC)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later; the month's last day when it is shorter."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def days_later(moment: datetime, days: int) -> datetime:
    return moment + timedelta(days=days)
