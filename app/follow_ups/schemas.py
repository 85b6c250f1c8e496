"""The cadence, follow-ups and calendar feeds as the API reads and writes them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.cadence import BOUNDS
from app.core.fields import NUMBER_ONLY, Integer, Timestamp

MAX_SNOOZE_DAYS = 90


class FollowUpKind(StrEnum):
    """The message to write (a kind of `POST /v1/sessions/{id}/messages`), or an action."""

    FEEDBACK_REQUEST_EMAIL = "feedback_request_email"
    FOLLOW_UP_NUDGE = "follow_up_nudge"
    THANK_YOU_EMAIL = "thank_you_email"
    STAY_IN_TOUCH_NOTE = "stay_in_touch_note"
    MARK_NO_REPLY = "mark_no_reply"


class FollowUpStatus(StrEnum):
    SCHEDULED = "scheduled"
    DUE = "due"
    SNOOZED = "snoozed"
    DONE = "done"
    DISMISSED = "dismissed"
    CANCELLED = "cancelled"


OPEN_STATUSES = (FollowUpStatus.SCHEDULED, FollowUpStatus.DUE, FollowUpStatus.SNOOZED)


def _bounded(name: str) -> Any:
    bound = BOUNDS[name]
    return Field(
        ge=bound.low,
        le=bound.high,
        description=f"{bound.meaning} In {bound.unit}, {bound.low}–{bound.high}; "
        f"default {bound.default}.",
        examples=[bound.default],
    )


class CadenceFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feedback_request_after_days: Integer = _bounded("feedback_request_after_days")
    nudge_after_days: Integer = _bounded("nudge_after_days")
    thank_you_after_days: Integer = _bounded("thank_you_after_days")
    stay_in_touch_after_months: Integer = _bounded("stay_in_touch_after_months")
    no_reply_after_days: Integer = _bounded("no_reply_after_days")


class CadenceUpdate(CadenceFields):
    """Every delay, as a whole (PUT): send back what `GET` gave, changed."""


class CadenceRead(CadenceFields):
    is_default: bool = Field(description="True while the organisation has not set its own.")
    updated_at: datetime | None


class FollowUpRead(BaseModel):
    id: str = Field(examples=["fu_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    session_id: str
    candidate_id: str
    kind: FollowUpKind
    status: FollowUpStatus
    due_at: datetime = Field(description="When it falls (or fell) due; a snooze moves it.")
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None = Field(description="When it became done, dismissed or cancelled.")


class Snooze(BaseModel):
    """Either `until` a time or for a number of `days`, up to 90 days ahead."""

    model_config = ConfigDict(extra="forbid")

    until: Timestamp | None = Field(default=None, examples=["2026-12-07T09:00:00Z"])
    days: Annotated[int, Field(ge=1, le=MAX_SNOOZE_DAYS), NUMBER_ONLY] | None = Field(
        default=None, examples=[3]
    )

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.until is None) == (self.days is None):
            raise ValueError("give either until or days, not both")
        return self


class CalendarFeedRead(BaseModel):
    url: str = Field(
        description="Subscribe to it in any calendar. It is the only credential needed to read "
        "the feed: it is shown once, and minting a new one revokes it."
    )
    created_at: datetime
