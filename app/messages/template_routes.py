from __future__ import annotations

from typing import Annotated

from fastapi import Body, Path, Query, Request, Response, status

from app.access.auth import AUTH_PROBLEMS, OrgReadAccess, OrgWriteAccess
from app.core.database import SessionDep, read_only
from app.core.errors import (
    Conflict,
    IdempotencyKeyReused,
    InvalidCursor,
    NotFound,
    PreconditionFailed,
    TemplateTooCostly,
    TemplateTooSlow,
    problem_responses,
)
from app.core.etags import ETAG_HEADER_DOC, IfMatch
from app.core.id_params import id_path
from app.core.idempotency import Created, IdempotencyKey, run_idempotently
from app.core.ids import TEMPLATE
from app.core.merge_patch import MERGE_PATCH_MEDIA_TYPE
from app.core.pagination import LINK_HEADER_DOC, Page, PageParams, set_link_header
from app.core.routing import api_router
from app.i18n.headers import localised
from app.messages import service, templates
from app.messages.kinds import MessageKind
from app.messages.renderer import RendererDep
from app.messages.schemas import (
    MessagePreview,
    TemplateCreate,
    TemplatePreviewRequest,
    TemplateRead,
    TemplateSummary,
    TemplateUpdate,
    TemplateVersionRead,
    VariableRead,
)
from app.messages.variables import VARIABLES

router = api_router(prefix="/v1/templates", tags=["templates"], responses=AUTH_PROBLEMS)

TemplateId = Annotated[str, id_path(TEMPLATE, "template")]
VersionPath = Annotated[int, Path(ge=1, le=1_000_000)]
CHANGE_PROBLEMS = problem_responses(NotFound, PreconditionFailed, Conflict)
# A template that breaks a limit on what it may make or do, or that renders too long.
TEMPLATE_PROBLEMS = (TemplateTooCostly, TemplateTooSlow)
LIMITS_DOC = (
    "A template is bounded as it renders: numbers of at most 18 digits, values and texts "
    "of at most 50,000 characters, 10,000 loop iterations and 100,000 steps of loop "
    "bodies in all, 1,000,000 characters built in all, %-formats padding at most 100; "
    "breaking one is a 422 `template-too-costly` naming the limit, the part and the line. "
    "A rendering that takes longer than the server allows is a 422 `template-too-slow`."
)


@router.get(
    "/variables",
    summary="The variables a template may use",
)
async def list_variables(principal: OrgReadAccess) -> list[VariableRead]:
    return VARIABLES


@router.post(
    "/preview",
    summary="Check and render a template that is not saved, from inline facts",
    description="Refuses exactly what saving refuses. " + LIMITS_DOC,
    responses={**localised(), **problem_responses(*TEMPLATE_PROBLEMS)},
)
@read_only
async def preview_template(
    data: TemplatePreviewRequest,
    principal: OrgReadAccess,
    renderer: RendererDep,
    response: Response,
) -> MessagePreview:
    preview = await service.preview_template(data, renderer)
    response.headers["Content-Language"] = preview.locale
    return preview


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TemplateRead,
    summary="Add a template of your own (checked: syntax, known variables, size)",
    description="Problems give the part (`/body/subject` or `/body/body`) and the `line`. "
    + LIMITS_DOC,
    responses={
        201: {"headers": ETAG_HEADER_DOC},
        **problem_responses(Conflict, IdempotencyKeyReused, *TEMPLATE_PROBLEMS),
    },
)
async def create_template(
    data: TemplateCreate,
    principal: OrgWriteAccess,
    session: SessionDep,
    request: Request,
    renderer: RendererDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def create() -> Created:
        row, text = await templates.create(session, principal, data, renderer)
        return Created(
            status_code=status.HTTP_201_CREATED,
            body=templates.read(row, text).model_dump_json(),
            resource_id=row.id,
            headers={"Location": f"/v1/templates/{row.id}", "ETag": templates.etag(row)},
        )

    return await run_idempotently(session, principal, idempotency_key, request, data, create)


@router.get(
    "",
    summary="Your templates",
    responses={200: {"headers": LINK_HEADER_DOC}, **problem_responses(InvalidCursor)},
)
async def list_templates(
    principal: OrgReadAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
    kind: Annotated[MessageKind | None, Query()] = None,
) -> Page[TemplateSummary]:
    result = await templates.list_templates(session, principal, page, kind.value if kind else None)
    set_link_header(request, response, result.next_cursor)
    return result


@router.get(
    "/{template_id}",
    summary="A template, at its current version",
    responses={200: {"headers": ETAG_HEADER_DOC}, **problem_responses(NotFound)},
)
async def get_template(
    template_id: TemplateId, principal: OrgReadAccess, session: SessionDep, response: Response
) -> TemplateRead:
    row = await templates.get(session, principal, template_id)
    response.headers["ETag"] = templates.etag(row)
    return templates.read(row, await templates.version_of(session, row))


@router.patch(
    "/{template_id}",
    summary="Change a template (JSON Merge Patch); a new subject or body is a new version",
    description="A new subject or body is checked as on creation. " + LIMITS_DOC,
    responses={
        200: {"headers": ETAG_HEADER_DOC},
        **problem_responses(NotFound, PreconditionFailed, Conflict, *TEMPLATE_PROBLEMS),
    },
)
async def update_template(
    template_id: TemplateId,
    patch: Annotated[TemplateUpdate, Body(media_type=MERGE_PATCH_MEDIA_TYPE)],
    principal: OrgWriteAccess,
    session: SessionDep,
    response: Response,
    renderer: RendererDep,
    if_match: IfMatch = None,
) -> TemplateRead:
    row, text = await templates.update(session, principal, template_id, patch, if_match, renderer)
    response.headers["ETag"] = templates.etag(row)
    return templates.read(row, text)


@router.delete(
    "/{template_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a template; messages written with it keep their text",
    responses=CHANGE_PROBLEMS,
)
async def delete_template(
    template_id: TemplateId,
    principal: OrgWriteAccess,
    session: SessionDep,
    if_match: IfMatch = None,
) -> Response:
    await templates.delete(session, principal, template_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{template_id}/versions",
    summary="A template's versions, newest first (the latest 100)",
    responses=problem_responses(NotFound),
)
async def list_template_versions(
    template_id: TemplateId, principal: OrgReadAccess, session: SessionDep
) -> list[TemplateVersionRead]:
    return await templates.list_versions(session, principal, template_id)


@router.get(
    "/{template_id}/versions/{version}",
    summary="One version of a template",
    responses=problem_responses(NotFound),
)
async def get_template_version(
    template_id: TemplateId, version: VersionPath, principal: OrgReadAccess, session: SessionDep
) -> TemplateVersionRead:
    row = await templates.get(session, principal, template_id)
    text = await templates.version_of(session, row, version)
    return TemplateVersionRead.model_validate(text, from_attributes=True)
