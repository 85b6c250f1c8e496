"""Gathers everything stored about a candidate, each table read through the caller's scope
(app/core/lookup.py) and shown through its own feature's read schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.grant_schemas import AccessLogEntryRead, GrantRead
from app.access.models import AccessLogEntry, Grant
from app.candidates.schemas import CandidateRead
from app.candidates.service import get_candidate
from app.core.database import Base
from app.core.ids import utc_now
from app.core.lookup import visible
from app.core.outbox_models import OutboxEvent
from app.core.security import Principal, Role
from app.diagnosis import service as diagnoses
from app.diagnosis.models import Diagnosis
from app.events.service import read_event
from app.exports.schemas import CandidateExport, ExportedCalendarFeed, ExportedSession
from app.follow_ups import service as follow_ups
from app.follow_ups.models import CalendarFeed, FollowUp
from app.messages import service as messages
from app.messages.models import Message
from app.sessions import action_items
from app.sessions import service as sessions
from app.sessions.models import ActionItem, ReflectionSession

ModelT = TypeVar("ModelT", bound=Base)
ReadT = TypeVar("ReadT")


async def _rows(
    session: AsyncSession, caller: Principal, model: type[ModelT], candidate_id: str
) -> list[ModelT]:
    """The caller's rows of a table with a `candidate_id`, about this candidate, oldest first."""
    table: Any = model.__table__
    return list(
        await session.scalars(
            select(model)
            .where(*visible(model, caller), table.c.candidate_id == candidate_id)
            .order_by(*table.primary_key.columns)
        )
    )


async def _by_session(
    session: AsyncSession,
    caller: Principal,
    model: type[ModelT],
    candidate_id: str,
    read: Callable[[ModelT], ReadT],
    *also: ColumnElement[bool],
) -> dict[str, list[ReadT]]:
    """The caller's rows of a table of sessions' rows, of this candidate's sessions, oldest
    first, by session id."""
    columns: Any = model.__table__.c
    found: dict[str, list[ReadT]] = {}
    for row in await session.scalars(
        select(model)
        .join(ReflectionSession, columns.session_id == ReflectionSession.id)
        .where(
            *visible(model, caller),
            *visible(ReflectionSession, caller),
            ReflectionSession.candidate_id == candidate_id,
            *also,
        )
        .order_by(columns.id)
    ):
        found.setdefault(row.session_id, []).append(read(row))  # type: ignore[attr-defined]
    return found


async def export(session: AsyncSession, caller: Principal, candidate_id: str) -> CandidateExport:
    candidate = await get_candidate(session, caller, candidate_id)
    now = utc_now()
    timelines = await _by_session(
        session,
        caller,
        OutboxEvent,
        candidate.id,
        sessions.read_event,
        OutboxEvent.type.in_(sessions.TIMELINE_TYPES),
    )
    items = await _by_session(session, caller, ActionItem, candidate.id, action_items.read)
    diagnosed = await _by_session(session, caller, Diagnosis, candidate.id, diagnoses.read)
    written = await _by_session(session, caller, Message, candidate.id, messages.read)
    planned = await _by_session(session, caller, FollowUp, candidate.id, follow_ups.read)
    exported = [
        ExportedSession(
            **sessions.read(row).model_dump(),
            events=timelines.get(row.id, []),
            action_items=items.get(row.id, []),
            diagnoses=diagnosed.get(row.id, []),
            messages=written.get(row.id, []),
            follow_ups=planned.get(row.id, []),
        )
        for row in await _rows(session, caller, ReflectionSession, candidate.id)
    ]
    # A coach never sees who else may see the candidate's data (as on the grants' routes).
    coach = caller.role is Role.COACH
    feeds = await _rows(session, caller, CalendarFeed, candidate.id)
    return CandidateExport(
        exported_at=now,
        candidate=CandidateRead.of(candidate),
        sessions=exported,
        events=[read_event(e) for e in await _rows(session, caller, OutboxEvent, candidate.id)],
        grants=None
        if coach
        else [GrantRead.of(g, now) for g in await _rows(session, caller, Grant, candidate.id)],
        access_log=None
        if coach
        else [
            AccessLogEntryRead.of(e)
            for e in await _rows(session, caller, AccessLogEntry, candidate.id)
        ],
        calendar_feed=ExportedCalendarFeed(created_at=feeds[0].created_at) if feeds else None,
    )
