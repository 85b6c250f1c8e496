from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.column_types import UTCDateTime
from app.core.database import Base


class MessageTemplate(Base):
    """An organisation's own template for one kind, tone and locale; its text is versioned."""

    __tablename__ = "message_templates"
    __table_args__ = (
        UniqueConstraint("organization_id", "key"),
        Index("ix_message_templates_organization_id_id", "organization_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    tone: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(35))
    description: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revision: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012


class MessageTemplateVersion(Base):
    """The text of one version of a template; never changes once written."""

    __tablename__ = "message_template_versions"

    template_id: Mapped[str] = mapped_column(
        ForeignKey("message_templates.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Message(Base):
    """A generated message, as written: its renditions are made from these columns."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_session_id_id", "session_id", "id"),
        Index("ix_messages_organization_id_id", "organization_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(32))
    tone: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(35))
    # `builtin` or the template's id, with the version used.
    template_id: Mapped[str | None] = mapped_column(String(40))
    template_version: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    markdown: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    # Who it goes to and from, and the call it is about: what the .eml and .ics need.
    parties: Mapped[dict[str, Any]] = mapped_column(JSON)
    call_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    questions: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revision: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012
