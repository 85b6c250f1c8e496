"""The cadence resource, the follow-up list, snoozing and dismissing, and falling due."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.cadence import BOUNDS, FollowUpCadence, cadence_from
from app.core.concurrency import flush_changes
from app.core.errors import Conflict, FieldProblem, ValidationFailed
from app.core.etags import check_if_match, etag_for
from app.core.event_types import EventType
from app.core.ids import utc_now
from app.core.lookup import get_owned, visible
from app.core.outbox import emit
from app.core.pagination import Page, PageRequest, paginate
from app.core.security import Principal
from app.follow_ups import schedule
from app.follow_ups.models import FOLLOW_UP, FollowUp
from app.follow_ups.schemas import (
    MAX_SNOOZE_DAYS,
    OPEN_STATUSES,
    CadenceRead,
    CadenceUpdate,
    FollowUpKind,
    FollowUpRead,
    FollowUpStatus,
    Snooze,
)

# Follow-ups made due by one run of the periodic job; the rest wait for the next minute.
DUE_BATCH = 500


def cadence_etag(row: FollowUpCadence | None) -> str:
    return etag_for(row.revision if row is not None else 0)


def read_cadence(row: FollowUpCadence | None) -> CadenceRead:
    values = cadence_from(row)
    return CadenceRead(
        **{name: getattr(values, name) for name in BOUNDS},
        is_default=row is None,
        updated_at=row.updated_at if row is not None else None,
    )


async def get_cadence(session: AsyncSession, organization_id: str) -> FollowUpCadence | None:
    return await session.get(FollowUpCadence, organization_id)


async def put_cadence(
    session: AsyncSession, organization_id: str, data: CadenceUpdate, if_match: str | None
) -> FollowUpCadence:
    row = await get_cadence(session, organization_id)
    check_if_match(if_match, cadence_etag(row))
    now = utc_now()
    if row is None:
        row = FollowUpCadence(organization_id=organization_id, updated_at=now)
        session.add(row)
    for name in BOUNDS:
        setattr(row, name, getattr(data, name))
    row.updated_at = now
    await flush_changes(session, "cadence", if_match)
    return row


def read(row: FollowUp) -> FollowUpRead:
    return FollowUpRead(
        id=row.id,
        session_id=row.session_id,
        candidate_id=row.candidate_id,
        kind=FollowUpKind(row.kind),
        status=FollowUpStatus(row.status),
        due_at=row.due_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        resolved_at=row.resolved_at,
    )


async def get_follow_up(session: AsyncSession, caller: Principal, follow_up_id: str) -> FollowUp:
    return await get_owned(session, FollowUp, FOLLOW_UP, follow_up_id, caller, "follow-up")


async def list_follow_ups(
    session: AsyncSession,
    caller: Principal,
    page: PageRequest,
    *,
    statuses: list[FollowUpStatus],
    kinds: list[FollowUpKind],
    candidate_id: str | None,
    session_id: str | None,
    due_before: datetime | None,
) -> Page[FollowUpRead]:
    """Soonest due first (then by id), of every candidate the caller may see."""
    statement = select(FollowUp).where(*visible(FollowUp, caller))
    if statuses:
        statement = statement.where(FollowUp.status.in_([s.value for s in statuses]))
    if kinds:
        statement = statement.where(FollowUp.kind.in_([k.value for k in kinds]))
    if candidate_id is not None:
        statement = statement.where(FollowUp.candidate_id == candidate_id)
    if session_id is not None:
        statement = statement.where(FollowUp.session_id == session_id)
    if due_before is not None:
        statement = statement.where(FollowUp.due_at < due_before)
    return await paginate(session, statement, FollowUp.due_key, page, "follow-ups", read)


def _ensure_open(row: FollowUp, verb: str) -> None:
    if row.status not in {s.value for s in OPEN_STATUSES}:
        raise Conflict(
            f"This follow-up is {row.status}: only a scheduled, due or snoozed one can be {verb}.",
            extensions={"follow_up_status": row.status},
        )


def _snooze_until(data: Snooze, now: datetime) -> datetime:
    if data.days is not None:
        return now + timedelta(days=data.days)
    assert data.until is not None
    if data.until <= now or data.until > now + timedelta(days=MAX_SNOOZE_DAYS):
        raise ValidationFailed(
            f"Snooze until a time in the next {MAX_SNOOZE_DAYS} days.",
            errors=[
                FieldProblem(
                    pointer="/body/until",
                    detail=f"must be in the future, at most {MAX_SNOOZE_DAYS} days ahead",
                    code="out_of_range",
                )
            ],
        )
    return data.until


async def snooze(
    session: AsyncSession, caller: Principal, follow_up_id: str, data: Snooze
) -> FollowUp:
    row = await get_follow_up(session, caller, follow_up_id)
    _ensure_open(row, "snoozed")
    now = utc_now()
    schedule.set_due(row, _snooze_until(data, now))
    row.status = FollowUpStatus.SNOOZED.value
    row.updated_at = now
    await flush_changes(session, "follow-up")
    return row


async def dismiss(session: AsyncSession, caller: Principal, follow_up_id: str) -> FollowUp:
    """Idempotent: dismissing a dismissed follow-up leaves it as it was."""
    row = await get_follow_up(session, caller, follow_up_id)
    if row.status == FollowUpStatus.DISMISSED.value:
        return row
    _ensure_open(row, "dismissed")
    schedule.resolve(row, FollowUpStatus.DISMISSED, utc_now())
    await flush_changes(session, "follow-up")
    return row


async def make_due(session: AsyncSession, now: datetime) -> str:
    """The periodic job: scheduled and snoozed follow-ups whose time came become due,
    each with one `follow_up.due` event. Run twice at the same time, it finds nothing the
    second time."""
    waiting = (FollowUpStatus.SCHEDULED.value, FollowUpStatus.SNOOZED.value)
    rows = (
        await session.scalars(
            select(FollowUp)
            .where(FollowUp.status.in_(waiting), FollowUp.due_at <= now)
            .order_by(FollowUp.due_at)
            .limit(DUE_BATCH)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in rows:
        row.status = FollowUpStatus.DUE.value
        row.updated_at = now
        emit(
            session,
            row.organization_id,
            EventType.FOLLOW_UP_DUE,
            {
                "follow_up_id": row.id,
                "session_id": row.session_id,
                "candidate_id": row.candidate_id,
                "kind": row.kind,
                "due_at": row.due_at.isoformat(),
            },
            candidate_id=row.candidate_id,
            session_id=row.session_id,
        )
    await session.flush()
    return f"made {len(rows)} follow-ups due"
