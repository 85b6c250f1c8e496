"""A candidate's insights, with what their diagnoses keep finding."""

from __future__ import annotations

from typing import Annotated

from app.access.auth import AUTH_PROBLEMS, ReadAccess
from app.core.database import SessionDep
from app.core.errors import NotFound, problem_responses
from app.core.id_params import id_path
from app.core.ids import CANDIDATE
from app.core.routing import api_router
from app.diagnosis.service import history_of
from app.diagnosis.variables import CATEGORIES
from app.sessions import insights
from app.sessions.insights import RecurringCategory

router = api_router(prefix="/v1/candidates", tags=["candidates"], responses=AUTH_PROBLEMS)


@router.get(
    "/{candidate_id}/insights",
    summary="Where the candidate stands: outcomes, the no-to-yes ratio, the stage funnel, "
    "recurring diagnoses",
    responses=problem_responses(NotFound),
)
async def get_insights(
    candidate_id: Annotated[str, id_path(CANDIDATE, "candidate")],
    principal: ReadAccess,
    session: SessionDep,
) -> insights.Insights:
    result = await insights.insights(session, principal, candidate_id)
    history = await history_of(session, principal, result.candidate_id, None)
    result.recurring_categories = sorted(
        (RecurringCategory(category=c, sessions=history[c]) for c in CATEGORIES if history[c] > 0),
        key=lambda r: (-r.sessions, r.category),
    )
    return result
