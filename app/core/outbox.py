"""The outbox writer: a feature reports a change by adding an event to its own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import ids
from app.core.event_types import EventType
from app.core.ids import utc_now
from app.core.outbox_models import OutboxEvent
from app.core.reactions import remember


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """An event before it has an id and a time: what changed, and about whom."""

    type: EventType
    data: dict[str, Any]
    candidate_id: str | None = None
    session_id: str | None = None


def event_row(
    organization_id: str, event: StreamEvent, at: datetime, event_id: str | None = None
) -> dict[str, Any]:
    """The `events` row of `event`, column by column (for a Core INSERT)."""
    return {
        "id": event_id or ids.EVENT.new(at),
        "organization_id": organization_id,
        "type": event.type.value,
        "candidate_id": event.candidate_id,
        "session_id": event.session_id,
        "data": event.data,
        "created_at": at,
        "dispatched_at": None,
    }


def emit_event(
    session: AsyncSession,
    organization_id: str,
    event: StreamEvent,
    *,
    event_id: str | None = None,
    at: datetime | None = None,
) -> str:
    """Add the event to the session's transaction: it commits or rolls back with the
    change it describes. Returns its id (`evt_…`)."""
    row = OutboxEvent(**event_row(organization_id, event, at or utc_now(), event_id))
    session.add(row)
    remember(session, row)
    return row.id


def emit(
    session: AsyncSession,
    organization_id: str,
    event_type: EventType,
    data: dict[str, Any],
    *,
    candidate_id: str | None = None,
    session_id: str | None = None,
    event_id: str | None = None,
    at: datetime | None = None,
) -> str:
    """`emit_event` with the event's parts as arguments."""
    event = StreamEvent(event_type, data, candidate_id, session_id)
    return emit_event(session, organization_id, event, event_id=event_id, at=at)
