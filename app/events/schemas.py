"""The event stream and webhook endpoints as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from app.core.event_types import DESCRIPTIONS, EventType
from app.core.fields import SingleLine

CATALOGUE = "\n".join(f"- `{kind.value}`: {DESCRIPTIONS[kind]}" for kind in EventType)
MAX_EVENT_TYPES = 50

Url = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000, strip_whitespace=True),
    Field(
        description="Where to POST; https in prod; public addresses only.",
        examples=["https://example.com/hooks/debrief"],
    ),
]
Description = Annotated[SingleLine, StringConstraints(max_length=500)]
EventTypes = Annotated[
    list[EventType],
    Field(max_length=MAX_EVENT_TYPES, description="Send only these types; empty: every type."),
]


class EventRead(BaseModel):
    """One change in the organisation, Stripe-like: thin, typed, with a stable id."""

    id: str = Field(description="`evt_…`, time-ordered; also the webhook's `webhook-id`.")
    type: EventType = Field(description="What happened:\n\n" + CATALOGUE)
    created_at: datetime
    candidate_id: str | None
    session_id: str | None
    data: dict[str, Any] = Field(description="Ids and the few facts of the change; see `type`.")


class WebhookEndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url
    description: Description | None = None
    event_types: EventTypes = []
    enabled: StrictBool = True


class WebhookEndpointUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    description: Description | None = None
    event_types: EventTypes | None = None
    enabled: StrictBool | None = None


class WebhookEndpointRead(BaseModel):
    id: str = Field(description="`whe_…`")
    url: str
    description: str | None
    event_types: list[EventType]
    enabled: bool
    disabled_reason: Literal["gone", "failing"] | None = Field(
        description="Why the service disabled it: `gone` (it answered 410) or `failing` "
        "(every delivery failed for days); null when enabled or disabled by you."
    )
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookEndpointWithSecret(WebhookEndpointRead):
    secret: str = Field(
        description="`whsec_…`, shown this once: verify `webhook-signature` with it."
    )


class RotatedSecret(BaseModel):
    secret: str = Field(description="The new `whsec_…`, shown this once.")
    previous_secret_expires_at: datetime | None = Field(
        description="Until then, deliveries carry signatures by both the old and new secret."
    )


class AttemptRead(BaseModel):
    at: datetime
    status_code: int | None = Field(description="The endpoint's answer; null if none came.")
    duration_ms: int
    error: str | None
    next_attempt_at: datetime | None


class DeliveryRead(BaseModel):
    id: str = Field(description="`whd_…`")
    webhook_endpoint_id: str
    event_id: str | None = Field(description="Null for a test ping.")
    message_id: str = Field(description="The `webhook-id` header: the event's id.")
    event_type: EventType
    status: Literal["pending", "succeeded", "failed"]
    attempts: list[AttemptRead]
    next_attempt_at: datetime | None
    created_at: datetime
