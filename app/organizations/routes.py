from __future__ import annotations

from typing import Annotated

from fastapi import Request, Response, status

from app.access.auth import AUTH_PROBLEMS, AdminAccess, CurrentPrincipal
from app.core.database import SessionDep
from app.core.errors import (
    Conflict,
    IdempotencyKeyReused,
    InvalidCursor,
    NotFound,
    problem_responses,
)
from app.core.id_params import id_path
from app.core.idempotency import Created, IdempotencyKey, run_idempotently
from app.core.ids import API_KEY
from app.core.pagination import LINK_HEADER_DOC, Page, PageParams, set_link_header
from app.core.routing import api_router
from app.organizations import service
from app.organizations.schemas import ApiKeyCreate, ApiKeyIssued, ApiKeyRead, Me, OrganizationRead

router = api_router(prefix="/v1", responses=AUTH_PROBLEMS)


@router.get("/me", summary="The calling organisation and key", tags=["organizations"])
async def get_me(principal: CurrentPrincipal, session: SessionDep) -> Me:
    organization = await service.get_organization(session, principal.organization_id)
    api_key = None
    if principal.api_key_id is not None:
        api_key = ApiKeyRead.of(await service.get_api_key(session, principal, principal.api_key_id))
    return Me(
        organization=OrganizationRead.of(organization),
        api_key=api_key,
        scopes=sorted(principal.scopes),
        role=principal.role,
        subject=principal.subject,
    )


@router.get(
    "/api-keys",
    summary="List the organisation's API keys",
    tags=["api-keys"],
    responses={200: {"headers": LINK_HEADER_DOC}, **problem_responses(InvalidCursor)},
)
async def list_api_keys(
    principal: AdminAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
) -> Page[ApiKeyRead]:
    result = await service.list_api_keys(session, principal, page)
    set_link_header(request, response, result.next_cursor)
    return result


@router.post(
    "/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyIssued,
    summary="Create an API key (its secret is shown once)",
    tags=["api-keys"],
    responses=problem_responses(IdempotencyKeyReused),
)
async def create_api_key(
    data: ApiKeyCreate,
    principal: AdminAccess,
    session: SessionDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def create() -> Created:
        issued = await service.issue_api_key(session, principal.organization_id, data)
        read = ApiKeyRead.of(issued.api_key)
        return Created(
            status_code=status.HTTP_201_CREATED,
            body=ApiKeyIssued(**read.model_dump(), api_key=issued.secret).model_dump_json(),
            replay_body=ApiKeyIssued(**read.model_dump(), api_key=None).model_dump_json(),
            resource_id=issued.api_key.id,
            headers={"Location": f"/v1/api-keys/{issued.api_key.id}"},
        )

    return await run_idempotently(session, principal, idempotency_key, request, data, create)


@router.delete(
    "/api-keys/{api_key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an API key",
    description="Revoke another key of your organisation. A key cannot revoke itself, so "
    "no caller locks itself out: rotate by creating the new key, then revoke the old one "
    "with it.",
    tags=["api-keys"],
    responses=problem_responses(NotFound, Conflict),
)
async def revoke_api_key(
    principal: AdminAccess,
    session: SessionDep,
    request: Request,
    api_key_id: Annotated[str, id_path(API_KEY, "API key")],
) -> None:
    await service.revoke_api_key(session, principal, api_key_id)
    # Other processes stop trusting it within DEBRIEF_AUTH_CACHE_SECONDS.
    request.app.state.key_cache.forget(api_key_id)


@router.get(
    "/api-keys/{api_key_id}",
    summary="Get an API key (never its secret)",
    tags=["api-keys"],
    responses=problem_responses(NotFound),
)
async def get_api_key(
    principal: AdminAccess,
    session: SessionDep,
    api_key_id: Annotated[str, id_path(API_KEY, "API key")],
) -> ApiKeyRead:
    return ApiKeyRead.of(await service.get_api_key(session, principal, api_key_id))
