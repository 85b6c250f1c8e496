from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends, Query, Request, Response, status

from app.access.auth import AUTH_PROBLEMS, ReadAccess, WriteAccess
from app.core.database import SessionDep, SessionOnDemandDep, writes_in_one_statement
from app.core.dependencies import awaited
from app.core.errors import (
    Conflict,
    IdempotencyKeyReused,
    InvalidCursor,
    NotFound,
    PreconditionFailed,
    problem_responses,
)
from app.core.etags import ETAG_HEADER_DOC, IfMatch, IfNoneMatch, is_not_modified
from app.core.fields import SINGLE_LINE_PATTERN, CalendarDate
from app.core.id_params import id_path
from app.core.idempotency import Created, IdempotencyKey, run_idempotently
from app.core.ids import SESSION
from app.core.merge_patch import MERGE_PATCH_MEDIA_TYPE
from app.core.pagination import LINK_HEADER_DOC, Page, PageParams, set_link_header
from app.core.responses import json_response
from app.core.routing import api_router
from app.sessions import service
from app.sessions.models import ReflectionSession
from app.sessions.schemas import (
    AnswersUpdate,
    Outcome,
    SessionCreate,
    SessionEventRead,
    SessionRead,
    SessionStatus,
    SessionUpdate,
    Stage,
    Transition,
)

router = api_router(prefix="/v1/sessions", tags=["sessions"], responses=AUTH_PROBLEMS)

SessionId = Annotated[str, id_path(SESSION, "session")]
WRITE_PROBLEMS = problem_responses(NotFound, Conflict, PreconditionFailed)


class SessionFilters:
    def __init__(
        self,
        status: SessionStatus | None = None,
        outcome: Outcome | None = None,
        company: Annotated[str | None, Query(max_length=200, pattern=SINGLE_LINE_PATTERN)] = None,
        stage: Stage | None = None,
        decided_from: Annotated[
            CalendarDate | None, Query(description="Decision date on or after.")
        ] = None,
        decided_to: Annotated[
            CalendarDate | None, Query(description="Decision date on or before.")
        ] = None,
    ) -> None:
        self.values = {
            "status": status,
            "outcome": outcome,
            "company": company,
            "stage": stage,
            "decided_from": decided_from,
            "decided_to": decided_to,
        }


SessionFilterParams = Annotated[SessionFilters, Depends(awaited(SessionFilters))]


def _with_etag(row: ReflectionSession) -> Response:
    return json_response(service.document(row), headers={"ETag": service.etag(row)})


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionRead,
    summary="Start a reflection session for one rejection",
    responses={201: {"headers": ETAG_HEADER_DOC}, **problem_responses(IdempotencyKeyReused)},
)
async def create_session(
    data: SessionCreate,
    principal: WriteAccess,
    session: SessionDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def create() -> Created:
        row = await service.create_session(session, principal, data)
        return Created(
            status_code=status.HTTP_201_CREATED,
            body=service.read(row).model_dump_json(),
            resource_id=row.id,
            subject_id=row.candidate_id,
            headers={"Location": f"/v1/sessions/{row.id}", "ETag": service.etag(row)},
        )

    return await run_idempotently(session, principal, idempotency_key, request, data, create)


@router.get(
    "",
    response_model=Page[SessionRead],
    summary="List sessions",
    responses={200: {"headers": LINK_HEADER_DOC}, **problem_responses(InvalidCursor)},
)
async def list_sessions(
    principal: ReadAccess,
    session: SessionDep,
    page: PageParams,
    filters: SessionFilterParams,
    request: Request,
    candidate_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_]+$")] = None,
) -> Response:
    result = await service.list_sessions(
        session,
        principal,
        page,
        candidate_id=candidate_id,
        **filters.values,  # type: ignore[arg-type]
    )
    out = json_response(result.as_json())
    set_link_header(request, out, result.next_cursor)
    return out


