from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    exists,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.column_types import UTCDateTime
from app.core.database import Base
from app.core.lookup import share_with_people


class RuleSetVersion(Base):
    """One version of an organisation's own rule set; the default lives in a data file."""

    __tablename__ = "rule_set_versions"
    __table_args__ = (
        UniqueConstraint("organization_id", "key", "version"),
        Index("ix_rule_set_versions_organization_id_id", "organization_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revision: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012


class ActiveRuleSet(Base):
    """The rule set an organisation's diagnoses use unless another is named."""

    __tablename__ = "active_rule_sets"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Diagnosis(Base):
    """A rule set's verdict on a session, with everything needed to reproduce it."""

    __tablename__ = "diagnoses"
    __table_args__ = (
        Index("ix_diagnoses_session_id_id", "session_id", "id"),
        Index("ix_diagnoses_organization_id_candidate_id", "organization_id", "candidate_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(String(40))
    rule_set_key: Mapped[str] = mapped_column(String(64))
    rule_set_version: Mapped[int] = mapped_column(Integer)
    rule_set_hash: Mapped[str] = mapped_column(String(80))
    inputs_hash: Mapped[str] = mapped_column(String(80))
    primary_category: Mapped[str] = mapped_column(String(32))
    verdict: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The locale its texts were written in; None for those written before it was kept (en).
    locale: Mapped[str | None] = mapped_column(String(35))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def _the_active_one(table: Table, organization_id: str) -> ColumnElement[bool]:
    active = ActiveRuleSet.__table__.c
    return exists(
        select(active.organization_id).where(
            active.organization_id == organization_id,
            active.key == table.c.key,
            active.version == table.c.version,
        )
    )


# A person's token runs diagnoses with the organisation's active rule set, and only it.
share_with_people(RuleSetVersion, _the_active_one)
