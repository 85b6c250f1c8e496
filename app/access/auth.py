"""Who is calling: an organisation's API key or a person's token, through one dependency."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from app.access.coach_reach import coach_reach
from app.access.coach_requests import admit_coach
from app.access.models import Coach
from app.access.subject_cache import SubjectCache
from app.access.tokens import InvalidToken, TokenKeys
from app.candidates.models import Candidate
from app.core.database import Database, is_reading, request_session, uses_database
from app.core.database_faults import DatabaseFault, database_fault
from app.core.errors import Forbidden, NotFound, TooManyRequests, Unauthorized, problem_responses
from app.core.ids import utc_now
from app.core.security import KEY_PREFIX, Principal, Role, Scope, effective_scopes
from app.organizations import service
from app.organizations.key_cache import KeyCache
from app.platform.hooks import spend_rate_limit

logger = logging.getLogger(__name__)

bearer_scheme = HTTPBearer(
    auto_error=False,
    bearerFormat="dbr_… API key or JWT",
    description="Either an API key of your organisation, for servers "
    "(`Authorization: Bearer dbr_…`), or a person's short-lived token minted by your "
    "backend with `POST /v1/tokens`, for web and mobile apps (`Authorization: Bearer eyJ…`). "
    "A candidate's token sees that candidate only; a coach's token, the candidates who "
    "granted that coach access.",
)

AUTH_PROBLEMS = problem_responses(Unauthorized, Forbidden, TooManyRequests)
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="debrief"'}
_INVALID_TOKEN = {"WWW-Authenticate": 'Bearer realm="debrief", error="invalid_token"'}


def invalid_token() -> Unauthorized:
    return Unauthorized(
        "This token is not valid: it has expired, was altered, was not issued for this "
        "service, or the person it names no longer exists. Ask your platform for a new one.",
        headers=_INVALID_TOKEN,
    )


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


async def _from_api_key(request: Request, presented: str) -> Principal:
    cache: KeyCache = request.app.state.key_cache
    checked = cache.get(presented)
    if checked is None:
        try:
            principal, api_key = await service.authenticate_key(
                await request_session(request), presented
            )
        except Unauthorized:
            cache.drop(presented)
            raise
        checked = cache.put(presented, principal, api_key.expires_at, api_key.last_used_at)
    elif checked.expires_at is not None and checked.expires_at <= utc_now():
        raise service.invalid_key()
    api_key_id = checked.principal.api_key_id
    if api_key_id is not None and service.needs_last_used_update(checked.last_used_at):
        checked.last_used_at = utc_now()
        if is_reading(request):
            await _record_use_elsewhere(request.app.state.database, api_key_id)
        else:
            await service.record_key_use(await request_session(request), api_key_id)
    return checked.principal


async def _subject_exists(request: Request, organization_id: str, subject: str, role: Role) -> bool:
    cache: SubjectCache = request.app.state.subject_cache
    known = cache.get(organization_id, subject)
    if known is not None:
        return known
    model: type[Candidate | Coach] = Coach if role is Role.COACH else Candidate
    session = await request_session(request)
    found = await session.scalar(
        select(model.id).where(model.id == subject, model.organization_id == organization_id)
    )
    cache.put(organization_id, subject, found is not None)
    return found is not None


async def _from_token(request: Request, presented: str) -> Principal:
    keys: TokenKeys = request.app.state.token_keys
    try:
        claims = keys.verify(presented)
    except InvalidToken:
        raise invalid_token() from None
    organization_id, subject = claims.organization_id, claims.subject
    if not await _subject_exists(request, organization_id, subject, claims.role):
        raise invalid_token()
    scopes = effective_scopes(frozenset(claims.scopes))
    if claims.role is Role.COACH:
        reach = await coach_reach(request, organization_id, subject)
        return Principal(
            organization_id=organization_id,
            api_key_id=None,
            scopes=scopes,
            role=Role.COACH,
            subject=subject,
            candidate_ids=reach.candidate_ids,
            commentable_ids=reach.commentable_ids,
        )
    return Principal(
        organization_id=organization_id,
        api_key_id=None,
        scopes=scopes,
        role=claims.role,
        subject=subject,
        candidate_ids=frozenset({subject}),
    )


@uses_database
async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    if credentials is None:
        raise Unauthorized(
            "This operation needs an API key or a person's token: `Authorization: Bearer …`.",
            headers=_CHALLENGE,
        )
    presented = credentials.credentials
    if presented.startswith(KEY_PREFIX):
        principal = await _from_api_key(request, presented)
    else:
        principal = await _from_token(request, presented)
    await spend_rate_limit(request, principal)
    return principal


def requires(
    scope: Scope, *, organization_only: bool = False
) -> Callable[..., Awaitable[Principal]]:
    # Authenticates itself rather than depending on `authenticate`: one level of
    # dependency solving less on every request. It opens the request's session only when
    # a cache misses (or a coach's request is logged).
    @uses_database
    async def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    ) -> Principal:
        principal = await authenticate(request, credentials)
        if organization_only and principal.role is not Role.ORGANIZATION:
            # A person's token never reaches the organisation's own objects: where the
            # address names one, it does not exist for them, as any object they may not see.
            if request.path_params:
                raise NotFound("Nothing exists at this address for you.")
            raise Forbidden("Only your organisation's server can do this, with its API key.")
        if scope not in principal.scopes:
            raise Forbidden(f"This operation needs a credential with the `{scope}` scope.")
        if principal.role is Role.COACH:
            session = await request_session(request)
            await admit_coach(request, session, principal, writes=scope is not Scope.READ)
        return principal

    return check


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
ReadAccess = Annotated[Principal, Depends(requires(Scope.READ))]
WriteAccess = Annotated[Principal, Depends(requires(Scope.WRITE))]
OrgReadAccess = Annotated[Principal, Depends(requires(Scope.READ, organization_only=True))]
OrgWriteAccess = Annotated[Principal, Depends(requires(Scope.WRITE, organization_only=True))]
AdminAccess = Annotated[Principal, Depends(requires(Scope.ADMIN, organization_only=True))]
