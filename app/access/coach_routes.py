from __future__ import annotations

from typing import Annotated

from fastapi import Body, Query, Request, Response, status

from app.access import coach_service as service
from app.access.auth import AUTH_PROBLEMS, OrgReadAccess, OrgWriteAccess
from app.access.coach_schemas import CoachCreate, CoachRead, CoachUpdate
from app.core.database import SessionDep
from app.core.errors import (
    Conflict,
    IdempotencyKeyReused,
    InvalidCursor,
    NotFound,
    PreconditionFailed,
    problem_responses,
)
from app.core.etags import ETAG_HEADER_DOC, IfMatch
from app.core.fields import SINGLE_LINE_PATTERN
from app.core.id_params import id_path
from app.core.idempotency import Created, IdempotencyKey, run_idempotently
from app.core.ids import COACH
from app.core.merge_patch import MERGE_PATCH_MEDIA_TYPE
from app.core.pagination import LINK_HEADER_DOC, Page, PageParams, set_link_header
from app.core.routing import api_router

router = api_router(prefix="/v1/coaches", tags=["coaches"], responses=AUTH_PROBLEMS)

CoachId = Annotated[str, id_path(COACH, "coach")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CoachRead,
    summary="Add a coach",
    description="A coach sees the candidates who grant them access "
    "(`POST /v1/candidates/{id}/grants`), with a token minted for their `coach_…` id.",
    responses={
        201: {"headers": ETAG_HEADER_DOC},
        **problem_responses(Conflict, IdempotencyKeyReused),
    },
)
async def create_coach(
    data: CoachCreate,
    principal: OrgWriteAccess,
    session: SessionDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def create() -> Created:
        coach = await service.create_coach(session, principal, data)
        return Created(
            status_code=status.HTTP_201_CREATED,
            body=CoachRead.of(coach).model_dump_json(),
            resource_id=coach.id,
            headers={"Location": f"/v1/coaches/{coach.id}", "ETag": service.etag(coach)},
        )

    return await run_idempotently(session, principal, idempotency_key, request, data, create)


@router.get(
    "",
    summary="List coaches",
    responses={200: {"headers": LINK_HEADER_DOC}, **problem_responses(InvalidCursor)},
)
async def list_coaches(
    principal: OrgReadAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
    external_ref: Annotated[str | None, Query(max_length=200, pattern=SINGLE_LINE_PATTERN)] = None,
) -> Page[CoachRead]:
    result = await service.list_coaches(session, principal, page, external_ref)
    set_link_header(request, response, result.next_cursor)
    return result


@router.get(
    "/{coach_id}",
    summary="Get a coach",
    responses={200: {"headers": ETAG_HEADER_DOC}, **problem_responses(NotFound)},
)
async def get_coach(
    coach_id: CoachId, principal: OrgReadAccess, session: SessionDep, response: Response
) -> CoachRead:
    coach = await service.get_coach(session, principal, coach_id)
    response.headers["ETag"] = service.etag(coach)
    return CoachRead.of(coach)


@router.patch(
    "/{coach_id}",
    summary="Change a coach (JSON Merge Patch)",
    responses={
        200: {"headers": ETAG_HEADER_DOC},
        **problem_responses(NotFound, Conflict, PreconditionFailed),
    },
)
async def update_coach(
    coach_id: CoachId,
    patch: Annotated[CoachUpdate, Body(media_type=MERGE_PATCH_MEDIA_TYPE)],
    principal: OrgWriteAccess,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> CoachRead:
    coach = await service.update_coach(session, principal, coach_id, patch, if_match)
    response.headers["ETag"] = service.etag(coach)
    return CoachRead.of(coach)


@router.delete(
    "/{coach_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a coach",
    description="Their grants end (a `grant.revoked` event for each one in force) and their "
    "tokens stop working at once; the candidates' access logs keep their entries.",
    responses=problem_responses(NotFound, Conflict, PreconditionFailed),
)
async def delete_coach(
    coach_id: CoachId,
    principal: OrgWriteAccess,
    session: SessionDep,
    request: Request,
    if_match: IfMatch = None,
) -> None:
    await service.delete_coach(
        session, principal, request.app.state.grant_cache, coach_id, if_match
    )
    # Their tokens stop here at once; other processes notice within the auth cache bound.
    request.app.state.subject_cache.erased(principal.organization_id, coach_id)
