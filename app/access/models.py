"""Coaches, the grants candidates give them, and the log of what coaches read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.column_types import UTCDateTime
from app.core.database import Base


class Coach(Base):
    __tablename__ = "coaches"
    __table_args__ = (
        UniqueConstraint("organization_id", "external_ref"),
        Index("ix_coaches_organization_id_id", "organization_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    external_ref: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Grant(Base):
    """A candidate's consent that one coach may read (and perhaps comment on) their data."""

    __tablename__ = "grants"
    __table_args__ = (
        Index("ix_grants_candidate_id_id", "candidate_id", "id"),
        Index("ix_grants_organization_id_coach_id", "organization_id", "coach_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    coach_id: Mapped[str] = mapped_column(ForeignKey("coaches.id", ondelete="CASCADE"))
    may_comment: Mapped[bool] = mapped_column(Boolean)
    granted_by: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccessLogEntry(Base):
    """One request a coach made about a candidate. It outlives the coach (no foreign key
    to coaches): the candidate keeps the record of who read what."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_candidate_id_id", "candidate_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    coach_id: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(8))
    operation: Mapped[str] = mapped_column(String(100))
    path_template: Mapped[str] = mapped_column(String(200))
    resource_id: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
