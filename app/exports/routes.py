"""`GET /v1/candidates/{id}/export`: everything stored about the candidate."""

from __future__ import annotations

from typing import Annotated

from fastapi import Response

from app.access.auth import AUTH_PROBLEMS, ReadAccess
from app.core.database import SessionDep
from app.core.errors import NotFound, problem_responses
from app.core.id_params import id_path
from app.core.ids import CANDIDATE
from app.core.routing import api_router
from app.exports import service
from app.exports.schemas import CandidateExport
from app.i18n.headers import localised
from app.i18n.locales import languages_of

router = api_router(prefix="/v1/candidates", tags=["candidates"], responses=AUTH_PROBLEMS)


@router.get(
    "/{candidate_id}/export",
    summary="Everything stored about the candidate, as one JSON document",
    description="The candidate; each session with its timeline, action items, diagnoses, "
    "messages and follow-ups; the organisation's events about them; their coach access "
    "grants and the log of what coaches read; their calendar feed. Erasing the candidate "
    "(`DELETE /v1/candidates/{candidate_id}`) removes all of it.",
    responses=localised() | problem_responses(NotFound),
)
async def export_candidate(
    candidate_id: Annotated[str, id_path(CANDIDATE, "candidate")],
    principal: ReadAccess,
    session: SessionDep,
    response: Response,
) -> CandidateExport:
    export = await service.export(session, principal, candidate_id)
    response.headers["Content-Language"] = languages_of(
        [d.locale for s in export.sessions for d in s.diagnoses]
        + [m.locale for s in export.sessions for m in s.messages]
    )
    return export
