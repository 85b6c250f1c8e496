from __future__ import annotations

from typing import Annotated

from fastapi import Body, Query, Request, Response, status

from app.access.auth import AUTH_PROBLEMS, OrgWriteAccess, ReadAccess, WriteAccess
from app.candidates import service
from app.candidates.schemas import CandidateCreate, CandidateRead, CandidateUpdate
from app.core.database import SessionDep, writes_in_one_statement
from app.core.errors import (
    Conflict,
    IdempotencyKeyReused,
    InvalidCursor,
    NotFound,
    PreconditionFailed,
    problem_responses,
)
from app.core.etags import ETAG_HEADER_DOC, IfMatch, IfNoneMatch, is_not_modified
from app.core.fields import SINGLE_LINE_PATTERN, Timestamp
from app.core.id_params import id_path
from app.core.idempotency import Created, IdempotencyKey, run_idempotently
from app.core.ids import CANDIDATE
from app.core.merge_patch import MERGE_PATCH_MEDIA_TYPE
from app.core.pagination import LINK_HEADER_DOC, Page, PageParams, set_link_header
from app.core.routing import api_router

router = api_router(prefix="/v1/candidates", tags=["candidates"], responses=AUTH_PROBLEMS)

CandidateId = Annotated[str, id_path(CANDIDATE, "candidate")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CandidateRead,
    summary="Add a candidate",
    responses={
        201: {"headers": ETAG_HEADER_DOC},
        **problem_responses(Conflict, IdempotencyKeyReused),
    },
)
async def create_candidate(
    data: CandidateCreate,
    principal: OrgWriteAccess,
    session: SessionDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def create() -> Created:
        candidate = await service.create_candidate(session, principal, data)
        return Created(
            status_code=status.HTTP_201_CREATED,
            body=CandidateRead.of(candidate).model_dump_json(),
            resource_id=candidate.id,
            subject_id=candidate.id,
            headers={"Location": f"/v1/candidates/{candidate.id}", "ETag": service.etag(candidate)},
        )

    return await run_idempotently(session, principal, idempotency_key, request, data, create)


@router.get(
    "",
    summary="List candidates",
    responses={200: {"headers": LINK_HEADER_DOC}, **problem_responses(InvalidCursor)},
)
async def list_candidates(
    principal: ReadAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
    external_ref: Annotated[str | None, Query(max_length=200, pattern=SINGLE_LINE_PATTERN)] = None,
    created_after: Annotated[
        Timestamp | None, Query(description="Created at or after (RFC 3339).")
    ] = None,
    created_before: Annotated[
        Timestamp | None, Query(description="Created before (RFC 3339).")
    ] = None,
) -> Page[CandidateRead]:
    result = await service.list_candidates(
        session,
        principal,
        page,
        external_ref=external_ref,
        created_after=created_after,
        created_before=created_before,
    )
    set_link_header(request, response, result.next_cursor)
    return result


@router.get(
    "/{candidate_id}",
    summary="Get a candidate",
    responses={
        200: {"headers": ETAG_HEADER_DOC},
        304: {"description": "Not modified: your If-None-Match is current."},
        **problem_responses(NotFound),
    },
)
async def get_candidate(
    candidate_id: CandidateId,
    principal: ReadAccess,
    session: SessionDep,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> CandidateRead:
    candidate = await service.get_candidate(session, principal, candidate_id)
    etag = service.etag(candidate)
    if is_not_modified(if_none_match, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})  # type: ignore[return-value]
    response.headers["ETag"] = etag
    return CandidateRead.of(candidate)


@router.patch(
    "/{candidate_id}",
    summary="Change a candidate (JSON Merge Patch)",
    responses={
        200: {"headers": ETAG_HEADER_DOC},
        **problem_responses(NotFound, Conflict, PreconditionFailed),
    },
)
@writes_in_one_statement
async def update_candidate(
    candidate_id: CandidateId,
    patch: Annotated[CandidateUpdate, Body(media_type=MERGE_PATCH_MEDIA_TYPE)],
    principal: WriteAccess,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> CandidateRead:
    candidate = await service.update_candidate(session, principal, candidate_id, patch, if_match)
    response.headers["ETag"] = service.etag(candidate)
    return CandidateRead.of(candidate)


@router.delete(
    "/{candidate_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase a candidate and everything stored about them",
    responses=problem_responses(NotFound, Conflict, PreconditionFailed),
)
async def delete_candidate(
    candidate_id: CandidateId,
    principal: OrgWriteAccess,
    session: SessionDep,
    request: Request,
    if_match: IfMatch = None,
) -> None:
    await service.delete_candidate(session, principal, candidate_id, if_match)
    # Their tokens stop here at once; other processes notice within the auth cache bound.
    request.app.state.subject_cache.erased(principal.organization_id, candidate_id)
