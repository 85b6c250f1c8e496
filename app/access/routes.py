from __future__ import annotations

from fastapi import Request, Response, status

from app.access import service
from app.access.auth import AUTH_PROBLEMS, OrgReadAccess
from app.access.schemas import TokenCreate, TokenIssued
from app.core.database import SessionDep
from app.core.errors import NotFound, problem_responses
from app.core.routing import api_router

router = api_router(prefix="/v1", responses=AUTH_PROBLEMS)


@router.post(
    "/tokens",
    status_code=status.HTTP_201_CREATED,
    summary="Mint a short-lived token for one person, for a web or mobile app",
    description="Called by your backend with its API key; hand the token to the person's "
    "app, which calls Debrief with it. A candidate's token sees that candidate only.",
    tags=["tokens"],
    responses=problem_responses(NotFound),
)
async def create_token(
    data: TokenCreate,
    principal: OrgReadAccess,
    session: SessionDep,
    request: Request,
    response: Response,
) -> TokenIssued:
    issued = await service.mint_token(session, principal, request.app.state.token_keys, data)
    # A credential: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return issued
