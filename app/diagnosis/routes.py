from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request, Response, status

from app.access.auth import AUTH_PROBLEMS, OrgReadAccess, ReadAccess, WriteAccess
from app.core.database import SessionDep, SessionOnDemandDep, read_only
from app.core.errors import IdempotencyKeyReused, InvalidCursor, NotFound, problem_responses
from app.core.id_params import id_path
from app.core.idempotency import Created, IdempotencyKey, run_idempotently
from app.core.ids import DIAGNOSIS, SESSION
from app.core.pagination import LINK_HEADER_DOC, Page, PageParams, set_link_header
from app.core.routing import api_router, max_body
from app.diagnosis import service
from app.diagnosis.active_rule_sets import ActiveRuleSetsDep
from app.diagnosis.rule_set_limits import LIMIT_PROBLEMS, InlineRuleSetWithinLimits
from app.diagnosis.schemas import DiagnosisCreate, DiagnosisRead, PreviewRequest, VerdictRead
from app.diagnosis.verdict_document import verdict_document
from app.i18n.headers import localised
from app.i18n.locales import BUILTIN_LOCALES, DEFAULT_LOCALE, languages_of, negotiate
from app.i18n.problems import LocaleNotAvailable
from app.rules.limits import MAX_RULE_SET_REQUEST_BYTES

router = api_router(prefix="/v1", tags=["diagnoses"], responses=AUTH_PROBLEMS)

SessionId = Annotated[str, id_path(SESSION, "session")]
DiagnosisId = Annotated[str, id_path(DIAGNOSIS, "diagnosis")]
AcceptLanguage = Annotated[str | None, Header(alias="Accept-Language", max_length=500)]


@router.post(
    "/diagnoses/preview",
    response_model=VerdictRead,
    summary="A verdict on the answers given, stored nowhere",
    description="Answers are checked against the built-in question sets. Without "
    "`rule_set`, your active rule set decides.",
    responses={**localised(200, vary=True), **LIMIT_PROBLEMS},
)
@max_body(MAX_RULE_SET_REQUEST_BYTES)
@read_only
async def preview_diagnosis(
    data: PreviewRequest,
    principal: OrgReadAccess,
    _within_limits: InlineRuleSetWithinLimits,
    session: SessionOnDemandDep,
    actives: ActiveRuleSetsDep,
    accept_language: AcceptLanguage = None,
) -> Response:
    locale = negotiate(BUILTIN_LOCALES, accept_language) if accept_language else DEFAULT_LOCALE
    verdict, ref, written_in = await service.preview(session, principal, data, actives, locale)
    # Written once, as the response model would write it (`response_model` documents it).
    response = Response(verdict_document(verdict, ref), media_type="application/json")
    response.headers["Content-Language"] = written_in
    response.headers["Vary"] = "Accept-Language"
    return response


@router.post(
    "/sessions/{session_id}/diagnoses",
    status_code=status.HTTP_201_CREATED,
    response_model=DiagnosisRead,
    summary="Diagnose a session with your active rule set (or the one named)",
    description="Written in the request's `locale`, else the session's, else the "
    "candidate's, else as `Accept-Language` asks.",
    responses={
        **localised(201, vary=True),
        **problem_responses(NotFound, IdempotencyKeyReused, LocaleNotAvailable),
    },
)
async def diagnose_session(
    session_id: SessionId,
    data: DiagnosisCreate,
    principal: WriteAccess,
    session: SessionDep,
    actives: ActiveRuleSetsDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
    accept_language: AcceptLanguage = None,
) -> Response:
    async def create() -> Created:
        diagnosis, created, locale = await service.diagnose_session(
            session, principal, session_id, data, actives, accept_language
        )
        return Created(
            status_code=status.HTTP_201_CREATED,
            body=service.read(diagnosis, created).model_dump_json(),
            resource_id=diagnosis.id,
            subject_id=diagnosis.candidate_id,
            headers={
                "Location": f"/v1/diagnoses/{diagnosis.id}",
                "Content-Language": locale,
                "Vary": "Accept-Language",
            },
        )

    return await run_idempotently(session, principal, idempotency_key, request, data, create)


@router.get(
    "/sessions/{session_id}/diagnoses",
    summary="A session's diagnoses, oldest first",
    responses={
        **localised(200, LINK_HEADER_DOC),
        **problem_responses(NotFound, InvalidCursor),
    },
)
async def list_diagnoses(
    session_id: SessionId,
    principal: ReadAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
) -> Page[DiagnosisRead]:
    result = await service.list_diagnoses(session, principal, session_id, page)
    set_link_header(request, response, result.next_cursor)
    response.headers["Content-Language"] = languages_of(item.locale for item in result.items)
    return result


@router.get(
    "/diagnoses/{diagnosis_id}",
    summary="One diagnosis",
    responses={**localised(), **problem_responses(NotFound)},
)
async def get_diagnosis(
    diagnosis_id: DiagnosisId, principal: ReadAccess, session: SessionDep, response: Response
) -> DiagnosisRead:
    diagnosis = service.read(await service.get_diagnosis(session, principal, diagnosis_id))
    response.headers["Content-Language"] = diagnosis.locale
    return diagnosis
