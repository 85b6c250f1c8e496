"""The cadence, follow-ups and calendar feeds.

Importing this module registers the follow-ups' reactions (app/follow_ups/planner.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request, Response, status

from app.access.auth import (
    AUTH_PROBLEMS,
    OrgReadAccess,
    OrgWriteAccess,
    ReadAccess,
    WriteAccess,
)
from app.core.database import SessionDep
from app.core.errors import (
    Conflict,
    InvalidCursor,
    NotFound,
    PreconditionFailed,
    problem_responses,
)
from app.core.etags import ETAG_HEADER_DOC, IfMatch
from app.core.fields import Timestamp
from app.core.id_params import id_path
from app.core.ids import CANDIDATE
from app.core.pagination import LINK_HEADER_DOC, Page, PageParams, set_link_header
from app.core.routing import api_router
from app.follow_ups import calendar_feed, planner, service
from app.follow_ups.models import FOLLOW_UP
from app.follow_ups.schemas import (
    CadenceRead,
    CadenceUpdate,
    CalendarFeedRead,
    FollowUpKind,
    FollowUpRead,
    FollowUpStatus,
    Snooze,
)
from app.i18n.headers import CONTENT_LANGUAGE_DOC

__all__ = ["planner"]

cadence_router = api_router(
    prefix="/v1/follow-up-cadence", tags=["follow-ups"], responses=AUTH_PROBLEMS
)
router = api_router(prefix="/v1/follow-ups", tags=["follow-ups"], responses=AUTH_PROBLEMS)
candidate_router = api_router(prefix="/v1/candidates", tags=["candidates"], responses=AUTH_PROBLEMS)
feed_router = api_router(prefix="/v1/calendar-feeds", tags=["follow-ups"])

FollowUpId = Annotated[str, id_path(FOLLOW_UP, "follow-up")]
CandidateId = Annotated[str, id_path(CANDIDATE, "candidate")]


@cadence_router.get(
    "",
    summary="The organisation's follow-up cadence (the method's defaults until it sets one)",
    responses={200: {"headers": ETAG_HEADER_DOC}},
)
async def get_cadence(
    principal: OrgReadAccess, session: SessionDep, response: Response
) -> CadenceRead:
    row = await service.get_cadence(session, principal.organization_id)
    response.headers["ETag"] = service.cadence_etag(row)
    return service.read_cadence(row)


@cadence_router.put(
    "",
    summary="Set every delay of the cadence; follow-ups planned from now on use it",
    responses={
        200: {"headers": ETAG_HEADER_DOC},
        **problem_responses(Conflict, PreconditionFailed),
    },
)
async def put_cadence(
    data: CadenceUpdate,
    principal: OrgWriteAccess,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> CadenceRead:
    row = await service.put_cadence(session, principal.organization_id, data, if_match)
    response.headers["ETag"] = service.cadence_etag(row)
    return service.read_cadence(row)


@router.get(
    "",
    summary="Follow-ups, soonest due first: what each candidate should do next",
    description="`?status=due` is today's list; add `due_before` to look ahead, "
    "`candidate_id` for one candidate.",
    responses={200: {"headers": LINK_HEADER_DOC}, **problem_responses(InvalidCursor)},
)
async def list_follow_ups(
    principal: ReadAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
    status: Annotated[
        list[FollowUpStatus], Query(max_length=6, description="Only these statuses (repeat).")
    ] = [],  # noqa: B006 (FastAPI copies defaults)
    kind: Annotated[
        list[FollowUpKind], Query(max_length=5, description="Only these kinds (repeat).")
    ] = [],  # noqa: B006
    candidate_id: Annotated[str | None, Query(max_length=64)] = None,
    session_id: Annotated[str | None, Query(max_length=64)] = None,
    due_before: Annotated[
        Timestamp | None, Query(description="Only those due before this time.")
    ] = None,
) -> Page[FollowUpRead]:
    result = await service.list_follow_ups(
        session,
        principal,
        page,
        statuses=status,
        kinds=kind,
        candidate_id=candidate_id,
        session_id=session_id,
        due_before=due_before,
    )
    set_link_header(request, response, result.next_cursor)
    return result


@router.get("/{follow_up_id}", summary="Get a follow-up", responses=problem_responses(NotFound))
async def get_follow_up(
    follow_up_id: FollowUpId, principal: ReadAccess, session: SessionDep
) -> FollowUpRead:
    return service.read(await service.get_follow_up(session, principal, follow_up_id))


@router.post(
    "/{follow_up_id}/snooze",
    summary="Put a follow-up off until a time, or by a number of days (at most 90)",
    responses=problem_responses(NotFound, Conflict),
)
async def snooze_follow_up(
    follow_up_id: FollowUpId, data: Snooze, principal: WriteAccess, session: SessionDep
) -> FollowUpRead:
    return service.read(await service.snooze(session, principal, follow_up_id, data))


@router.post(
    "/{follow_up_id}/dismiss",
    summary="Drop a follow-up the candidate will not do",
    responses=problem_responses(NotFound, Conflict),
)
async def dismiss_follow_up(
    follow_up_id: FollowUpId, principal: WriteAccess, session: SessionDep
) -> FollowUpRead:
    return service.read(await service.dismiss(session, principal, follow_up_id))


def _feed_url(request: Request, token: str) -> str:
    configured = request.app.state.settings.public_base_url
    base = configured.rstrip("/") if configured else str(request.base_url).rstrip("/")
    return base + calendar_feed.FEED_PATH.format(token=token)


@candidate_router.post(
    "/{candidate_id}/calendar-feed",
    status_code=status.HTTP_201_CREATED,
    summary="Issue the candidate's calendar feed URL (a new one revokes the last)",
    description="The URL lists the candidate's calls and open follow-ups as `.ics`, for "
    "a calendar to subscribe to. It carries its own credential and is shown once.",
    responses=problem_responses(NotFound),
)
async def issue_calendar_feed(
    candidate_id: CandidateId, principal: WriteAccess, session: SessionDep, request: Request
) -> CalendarFeedRead:
    token, created_at = await calendar_feed.mint(session, principal, candidate_id)
    return CalendarFeedRead(url=_feed_url(request, token), created_at=created_at)


@candidate_router.delete(
    "/{candidate_id}/calendar-feed",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke the candidate's calendar feed URL",
    responses=problem_responses(NotFound),
)
async def revoke_calendar_feed(
    candidate_id: CandidateId, principal: WriteAccess, session: SessionDep
) -> None:
    await calendar_feed.revoke(session, principal, candidate_id)


@feed_router.get(
    "/{token}.ics",
    summary="A candidate's calendar feed (the token in the URL is the credential)",
    description="No `Authorization` header: calendar applications cannot send one. An "
    "unknown or revoked token is a 404.",
    response_class=Response,
    responses={
        200: {
            "content": {"text/calendar": {"schema": {"type": "string"}}},
            "headers": CONTENT_LANGUAGE_DOC,
        },
        **problem_responses(NotFound),
    },
)
async def get_calendar_feed(
    token: Annotated[str, Path(description="The feed's token, from its URL.")],
    session: SessionDep,
) -> Response:
    body, languages = await calendar_feed.render(session, token)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Cache-Control": "private, max-age=300",
            "Referrer-Policy": "no-referrer",
            "Content-Disposition": 'inline; filename="debrief.ics"',
            "Content-Language": languages,
        },
    )
