"""The event stream for pollers, webhook endpoints, their deliveries, replays and pings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import ids
from app.core.concurrency import flush_changes
from app.core.config import Environment, Settings
from app.core.errors import FieldProblem, NotFound, ValidationFailed
from app.core.etags import check_if_match, etag_for
from app.core.event_types import EventType
from app.core.ids import utc_now
from app.core.lookup import get_owned, visible
from app.core.outbox_models import OutboxEvent
from app.core.pagination import Page, PageRequest, paginate
from app.core.security import Principal
from app.events.address_guard import UnsafeAddress, check_url
from app.events.dispatch import new_delivery, payload_of
from app.events.models import DELIVERY, ENDPOINT, WebhookDelivery, WebhookEndpoint
from app.events.schemas import (
    DeliveryRead,
    EventRead,
    RotatedSecret,
    WebhookEndpointCreate,
    WebhookEndpointRead,
    WebhookEndpointUpdate,
)
from app.events.signing import new_secret


def read_event(event: OutboxEvent) -> EventRead:
    return EventRead(
        id=event.id,
        type=EventType(event.type),
        created_at=event.created_at,
        candidate_id=event.candidate_id,
        session_id=event.session_id,
        data=event.data,
    )


async def list_events(
    session: AsyncSession,
    caller: Principal,
    page: PageRequest,
    *,
    types: list[EventType],
    candidate_id: str | None,
    session_id: str | None,
) -> Page[EventRead]:
    statement = select(OutboxEvent).where(*visible(OutboxEvent, caller))
    if types:
        statement = statement.where(OutboxEvent.type.in_([t.value for t in types]))
    if candidate_id is not None:
        statement = statement.where(OutboxEvent.candidate_id == candidate_id)
    if session_id is not None:
        statement = statement.where(OutboxEvent.session_id == session_id)
    return await paginate(session, statement, OutboxEvent.id, page, "events", read_event)


async def get_event(session: AsyncSession, caller: Principal, event_id: str) -> OutboxEvent:
    return await get_owned(session, OutboxEvent, ids.EVENT, event_id, caller, "event")


def etag(endpoint: WebhookEndpoint) -> str:
    return etag_for(endpoint.revision)


def read_endpoint(endpoint: WebhookEndpoint) -> WebhookEndpointRead:
    return WebhookEndpointRead(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=[EventType(t) for t in endpoint.event_types],
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        failing_since=endpoint.failing_since,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


async def _checked_url(url: str, settings: Settings) -> str:
    try:
        await check_url(
            url,
            allow_private=settings.webhooks_allow_private,
            require_https=settings.environment is Environment.PROD,
        )
    except UnsafeAddress as exc:
        raise ValidationFailed(
            str(exc), errors=[FieldProblem(pointer="/body/url", detail=str(exc), code="url")]
        ) from None
    return url


async def create_endpoint(
    session: AsyncSession, caller: Principal, data: WebhookEndpointCreate, settings: Settings
) -> WebhookEndpoint:
    url = await _checked_url(data.url, settings)
    now = utc_now()
    endpoint = WebhookEndpoint(
        id=ENDPOINT.new(now),
        organization_id=caller.organization_id,
        url=url,
        description=data.description,
        event_types=sorted({t.value for t in data.event_types}),
        enabled=data.enabled,
        disabled_reason=None,
        secret=new_secret(),
        previous_secret=None,
        previous_secret_expires_at=None,
        failing_since=None,
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    await flush_changes(session, "webhook endpoint")
    return endpoint


async def get_endpoint(
    session: AsyncSession, caller: Principal, endpoint_id: str
) -> WebhookEndpoint:
    return await get_owned(
        session, WebhookEndpoint, ENDPOINT, endpoint_id, caller, "webhook endpoint"
    )


async def list_endpoints(
    session: AsyncSession, caller: Principal, page: PageRequest
) -> Page[WebhookEndpointRead]:
    statement = select(WebhookEndpoint).where(*visible(WebhookEndpoint, caller))
    return await paginate(
        session, statement, WebhookEndpoint.id, page, "webhook-endpoints", read_endpoint
    )


def _required(name: str) -> ValidationFailed:
    return ValidationFailed(
        f"{name} cannot be null.",
        errors=[FieldProblem(pointer=f"/body/{name}", detail="may not be null", code="null")],
    )


async def update_endpoint(
    session: AsyncSession,
    caller: Principal,
    endpoint_id: str,
    patch: WebhookEndpointUpdate,
    if_match: str | None,
    settings: Settings,
) -> WebhookEndpoint:
    endpoint = await get_endpoint(session, caller, endpoint_id)
    check_if_match(if_match, etag(endpoint))
    changes: dict[str, Any] = patch.model_dump(mode="json", exclude_unset=True)
    for name in ("url", "event_types", "enabled"):
        if name in changes and changes[name] is None:
            raise _required(name)
    if "url" in changes:
        changes["url"] = await _checked_url(changes["url"], settings)
    if "event_types" in changes:
        changes["event_types"] = sorted(set(changes["event_types"]))
    if changes.get("enabled"):
        # Enabled again by a person: a fresh start for the failure clock.
        changes.update(disabled_reason=None, failing_since=None)
    changed = [name for name, value in changes.items() if getattr(endpoint, name) != value]
    for name in changed:
        setattr(endpoint, name, changes[name])
    if changed:
        endpoint.updated_at = utc_now()
        await flush_changes(session, "webhook endpoint", if_match)
    return endpoint


async def delete_endpoint(
    session: AsyncSession, caller: Principal, endpoint_id: str, if_match: str | None
) -> None:
    endpoint = await get_endpoint(session, caller, endpoint_id)
    check_if_match(if_match, etag(endpoint))
    await session.delete(endpoint)
    await flush_changes(session, "webhook endpoint", if_match)


async def rotate_secret(
    session: AsyncSession,
    caller: Principal,
    endpoint_id: str,
    if_match: str | None,
    settings: Settings,
) -> tuple[WebhookEndpoint, RotatedSecret]:
    endpoint = await get_endpoint(session, caller, endpoint_id)
    check_if_match(if_match, etag(endpoint))
    now = utc_now()
    overlap = timedelta(hours=settings.webhooks_secret_overlap_hours)
    endpoint.previous_secret = endpoint.secret if overlap else None
    endpoint.previous_secret_expires_at = now + overlap if overlap else None
    endpoint.secret = new_secret()
    endpoint.updated_at = now
    await flush_changes(session, "webhook endpoint", if_match)
    return endpoint, RotatedSecret(
        secret=endpoint.secret, previous_secret_expires_at=endpoint.previous_secret_expires_at
    )


def read_delivery(delivery: WebhookDelivery) -> DeliveryRead:
    return DeliveryRead.model_validate(
        {
            "id": delivery.id,
            "webhook_endpoint_id": delivery.endpoint_id,
            "event_id": delivery.event_id,
            "message_id": delivery.message_id,
            "event_type": delivery.event_type,
            "status": delivery.status,
            "attempts": delivery.attempts,
            "next_attempt_at": delivery.next_attempt_at,
            "created_at": delivery.created_at,
        }
    )


async def list_deliveries(
    session: AsyncSession, caller: Principal, endpoint_id: str, page: PageRequest
) -> Page[DeliveryRead]:
    endpoint = await get_endpoint(session, caller, endpoint_id)
    statement = select(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint.id,
        *visible(WebhookDelivery, caller),
    )
    return await paginate(
        session, statement, WebhookDelivery.id, page, f"deliveries:{endpoint.id}", read_delivery
    )


async def replay_delivery(
    session: AsyncSession, caller: Principal, endpoint_id: str, delivery_id: str
) -> WebhookDelivery:
    """Send the same message again (same `webhook-id`) as a new delivery, due now."""
    endpoint = await get_endpoint(session, caller, endpoint_id)
    original = await get_owned(session, WebhookDelivery, DELIVERY, delivery_id, caller, "delivery")
    if original.endpoint_id != endpoint.id:
        raise NotFound(f"No delivery with id {delivery_id}.")
    replay = new_delivery(
        endpoint, original.message_id, original.payload, utc_now(), original.event_id
    )
    session.add(replay)
    await flush_changes(session, "delivery")
    return replay


async def send_test(session: AsyncSession, caller: Principal, endpoint_id: str) -> WebhookDelivery:
    """A `webhook.test` ping to this endpoint only; it is not part of the event stream."""
    endpoint = await get_endpoint(session, caller, endpoint_id)
    now = utc_now()
    payload = payload_of(EventType.WEBHOOK_TEST.value, now, {"webhook_endpoint_id": endpoint.id})
    delivery = new_delivery(endpoint, ids.EVENT.new(now), payload, now, None)
    session.add(delivery)
    await flush_changes(session, "delivery")
    return delivery
