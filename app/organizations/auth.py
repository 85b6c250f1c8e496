"""Who is calling: the bearer API key, resolved to a principal with scopes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.database import Database, SessionDep, is_reading
from app.core.database_faults import DatabaseFault, database_fault
from app.core.errors import Forbidden, Unauthorized, problem_responses
from app.core.ids import utc_now
from app.core.security import Principal, Scope
from app.organizations import service
from app.organizations.key_cache import KeyCache

logger = logging.getLogger(__name__)

bearer_scheme = HTTPBearer(
    auto_error=False,
    bearerFormat="dbr_…",
    description="An API key of your organisation: `Authorization: Bearer dbr_…`.",
)

AUTH_PROBLEMS = problem_responses(Unauthorized, Forbidden)


async def _record_use_elsewhere(database: Database, api_key_id: str) -> None:
    """A read request stays read-only: last_used_at is written in its own transaction.

    Failing to write it does not fail the request, unless the database is unreachable:
    the request itself would then wait for it a second time."""
    try:
        async with database.sessionmaker() as side_session, side_session.begin():
            await service.record_key_use(side_session, api_key_id)
    except Exception as error:
        if database_fault(error) is DatabaseFault.UNREACHABLE:
            raise
        logger.warning("could not record the use of API key %s", api_key_id, exc_info=True)


async def authenticate(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    if credentials is None:
        raise Unauthorized(
            "This operation needs an API key: `Authorization: Bearer dbr_…`.",
            headers={"WWW-Authenticate": 'Bearer realm="debrief"'},
        )
    cache: KeyCache = request.app.state.key_cache
    presented = credentials.credentials
    checked = cache.get(presented)
    if checked is None:
        try:
            principal, api_key = await service.authenticate_key(session, presented)
        except Unauthorized:
            cache.drop(presented)
            raise
        checked = cache.put(presented, principal, api_key.expires_at, api_key.last_used_at)
    elif checked.expires_at is not None and checked.expires_at <= utc_now():
        raise service.invalid_key()
    if service.needs_last_used_update(checked.last_used_at):
        checked.last_used_at = utc_now()
        if is_reading(request):
            await _record_use_elsewhere(request.app.state.database, checked.principal.api_key_id)
        else:
            await service.record_key_use(session, checked.principal.api_key_id)
    return checked.principal


def requires(scope: Scope) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if scope not in principal.scopes:
            raise Forbidden(f"This operation needs an API key with the `{scope}` scope.")
        return principal

    return check


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
ReadAccess = Annotated[Principal, Depends(requires(Scope.READ))]
WriteAccess = Annotated[Principal, Depends(requires(Scope.WRITE))]
AdminAccess = Annotated[Principal, Depends(requires(Scope.ADMIN))]
