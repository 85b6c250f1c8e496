"""The worker's side of webhooks, in short transactions: fan events out to deliveries,
claim due deliveries, and settle each attempt's outcome.

Claims use `SELECT … FOR UPDATE SKIP LOCKED` (ignored on SQLite, where BEGIN IMMEDIATE
already serialises writers) and a lease, `locked_until`: a worker that dies mid-batch
holds nothing once its lease has passed, and its deliveries are sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.event_types import EventType
from app.core.ids import utc_now
from app.core.outbox import emit
from app.core.outbox_models import OutboxEvent
from app.events.models import DELIVERY, WebhookDelivery, WebhookEndpoint
from app.events.outcome import Outcome, body_of
from app.events.retry_schedule import next_delay
from app.platform import metrics

MAX_PAYLOAD_BYTES = 20_000


class Status:
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


# A pending delivery after an attempt is one that failed and will be retried.
_OUTCOME_LABELS = {
    Status.SUCCEEDED: "succeeded",
    Status.PENDING: "retrying",
    Status.FAILED: "gave_up",
}


def rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def payload_of(event_type: str, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """`{type, timestamp, data}`, thin; if it would exceed 20 KB, only the ids remain."""
    payload = {"type": event_type, "timestamp": rfc3339(at), "data": data}
    if len(body_of(payload).encode()) > MAX_PAYLOAD_BYTES:
        payload["data"] = {k: v for k, v in data.items() if k.endswith("_id")}
    return payload


def new_delivery(
    endpoint: WebhookEndpoint,
    message_id: str,
    payload: dict[str, Any],
    now: datetime,
    event_id: str | None,
) -> WebhookDelivery:
    return WebhookDelivery(
        id=DELIVERY.new(now),
        organization_id=endpoint.organization_id,
        endpoint_id=endpoint.id,
        event_id=event_id,
        message_id=message_id,
        event_type=str(payload["type"]),
        payload=payload,
        status=Status.PENDING,
        attempt_count=0,
        attempts=[],
        next_attempt_at=now,
        locked_until=None,
        created_at=now,
        updated_at=now,
    )


def subscribes(endpoint: WebhookEndpoint, event: OutboxEvent) -> bool:
    return endpoint.created_at <= event.created_at and (
        not endpoint.event_types or event.type in endpoint.event_types
    )


async def fan_out(session: AsyncSession, limit: int) -> int:
    """Turn up to `limit` undispatched events into one delivery per subscribed endpoint."""
    now = utc_now()
    events = (
        await session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.dispatched_at.is_(None))
            .order_by(OutboxEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not events:
        return 0
    organizations = {event.organization_id for event in events}
    endpoints = (
        await session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.organization_id.in_(organizations),
                WebhookEndpoint.enabled.is_(True),
            )
        )
    ).all()
    for event in events:
        for endpoint in endpoints:
            if endpoint.organization_id == event.organization_id and subscribes(endpoint, event):
                payload = payload_of(event.type, event.created_at, event.data)
                session.add(new_delivery(endpoint, event.id, payload, now, event.id))
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_([event.id for event in events]))
        .values(dispatched_at=now)
    )
    return len(events)


@dataclass(frozen=True)
class Claim:
    delivery_id: str
    lease: datetime
    url: str
    message_id: str
    payload: dict[str, Any]
    secrets: list[str]
    attempt_count: int
    attempts: list[dict[str, Any]]
    endpoint_id: str
    organization_id: str


def _secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        return [endpoint.secret, endpoint.previous_secret]
    return [endpoint.secret]


def _due(now: datetime) -> Any:
    return (
        (WebhookDelivery.status == Status.PENDING)
        & (WebhookDelivery.next_attempt_at <= now)
        & or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until <= now)
    )


async def claim(session: AsyncSession, limit: int, lease_seconds: float) -> list[Claim]:
    """Lease up to `limit` due deliveries of enabled endpoints to this worker."""
    now = utc_now()
    lease = now + timedelta(seconds=lease_seconds)
    rows = (
        await session.execute(
            select(WebhookDelivery, WebhookEndpoint)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(_due(now), WebhookEndpoint.enabled.is_(True))
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        )
    ).all()
    if not rows:
        return []
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_([delivery.id for delivery, _ in rows]))
        .values(locked_until=lease)
    )
    return [
        Claim(
            delivery.id,
            lease,
            endpoint.url,
            delivery.message_id,
            delivery.payload,
            _secrets(endpoint, now),
            delivery.attempt_count,
            list(delivery.attempts),
            endpoint.id,
            endpoint.organization_id,
        )
        for delivery, endpoint in rows
    ]


async def settle(
    session: AsyncSession,
    claim: Claim,
    outcome: Outcome,
    *,
    retry_factor: float,
    disable_after: timedelta,
) -> bool:
    """Record the attempt; schedule the next or give up; disable a gone or long-failing
    endpoint. False when the lease had already passed to another worker."""
    now = utc_now()
    attempts_made = claim.attempt_count + 1
    attempt = outcome.as_attempt()
    gone = outcome.status_code == 410
    delay = (
        None
        if outcome.succeeded or gone
        else next_delay(attempts_made, retry_factor, outcome.retry_after)
    )
    if outcome.succeeded:
        status, next_at = Status.SUCCEEDED, None
    elif delay is None:
        status, next_at = Status.FAILED, None
    else:
        status, next_at = Status.PENDING, now + delay
    attempt["next_attempt_at"] = rfc3339(next_at) if next_at else None
    result = await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == claim.delivery_id, WebhookDelivery.locked_until == claim.lease)
        .values(
            status=status,
            attempt_count=attempts_made,
            attempts=[*claim.attempts, attempt],
            next_attempt_at=next_at,
            locked_until=None,
            updated_at=now,
        )
    )
    if not getattr(result, "rowcount", 0):
        return False
    metrics.WEBHOOK_DELIVERIES.labels(_OUTCOME_LABELS[status]).inc()
    if outcome.succeeded:
        await session.execute(
            update(WebhookEndpoint)
            .where(
                WebhookEndpoint.id == claim.endpoint_id, WebhookEndpoint.failing_since.is_not(None)
            )
            .values(failing_since=None)
        )
        return True
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == claim.endpoint_id, WebhookEndpoint.failing_since.is_(None))
        .values(failing_since=now)
    )
    failing_since = await session.scalar(
        select(WebhookEndpoint.failing_since).where(WebhookEndpoint.id == claim.endpoint_id)
    )
    if gone:
        await disable(session, claim.organization_id, claim.endpoint_id, "gone")
    elif failing_since is not None and now - failing_since >= disable_after:
        await disable(session, claim.organization_id, claim.endpoint_id, "failing")
    return True


async def disable(
    session: AsyncSession, organization_id: str, endpoint_id: str, reason: str
) -> None:
    """Disable the endpoint once, and say so in the event stream."""
    result = await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.enabled.is_(True))
        .values(
            enabled=False,
            disabled_reason=reason,
            updated_at=utc_now(),
            revision=WebhookEndpoint.revision + 1,
        )
    )
    if getattr(result, "rowcount", 0):
        emit(
            session,
            organization_id,
            EventType.WEBHOOK_ENDPOINT_DISABLED,
            {"webhook_endpoint_id": endpoint_id, "reason": reason},
        )


async def lag_seconds(session: AsyncSession) -> float:
    """How late the oldest due work is: an undispatched event or a due delivery."""
    now = utc_now()
    oldest_event = await session.scalar(
        select(func.min(OutboxEvent.created_at)).where(OutboxEvent.dispatched_at.is_(None))
    )
    oldest_delivery = await session.scalar(
        select(func.min(WebhookDelivery.next_attempt_at)).where(_due(now))
    )
    moments = [m for m in (oldest_event, oldest_delivery) if m is not None]
    return max(((now - min(moments)).total_seconds(), 0.0)) if moments else 0.0
