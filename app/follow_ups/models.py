"""Follow-ups and candidates' calendar feeds (the cadence: app/core/cadence.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.column_types import UTCDateTime
from app.core.database import Base
from app.core.ids import IdKind

FOLLOW_UP = IdKind("fu")


class FollowUp(Base):
    """One thing the candidate should write or do for a session, and when."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        # The list's order: soonest due first, across the organisation or one candidate.
        Index("ix_follow_ups_organization_id_due_key", "organization_id", "due_key"),
        Index("ix_follow_ups_session_id_kind", "session_id", "kind"),
        # The worker's queue: what is waiting to fall due.
        Index("ix_follow_ups_status_due_at", "status", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # `due_at` and `id` as one sortable string: the keyset of the list's order.
    due_key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When it became done, dismissed or cancelled.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CalendarFeed(Base):
    """A candidate's subscribable calendar: only the hash of its URL's token is kept."""

    __tablename__ = "calendar_feeds"

    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
