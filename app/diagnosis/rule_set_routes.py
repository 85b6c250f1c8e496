from __future__ import annotations

from typing import Annotated

from fastapi import Body, Path, Request, Response, status

from app.access.auth import AUTH_PROBLEMS, AdminAccess, OrgReadAccess, OrgWriteAccess
from app.core.database import SessionDep, read_only
from app.core.errors import (
    Conflict,
    IdempotencyKeyReused,
    InvalidCursor,
    NotFound,
    PreconditionFailed,
    problem_responses,
)
from app.core.etags import ETAG_HEADER_DOC, IfMatch, etag_for
from app.core.id_params import key_path
from app.core.idempotency import Created, IdempotencyKey, run_idempotently
from app.core.merge_patch import MERGE_PATCH_MEDIA_TYPE
from app.core.pagination import LINK_HEADER_DOC, Page, PageParams, set_link_header
from app.core.routing import api_router, max_body
from app.core.security import Principal
from app.diagnosis import rule_sets
from app.diagnosis.active_rule_sets import ActiveRuleSetsDep, forget_on_commit
from app.diagnosis.rule_set_limits import LIMIT_PROBLEMS, RuleSetWithinLimits
from app.diagnosis.rule_set_testing import test_rule_set
from app.diagnosis.schemas import (
    RuleSetCheck,
    RuleSetCreate,
    RuleSetRead,
    RuleSetSummary,
    RuleSetTestReport,
    RuleSetTestRequest,
    RuleSetUpdate,
)
from app.rules.limits import MAX_RULE_SET_REQUEST_BYTES

router = api_router(prefix="/v1/rule-sets", tags=["rule-sets"], responses=AUTH_PROBLEMS)

KeyPath = Annotated[str, key_path("rule set")]
VersionPath = Annotated[int, Path(ge=1, le=1_000_000)]
CHANGE_PROBLEMS = problem_responses(NotFound, Conflict, PreconditionFailed)


@router.get(
    "",
    summary="The built-in default and your own rule sets",
    responses={200: {"headers": LINK_HEADER_DOC}, **problem_responses(InvalidCursor)},
)
async def list_rule_sets(
    principal: OrgReadAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
) -> Page[RuleSetSummary]:
    result = await rule_sets.list_rule_sets(session, principal, page)
    set_link_header(request, response, result.next_cursor)
    return result


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RuleSetRead,
    summary="Create a draft rule set (or the next version of one of yours)",
    responses={
        201: {"headers": ETAG_HEADER_DOC},
        **problem_responses(Conflict, IdempotencyKeyReused),
        **LIMIT_PROBLEMS,
    },
)
@max_body(MAX_RULE_SET_REQUEST_BYTES)
async def create_rule_set(
    data: RuleSetCreate,
    principal: OrgWriteAccess,
    _within_limits: RuleSetWithinLimits,
    session: SessionDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def create() -> Created:
        row = await rule_sets.create_draft(session, principal, data)
        read, _ = await rule_sets.get_version(session, principal, row.key, row.version)
        return Created(
            status_code=status.HTTP_201_CREATED,
            body=read.model_dump_json(),
            resource_id=row.id,
            headers={
                "Location": f"/v1/rule-sets/{row.key}/versions/{row.version}",
                "ETag": etag_for(row.revision),
            },
        )

    return await run_idempotently(session, principal, idempotency_key, request, data, create)


async def _read(
    session: SessionDep, caller: Principal, key: str, version: int, response: Response
) -> RuleSetRead:
    read, row = await rule_sets.get_version(session, caller, key, version)
    response.headers["ETag"] = etag_for(row.revision if row is not None else 1)
    return read


@router.get(
    "/{key}/versions/{version}",
    summary="One version of a rule set",
    responses={200: {"headers": ETAG_HEADER_DOC}, **problem_responses(NotFound)},
)
async def get_rule_set(
    key: KeyPath,
    version: VersionPath,
    principal: OrgReadAccess,
    session: SessionDep,
    response: Response,
) -> RuleSetRead:
    return await _read(session, principal, key, version, response)


@router.patch(
    "/{key}/versions/{version}",
    summary="Change a draft (JSON Merge Patch)",
    responses={200: {"headers": ETAG_HEADER_DOC}, **CHANGE_PROBLEMS, **LIMIT_PROBLEMS},
)
@max_body(MAX_RULE_SET_REQUEST_BYTES)
async def update_rule_set(
    key: KeyPath,
    version: VersionPath,
    patch: Annotated[RuleSetUpdate, Body(media_type=MERGE_PATCH_MEDIA_TYPE)],
    principal: OrgWriteAccess,
    _within_limits: RuleSetWithinLimits,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> RuleSetRead:
    await rule_sets.update_draft(session, principal, key, version, patch, if_match)
    return await _read(session, principal, key, version, response)


@router.post(
    "/{key}/versions/{version}/validate",
    summary="Check a version: problems with JSON pointers into the rule set",
    responses=problem_responses(NotFound),
)
@read_only
async def validate_rule_set(
    key: KeyPath, version: VersionPath, principal: OrgReadAccess, session: SessionDep
) -> RuleSetCheck:
    read, _ = await rule_sets.get_version(session, principal, key, version)
    return rule_sets.check(read.content)


@router.post(
    "/{key}/versions/{version}/publish",
    summary="Publish a draft: valid, its tests passing, content-hashed and immutable",
    responses={200: {"headers": ETAG_HEADER_DOC}, **CHANGE_PROBLEMS},
)
async def publish_rule_set(
    key: KeyPath,
    version: VersionPath,
    principal: OrgWriteAccess,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> RuleSetRead:
    await rule_sets.publish(session, principal, key, version, if_match)
    return await _read(session, principal, key, version, response)


@router.post(
    "/{key}/versions/{version}/activate",
    summary="Make a published version your organisation's default",
    responses=problem_responses(NotFound, Conflict),
)
async def activate_rule_set(
    key: KeyPath,
    version: VersionPath,
    principal: AdminAccess,
    session: SessionDep,
    actives: ActiveRuleSetsDep,
    response: Response,
) -> RuleSetRead:
    await rule_sets.activate(session, principal, key, version)
    forget_on_commit(session, actives, principal.organization_id)
    return await _read(session, principal, key, version, response)


@router.post(
    "/{key}/versions/{version}/test",
    summary="Run the embedded tests and your samples; compare with the active version",
    description="Stores nothing. Each sample says whether its verdict would change "
    "from what your active rule set says today.",
    responses={**problem_responses(NotFound), **LIMIT_PROBLEMS},
)
@read_only
async def run_rule_set_tests(
    key: KeyPath,
    version: VersionPath,
    data: RuleSetTestRequest,
    principal: OrgReadAccess,
    session: SessionDep,
) -> RuleSetTestReport:
    return await test_rule_set(session, principal, key, version, data)
