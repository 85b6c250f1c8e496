from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.column_types import UTCDateTime
from app.core.database import Base


class ReflectionSession(Base):
    """One rejection, from the first "no" to the follow-up call."""

    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_organization_id_id", "organization_id", "id"),
        Index(
            "ix_sessions_organization_id_candidate_id_id", "organization_id", "candidate_id", "id"
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    company: Mapped[str] = mapped_column(String(200))
    role_title: Mapped[str] = mapped_column(String(200))
    posting: Mapped[dict[str, Any]] = mapped_column(JSON)
    stage_reached: Mapped[str] = mapped_column(String(32))
    interview_date: Mapped[date | None] = mapped_column(Date)
    decision_date: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16))
    stated_reason: Mapped[str | None] = mapped_column(Text)
    interviewer: Mapped[dict[str, Any]] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    # The locale texts for this session are written in; None: the candidate's.
    locale: Mapped[str | None] = mapped_column(String(35))
    status: Mapped[str] = mapped_column(String(32))
    reflection_set_key: Mapped[str] = mapped_column(String(64))
    reflection_set_version: Mapped[int] = mapped_column(Integer)
    feedback_set_key: Mapped[str] = mapped_column(String(64))
    feedback_set_version: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    reflection_progress: Mapped[dict[str, Any]] = mapped_column(JSON)
    feedback_answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    feedback_progress: Mapped[dict[str, Any]] = mapped_column(JSON)
    reflected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    feedback_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    call_scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The call's invite: its SEQUENCE (raised by each reschedule or cancellation, RFC 5545)
    # and, once cancelled, when; `call_scheduled_for` then keeps the call that was off.
    call_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    call_cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    feedback_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revision: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012


class ActionItem(Base):
    """A next step the candidate commits to."""

    __tablename__ = "action_items"
    __table_args__ = (Index("ix_action_items_session_id_id", "session_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(16))
    # For steps a diagnosis proposed: the step's id, so a re-run adds no duplicate.
    step_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revision: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012
