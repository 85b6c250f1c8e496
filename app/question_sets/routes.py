from __future__ import annotations

from typing import Annotated

from fastapi import Body, Header, Path, Query, Request, Response, status

from app.access.auth import AUTH_PROBLEMS, OrgWriteAccess, ReadAccess
from app.core.database import SessionDep, read_only
from app.core.errors import (
    Conflict,
    IdempotencyKeyReused,
    InvalidCursor,
    NotFound,
    PreconditionFailed,
    problem_responses,
)
from app.core.etags import ETAG_HEADER_DOC, IfMatch, IfNoneMatch, is_not_modified
from app.core.id_params import key_path
from app.core.idempotency import Created, IdempotencyKey, run_idempotently
from app.core.merge_patch import MERGE_PATCH_MEDIA_TYPE
from app.core.pagination import LINK_HEADER_DOC, Page, PageParams, set_link_header
from app.core.routing import api_router
from app.i18n.headers import localised
from app.i18n.locales import LocaleUnavailable, languages_of
from app.i18n.problems import LocaleNotAvailable
from app.question_sets import service
from app.question_sets.answers import check_answers
from app.question_sets.definition import Purpose
from app.question_sets.locales import available_locales, choose_locale
from app.question_sets.schemas import (
    SET_KEY_PATTERN,
    AnswerCheckResult,
    AnswersCheck,
    QuestionSetCreate,
    QuestionSetRead,
    QuestionSetStatus,
    QuestionSetSummary,
    QuestionSetUpdate,
)
from app.question_sets.views import SetVersionView

router = api_router(prefix="/v1/question-sets", tags=["question-sets"], responses=AUTH_PROBLEMS)

SetKeyPath = Annotated[str, key_path("question set")]
VersionPath = Annotated[int, Path(ge=1, le=1_000_000)]
LocaleQuery = Annotated[
    str | None,
    Query(
        max_length=35,
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        description="Texts in this locale; overrides Accept-Language.",
    ),
]
AcceptLanguage = Annotated[str | None, Header(alias="Accept-Language", max_length=500)]
READ_HEADERS = {
    **ETAG_HEADER_DOC,
    "Content-Language": {"description": "The locale of the texts.", "schema": {"type": "string"}},
}


def _respond(
    view: SetVersionView,
    response: Response,
    locale: str | None,
    accept_language: str | None,
) -> QuestionSetRead:
    try:
        chosen = choose_locale(
            available_locales(view.content), view.content.default_locale, locale, accept_language
        )
    except LocaleUnavailable as exc:
        raise LocaleNotAvailable.of(exc, "/query/locale") from None
    response.headers["ETag"] = view.etag(chosen)
    response.headers["Content-Language"] = chosen
    response.headers["Vary"] = "Accept-Language"
    return view.read(chosen)


