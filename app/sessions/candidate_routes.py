"""A candidate's sessions: routes under /v1/candidates/{id} (the export: app/exports)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request, Response

from app.access.auth import AUTH_PROBLEMS, ReadAccess
from app.candidates.service import get_candidate
from app.core.database import SessionDep
from app.core.errors import InvalidCursor, NotFound, problem_responses
from app.core.id_params import id_path
from app.core.ids import CANDIDATE
from app.core.pagination import LINK_HEADER_DOC, Page, PageParams, set_link_header
from app.core.responses import json_response
from app.core.routing import api_router
from app.sessions import service
from app.sessions.routes import SessionFilterParams
from app.sessions.schemas import SessionRead

router = api_router(prefix="/v1/candidates", tags=["candidates"], responses=AUTH_PROBLEMS)

CandidateId = Annotated[str, id_path(CANDIDATE, "candidate")]


@router.get(
    "/{candidate_id}/sessions",
    response_model=Page[SessionRead],
    summary="A candidate's sessions",
    responses={
        200: {"headers": LINK_HEADER_DOC},
        **problem_responses(NotFound, InvalidCursor),
    },
)
async def list_candidate_sessions(
    candidate_id: CandidateId,
    principal: ReadAccess,
    session: SessionDep,
    page: PageParams,
    filters: SessionFilterParams,
    request: Request,
) -> Response:
    candidate = await get_candidate(session, principal, candidate_id)
    result = await service.list_sessions(
        session,
        principal,
        page,
        **{**filters.values, "candidate_id": candidate.id},  # type: ignore[arg-type]
    )
    out = json_response(result.as_json())
    set_link_header(request, out, result.next_cursor)
    return out
