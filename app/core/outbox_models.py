"""The organisation's event stream, which is also the webhook outbox.

An event row is written in the transaction of the change it reports, so it exists exactly
when the change does. The worker fans undispatched events out to webhook deliveries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.column_types import UTCDateTime
from app.core.database import Base


class OutboxEvent(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_organization_id_id", "organization_id", "id"),
        Index("ix_events_organization_id_candidate_id_id", "organization_id", "candidate_id", "id"),
        # A session's timeline (GET /v1/sessions/{id}/events) reads this one.
        Index("ix_events_organization_id_session_id_id", "organization_id", "session_id", "id"),
        # The worker's queue: only events not yet fanned out, a small index whatever the
        # stream's length.
        Index(
            "ix_events_undispatched",
            "id",
            postgresql_where=text("dispatched_at IS NULL"),
            sqlite_where=text("dispatched_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    # Erasing a candidate erases the events about them (and their pending deliveries).
    candidate_id: Mapped[str | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE")
    )
    # No foreign key: a session's events outlive it (session.deleted among them).
    session_id: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
