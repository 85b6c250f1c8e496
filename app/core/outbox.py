"""The outbox writer: a feature reports a change by adding an event to its own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import ids
from app.core.event_types import EventType
from app.core.ids import utc_now
from app.core.outbox_models import OutboxEvent
from app.core.reactions import remember


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
    """Add the event to the session's transaction: it commits or rolls back with the
    change it describes. Returns its id (`evt_…`)."""
    now = at or utc_now()
    event_id = event_id or ids.EVENT.new(now)
    event = OutboxEvent(
        id=event_id,
        organization_id=organization_id,
        type=event_type.value,
        candidate_id=candidate_id,
        session_id=session_id,
        data=data,
        created_at=now,
    )
    session.add(event)
    remember(session, event)
    return event_id