@router.get(
    "/{session_id}",
    response_model=SessionRead,
    summary="Get a session",
    responses={
        200: {"headers": ETAG_HEADER_DOC},
        304: {"description": "Not modified."},
        **problem_responses(NotFound),
    },
)
async def get_session(
    session_id: SessionId,
    principal: ReadAccess,
    session: SessionDep,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> Response:
    document, etag = await service.get_session_document(session, principal, session_id)
    if is_not_modified(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    return json_response(document, headers={"ETag": etag})


@router.patch(
    "/{session_id}",
    response_model=SessionRead,
    summary="Change a session's facts (JSON Merge Patch)",
    responses={200: {"headers": ETAG_HEADER_DOC}, **WRITE_PROBLEMS},
)
async def update_session(
    session_id: SessionId,
    patch: Annotated[SessionUpdate, Body(media_type=MERGE_PATCH_MEDIA_TYPE)],
    principal: WriteAccess,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> Response:
    row = await service.update_session(session, principal, session_id, patch, if_match)
    return _with_etag(row)


@router.delete(
    "/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a session with its answers, events and action items",
    responses=WRITE_PROBLEMS,
)
async def delete_session(
    session_id: SessionId,
    principal: WriteAccess,
    session: SessionDep,
    if_match: IfMatch = None,
) -> None:
    await service.delete_session(session, principal, session_id, if_match)


@router.put(
    "/{session_id}/answers",
    response_model=SessionRead,
    summary="Save self-reflection answers (merged; null removes one)",
    description="Checked against the pinned question-set version: if any answer is wrong, "
    "nothing is saved and the 422 problem points at each. The response shows progress; "
    "completing the required questions moves an open session to `reflected`.",
    responses={200: {"headers": ETAG_HEADER_DOC}, **WRITE_PROBLEMS},
)
@writes_in_one_statement
async def put_answers(
    session_id: SessionId,
    data: AnswersUpdate,
    principal: WriteAccess,
    session: SessionOnDemandDep,
    response: Response,
    if_match: IfMatch = None,
) -> Response:
    document, etag = await service.put_answers(
        session, principal, session_id, data.answers, if_match, feedback=False
    )
    return json_response(document, headers={"ETag": etag})


@router.put(
    "/{session_id}/interviewer-feedback",
    response_model=SessionRead,
    summary="Save what the interviewer said (merged; null removes one)",
    responses={200: {"headers": ETAG_HEADER_DOC}, **WRITE_PROBLEMS},
)
@writes_in_one_statement
async def put_interviewer_feedback(
    session_id: SessionId,
    data: AnswersUpdate,
    principal: WriteAccess,
    session: SessionOnDemandDep,
    response: Response,
    if_match: IfMatch = None,
) -> Response:
    document, etag = await service.put_answers(
        session, principal, session_id, data.answers, if_match, feedback=True
    )
    return json_response(document, headers={"ETag": etag})


@router.post(
    "/{session_id}/transitions",
    response_model=SessionRead,
    summary="Move the session to its next status",
    description="open → reflected → feedback_requested → call_scheduled → "
    "feedback_received → closed (closing is allowed from any status). A move that does "
    "not follow is a 409 whose `allowed` lists the statuses that would.",
    responses={200: {"headers": ETAG_HEADER_DOC}, **WRITE_PROBLEMS},
)
async def transition(
    session_id: SessionId,
    data: Transition,
    principal: WriteAccess,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> Response:
    row = await service.transition(session, principal, session_id, data, if_match)
    return _with_etag(row)


@router.get(
    "/{session_id}/events",
    summary="The session's timeline, oldest first",
    responses={
        200: {"headers": LINK_HEADER_DOC},
        **problem_responses(NotFound, InvalidCursor),
    },
)
async def list_events(
    session_id: SessionId,
    principal: ReadAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
) -> Page[SessionEventRead]:
    result = await service.list_events(session, principal, session_id, page)
    set_link_header(request, response, result.next_cursor)
    return result
