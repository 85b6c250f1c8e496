from __future__ import annotations

from typing import Annotated

from fastapi import Request, Response, status

from app.access import grant_service as service
from app.access.auth import AUTH_PROBLEMS, ReadAccess, WriteAccess
from app.access.grant_schemas import AccessLogEntryRead, GrantCreate, GrantRead
from app.core.database import SessionDep
from app.core.errors import (
    Conflict,
    IdempotencyKeyReused,
    InvalidCursor,
    NotFound,
    ValidationFailed,
    problem_responses,
)
from app.core.id_params import id_path
from app.core.idempotency import Created, IdempotencyKey, run_idempotently
from app.core.ids import CANDIDATE, GRANT, utc_now
from app.core.pagination import LINK_HEADER_DOC, Page, PageParams, set_link_header
from app.core.routing import api_router

router = api_router(prefix="/v1/candidates/{candidate_id}", responses=AUTH_PROBLEMS)

CandidateId = Annotated[str, id_path(CANDIDATE, "candidate")]
GrantId = Annotated[str, id_path(GRANT, "grant")]
_CONSENT = (
    " The candidate (with their own token) or your organisation (with its API key) may; "
    "a coach may not (403 on a candidate they can see)."
)


@router.post(
    "/grants",
    status_code=status.HTTP_201_CREATED,
    response_model=GrantRead,
    tags=["grants"],
    summary="Let a coach see this candidate's data",
    description="The coach's tokens see this candidate from their next request: everything, "
    "read-only, and with `comment` also next steps and session notes to write." + _CONSENT,
    responses=problem_responses(NotFound, Conflict, ValidationFailed, IdempotencyKeyReused),
)
async def create_grant(
    candidate_id: CandidateId,
    data: GrantCreate,
    principal: WriteAccess,
    session: SessionDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def create() -> Created:
        grant = await service.create_grant(
            session, principal, request.app.state.grant_cache, candidate_id, data
        )
        return Created(
            status_code=status.HTTP_201_CREATED,
            body=GrantRead.of(grant, utc_now()).model_dump_json(),
            resource_id=grant.id,
            subject_id=grant.candidate_id,
            headers={"Location": f"/v1/candidates/{grant.candidate_id}/grants/{grant.id}"},
        )

    return await run_idempotently(session, principal, idempotency_key, request, data, create)


@router.get(
    "/grants",
    tags=["grants"],
    summary="List the coaches this candidate has let in, past and present",
    description="Newest last; revoked and expired grants stay listed." + _CONSENT,
    responses={200: {"headers": LINK_HEADER_DOC}, **problem_responses(NotFound, InvalidCursor)},
)
async def list_grants(
    candidate_id: CandidateId,
    principal: ReadAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
) -> Page[GrantRead]:
    result = await service.list_grants(session, principal, candidate_id, page)
    set_link_header(request, response, result.next_cursor)
    return result


@router.get(
    "/grants/{grant_id}",
    tags=["grants"],
    summary="Get a grant",
    description=_CONSENT.strip(),
    responses=problem_responses(NotFound),
)
async def get_grant(
    candidate_id: CandidateId, grant_id: GrantId, principal: ReadAccess, session: SessionDep
) -> GrantRead:
    grant = await service.get_grant(session, principal, candidate_id, grant_id)
    return GrantRead.of(grant, utc_now())


@router.post(
    "/grants/{grant_id}/revoke",
    tags=["grants"],
    summary="Take a coach's access away",
    description="From the coach's next request, this candidate does not exist for them "
    "(in this server process at once; in others within `DEBRIEF_AUTH_CACHE_SECONDS`). "
    "Revoking again changes nothing." + _CONSENT,
    responses=problem_responses(NotFound),
)
async def revoke_grant(
    candidate_id: CandidateId,
    grant_id: GrantId,
    principal: WriteAccess,
    session: SessionDep,
    request: Request,
) -> GrantRead:
    grant = await service.revoke_grant(
        session, principal, request.app.state.grant_cache, candidate_id, grant_id
    )
    return GrantRead.of(grant, utc_now())


@router.get(
    "/access-log",
    tags=["grants"],
    summary="What coaches have read and changed about this candidate",
    description="One entry per request a coach's token made about this candidate's data, "
    "oldest first. The candidate's own requests and the organisation's are not in it." + _CONSENT,
    responses={200: {"headers": LINK_HEADER_DOC}, **problem_responses(NotFound, InvalidCursor)},
)
async def list_access_log(
    candidate_id: CandidateId,
    principal: ReadAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
) -> Page[AccessLogEntryRead]:
    result = await service.list_access_log(session, principal, candidate_id, page)
    set_link_header(request, response, result.next_cursor)
    return result
