"""`GET /v1/events` for pollers, and `/v1/webhook-endpoints` for pushes.

Reading the stream needs the read scope. Webhook endpoints need the admin scope: they
decide where the organisation's data is sent, and creating one reveals a signing secret.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response, status

from app.access.auth import AUTH_PROBLEMS, AdminAccess, ReadAccess
from app.core.config import Settings
from app.core.database import SessionDep
from app.core.errors import (
    Conflict,
    InvalidCursor,
    NotFound,
    PreconditionFailed,
    problem_responses,
)
from app.core.etags import ETAG_HEADER_DOC, IfMatch
from app.core.event_types import EventType
from app.core.id_params import id_path
from app.core.ids import EVENT
from app.core.pagination import LINK_HEADER_DOC, Page, PageParams, set_link_header
from app.core.routing import api_router
from app.events import service
from app.events.models import DELIVERY, ENDPOINT
from app.events.schemas import (
    DeliveryRead,
    EventRead,
    RotatedSecret,
    WebhookEndpointCreate,
    WebhookEndpointRead,
    WebhookEndpointUpdate,
    WebhookEndpointWithSecret,
)

events_router = api_router(prefix="/v1/events", tags=["events"], responses=AUTH_PROBLEMS)
router = api_router(prefix="/v1/webhook-endpoints", tags=["webhooks"], responses=AUTH_PROBLEMS)

EndpointId = Annotated[str, id_path(ENDPOINT, "webhook endpoint")]
DeliveryId = Annotated[str, id_path(DELIVERY, "delivery")]
EventId = Annotated[str, id_path(EVENT, "event")]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@events_router.get(
    "",
    summary="Page through the organisation's events, oldest first",
    # The catalogue of types is written once, on the answer's `EventRead.type`.
    description="Every change, as a typed event: `EventRead.type` lists each type and its "
    "`data`. Poll with `next_cursor`; the same events are pushed to webhook endpoints.",
    responses={200: {"headers": LINK_HEADER_DOC}, **problem_responses(InvalidCursor)},
)
async def list_events(
    principal: ReadAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
    type: Annotated[
        list[EventType], Query(max_length=50, description="Only these types (repeat).")
    ] = [],  # noqa: B006 (FastAPI copies defaults)
    candidate_id: Annotated[str | None, Query(max_length=64)] = None,
    session_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[EventRead]:
    result = await service.list_events(
        session,
        principal,
        page,
        types=type,
        candidate_id=candidate_id,
        session_id=session_id,
    )
    set_link_header(request, response, result.next_cursor)
    return result


@events_router.get("/{event_id}", summary="Get an event", responses=problem_responses(NotFound))
async def get_event(event_id: EventId, principal: ReadAccess, session: SessionDep) -> EventRead:
    return service.read_event(await service.get_event(session, principal, event_id))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Add a webhook endpoint (its secret is shown this once)",
    responses={201: {"headers": ETAG_HEADER_DOC}},
)
async def create_endpoint(
    data: WebhookEndpointCreate,
    principal: AdminAccess,
    session: SessionDep,
    request: Request,
    response: Response,
) -> WebhookEndpointWithSecret:
    endpoint = await service.create_endpoint(session, principal, data, _settings(request))
    response.headers["ETag"] = service.etag(endpoint)
    response.headers["Location"] = f"/v1/webhook-endpoints/{endpoint.id}"
    return WebhookEndpointWithSecret(
        **service.read_endpoint(endpoint).model_dump(), secret=endpoint.secret
    )


@router.get(
    "",
    summary="List webhook endpoints",
    responses={200: {"headers": LINK_HEADER_DOC}, **problem_responses(InvalidCursor)},
)
async def list_endpoints(
    principal: AdminAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
) -> Page[WebhookEndpointRead]:
    result = await service.list_endpoints(session, principal, page)
    set_link_header(request, response, result.next_cursor)
    return result


@router.get(
    "/{endpoint_id}",
    summary="Get a webhook endpoint",
    responses={200: {"headers": ETAG_HEADER_DOC}, **problem_responses(NotFound)},
)
async def get_endpoint(
    endpoint_id: EndpointId, principal: AdminAccess, session: SessionDep, response: Response
) -> WebhookEndpointRead:
    endpoint = await service.get_endpoint(session, principal, endpoint_id)
    response.headers["ETag"] = service.etag(endpoint)
    return service.read_endpoint(endpoint)


@router.patch(
    "/{endpoint_id}",
    summary="Change a webhook endpoint",
    responses={
        200: {"headers": ETAG_HEADER_DOC},
        **problem_responses(NotFound, Conflict, PreconditionFailed),
    },
)
async def update_endpoint(
    endpoint_id: EndpointId,
    patch: WebhookEndpointUpdate,
    principal: AdminAccess,
    session: SessionDep,
    request: Request,
    response: Response,
    if_match: IfMatch = None,
) -> WebhookEndpointRead:
    endpoint = await service.update_endpoint(
        session, principal, endpoint_id, patch, if_match, _settings(request)
    )
    response.headers["ETag"] = service.etag(endpoint)
    return service.read_endpoint(endpoint)


@router.delete(
    "/{endpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a webhook endpoint and its delivery log",
    responses=problem_responses(NotFound, Conflict, PreconditionFailed),
)
async def delete_endpoint(
    endpoint_id: EndpointId, principal: AdminAccess, session: SessionDep, if_match: IfMatch = None
) -> None:
    await service.delete_endpoint(session, principal, endpoint_id, if_match)


@router.post(
    "/{endpoint_id}/rotate-secret",
    summary="Replace the signing secret; both are used during the overlap",
    responses={
        200: {"headers": ETAG_HEADER_DOC},
        **problem_responses(NotFound, Conflict, PreconditionFailed),
    },
)
async def rotate_secret(
    endpoint_id: EndpointId,
    principal: AdminAccess,
    session: SessionDep,
    request: Request,
    response: Response,
    if_match: IfMatch = None,
) -> RotatedSecret:
    endpoint, rotated = await service.rotate_secret(
        session, principal, endpoint_id, if_match, _settings(request)
    )
    response.headers["ETag"] = service.etag(endpoint)
    return rotated


@router.get(
    "/{endpoint_id}/deliveries",
    summary="The endpoint's delivery log, with every attempt",
    responses={200: {"headers": LINK_HEADER_DOC}, **problem_responses(NotFound, InvalidCursor)},
)
async def list_deliveries(
    endpoint_id: EndpointId,
    principal: AdminAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
) -> Page[DeliveryRead]:
    result = await service.list_deliveries(session, principal, endpoint_id, page)
    set_link_header(request, response, result.next_cursor)
    return result


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a delivery's message again (same webhook-id), as a new delivery",
    responses=problem_responses(NotFound),
)
async def replay_delivery(
    endpoint_id: EndpointId, delivery_id: DeliveryId, principal: AdminAccess, session: SessionDep
) -> DeliveryRead:
    delivery = await service.replay_delivery(session, principal, endpoint_id, delivery_id)
    return service.read_delivery(delivery)


@router.post(
    "/{endpoint_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a `webhook.test` ping to this endpoint",
    responses=problem_responses(NotFound),
)
async def send_test(
    endpoint_id: EndpointId, principal: AdminAccess, session: SessionDep
) -> DeliveryRead:
    delivery = await service.send_test(session, principal, endpoint_id)
    return service.read_delivery(delivery)
