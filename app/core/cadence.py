"""The organisation's follow-up cadence: when each step of the method falls due.

It lives in the core because two features read it: `follow_ups/` schedules by it, and
`messages/` refuses a nudge before the cadence says one is polite (messages sit below
follow-ups, so they may not import them). `follow_ups/` owns its routes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.core.column_types import UTCDateTime
from app.core.database import Base


@dataclass(frozen=True)
class Bound:
    default: int
    low: int
    high: int
    unit: str
    meaning: str


# The method's defaults, and how far an organisation may move each.
BOUNDS: dict[str, Bound] = {
    "feedback_request_after_days": Bound(
        1, 0, 30, "days", "Write the feedback request this long after the decision."
    ),
    "nudge_after_days": Bound(
        5, 1, 30, "days", "Nudge once if the request had no reply for this long."
    ),
    "thank_you_after_days": Bound(
        0, 0, 7, "days", "Thank the interviewer this long after the call (0: the same day)."
    ),
    "stay_in_touch_after_months": Bound(
        3, 1, 24, "months", "Stay in touch this long after the call."
    ),
    "no_reply_after_days": Bound(
        14,
        1,
        90,
        "days",
        "Mark the outreach as having had no reply when its last step went unanswered "
        "for this long.",
    ),
}


@dataclass(frozen=True)
class Cadence:
    feedback_request_after_days: int = BOUNDS["feedback_request_after_days"].default
    nudge_after_days: int = BOUNDS["nudge_after_days"].default
    thank_you_after_days: int = BOUNDS["thank_you_after_days"].default
    stay_in_touch_after_months: int = BOUNDS["stay_in_touch_after_months"].default
    no_reply_after_days: int = BOUNDS["no_reply_after_days"].default


class FollowUpCadence(Base):
    """An organisation's own cadence; without a row, the method's defaults apply."""

    __tablename__ = "follow_up_cadences"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    feedback_request_after_days: Mapped[int] = mapped_column(Integer)
    nudge_after_days: Mapped[int] = mapped_column(Integer)
    thank_you_after_days: Mapped[int] = mapped_column(Integer)
    stay_in_touch_after_months: Mapped[int] = mapped_column(Integer)
    no_reply_after_days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revision: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012


def cadence_from(row: FollowUpCadence | None) -> Cadence:
    if row is None:
        return Cadence()
    return Cadence(**{name: getattr(row, name) for name in BOUNDS})


async def cadence_of(session: AsyncSession, organization_id: str) -> Cadence:
    return cadence_from(await session.get(FollowUpCadence, organization_id))