@router.get(
    "",
    summary="List question sets: the built-ins and your own",
    description="Titles are in each set's default locale.",
    responses={**localised(200, LINK_HEADER_DOC), **problem_responses(InvalidCursor)},
)
async def list_question_sets(
    principal: ReadAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
    purpose: Purpose | None = None,
    status: QuestionSetStatus | None = None,
    key: Annotated[str | None, Query(max_length=64, pattern=SET_KEY_PATTERN)] = None,
) -> Page[QuestionSetSummary]:
    result = await service.list_sets(
        session, principal, page, purpose=purpose, status=status, key=key
    )
    set_link_header(request, response, result.next_cursor)
    response.headers["Content-Language"] = languages_of(i.default_locale for i in result.items)
    return result


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=QuestionSetRead,
    summary="Create a draft of your own question set",
    responses={201: {"headers": READ_HEADERS}, **problem_responses(Conflict, IdempotencyKeyReused)},
)
async def create_question_set(
    data: QuestionSetCreate,
    principal: OrgWriteAccess,
    session: SessionDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def create() -> Created:
        view = await service.create_draft(session, principal, data)
        locale = view.content.default_locale
        return Created(
            status_code=status.HTTP_201_CREATED,
            body=view.read(locale).model_dump_json(),
            resource_id=view.id,
            headers={
                "Location": f"/v1/question-sets/{view.key}/versions/{view.version}",
                "ETag": view.etag(locale),
                "Content-Language": locale,
            },
        )

    return await run_idempotently(session, principal, idempotency_key, request, data, create)


@router.get(
    "/{key}",
    summary="The latest published version of a set",
    responses={
        200: {"headers": READ_HEADERS},
        304: {"description": "Not modified."},
        **problem_responses(NotFound, LocaleNotAvailable),
    },
)
async def get_question_set(
    key: SetKeyPath,
    principal: ReadAccess,
    session: SessionDep,
    response: Response,
    locale: LocaleQuery = None,
    accept_language: AcceptLanguage = None,
    if_none_match: IfNoneMatch = None,
) -> QuestionSetRead:
    view = await service.get_latest(session, principal, key)
    body = _respond(view, response, locale, accept_language)
    if is_not_modified(if_none_match, response.headers["ETag"]):
        return Response(status_code=304, headers=dict(response.headers))  # type: ignore[return-value]
    return body


@router.get(
    "/{key}/versions",
    summary="Every version of a set",
    description="Titles are in each version's default locale.",
    responses={
        **localised(200, LINK_HEADER_DOC),
        **problem_responses(NotFound, InvalidCursor),
    },
)
async def list_question_set_versions(
    key: SetKeyPath,
    principal: ReadAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
) -> Page[QuestionSetSummary]:
    result = await service.list_versions(session, principal, key, page)
    set_link_header(request, response, result.next_cursor)
    response.headers["Content-Language"] = languages_of(i.default_locale for i in result.items)
    return result


@router.get(
    "/{key}/versions/{version}",
    summary="One version of a set",
    responses={
        200: {"headers": READ_HEADERS},
        304: {"description": "Not modified."},
        **problem_responses(NotFound, LocaleNotAvailable),
    },
)
async def get_question_set_version(
    key: SetKeyPath,
    version: VersionPath,
    principal: ReadAccess,
    session: SessionDep,
    response: Response,
    locale: LocaleQuery = None,
    accept_language: AcceptLanguage = None,
    if_none_match: IfNoneMatch = None,
) -> QuestionSetRead:
    view = await service.get_version(session, principal, key, version)
    body = _respond(view, response, locale, accept_language)
    if is_not_modified(if_none_match, response.headers["ETag"]):
        return Response(status_code=304, headers=dict(response.headers))  # type: ignore[return-value]
    return body


@router.patch(
    "/{key}/versions/{version}",
    summary="Change a draft (JSON Merge Patch)",
    description="Texts in the body are in the set's default locale; other locales go in "
    "`translations`. Published and built-in versions never change (409).",
    responses={
        200: {"headers": READ_HEADERS},
        **problem_responses(NotFound, Conflict, PreconditionFailed),
    },
)
async def update_question_set(
    key: SetKeyPath,
    version: VersionPath,
    patch: Annotated[QuestionSetUpdate, Body(media_type=MERGE_PATCH_MEDIA_TYPE)],
    principal: OrgWriteAccess,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> QuestionSetRead:
    view = await service.update_draft(session, principal, key, version, patch, if_match)
    return _respond(view, response, view.content.default_locale, None)


@router.delete(
    "/{key}/versions/{version}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a draft",
    responses=problem_responses(NotFound, Conflict, PreconditionFailed),
)
async def delete_question_set_draft(
    key: SetKeyPath,
    version: VersionPath,
    principal: OrgWriteAccess,
    session: SessionDep,
    if_match: IfMatch = None,
) -> None:
    await service.delete_draft(session, principal, key, version, if_match)


@router.post(
    "/{key}/versions/{version}/publish",
    summary="Publish a draft: it becomes immutable and the latest version",
    responses={
        200: {"headers": READ_HEADERS},
        **problem_responses(NotFound, Conflict, PreconditionFailed),
    },
)
async def publish_question_set(
    key: SetKeyPath,
    version: VersionPath,
    principal: OrgWriteAccess,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> QuestionSetRead:
    view = await service.publish(session, principal, key, version, if_match)
    return _respond(view, response, view.content.default_locale, None)


@router.post(
    "/{key}/versions/{version}/retire",
    summary="Retire a published version: no longer offered for new sessions",
    responses={
        200: {"headers": READ_HEADERS},
        **problem_responses(NotFound, Conflict, PreconditionFailed),
    },
)
async def retire_question_set(
    key: SetKeyPath,
    version: VersionPath,
    principal: OrgWriteAccess,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> QuestionSetRead:
    view = await service.retire(session, principal, key, version, if_match)
    return _respond(view, response, view.content.default_locale, None)


@router.post(
    "/{key}/versions/{version}/validate",
    summary="Check sample answers against a version; stores nothing",
    responses=problem_responses(NotFound),
)
@read_only
async def validate_answers(
    key: SetKeyPath,
    version: VersionPath,
    data: AnswersCheck,
    principal: ReadAccess,
    session: SessionDep,
) -> AnswerCheckResult:
    compiled = await service.compiled_version(session, principal, key, version)
    return AnswerCheckResult.of(check_answers(compiled, data.answers))
