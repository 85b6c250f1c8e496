from __future__ import annotations

from typing import Annotated

from fastapi import Header, Query, Request, Response, status
from fastapi import Path as PathParam

from app.access.auth import AUTH_PROBLEMS, ReadAccess, WriteAccess
from app.core.database import SessionDep, SessionOnDemandDep, read_only
from app.core.errors import (
    Conflict,
    IdempotencyKeyReused,
    InvalidCursor,
    NotAcceptable,
    NotFound,
    TemplateTooCostly,
    TemplateTooSlow,
    problem_responses,
)
from app.core.id_params import id_path
from app.core.idempotency import Created, IdempotencyKey, run_idempotently
from app.core.ids import MESSAGE, SESSION
from app.core.pagination import LINK_HEADER_DOC, Page, PageParams, set_link_header
from app.core.routing import api_router
from app.i18n.headers import CONTENT_LANGUAGE_DOC, localised
from app.i18n.locales import languages_of
from app.i18n.problems import LocaleNotAvailable
from app.messages import renditions, service
from app.messages.preview_document import preview_document
from app.messages.renderer import RendererDep
from app.messages.schemas import (
    MarkSent,
    MessageCreate,
    MessagePreview,
    MessagePreviewRequest,
    MessageRead,
    SentRead,
)
from app.sessions import service as sessions

router = api_router(prefix="/v1", tags=["messages"], responses=AUTH_PROBLEMS)

SessionId = Annotated[str, id_path(SESSION, "session")]
MessageId = Annotated[str, id_path(MESSAGE, "message")]


@router.post(
    "/sessions/{session_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageRead,
    summary="Write a message from the session, its candidate and its latest diagnosis",
    description="A missing required fact (e.g. the interviewer's name for an email) is a 422 "
    "naming it; pointers starting `/session` point into the session. A `follow_up_nudge` "
    "needs a sent feedback request at least five days old, no reply, and no earlier nudge "
    "(409 otherwise).",
    responses={
        **localised(201),
        **problem_responses(
            NotFound,
            Conflict,
            IdempotencyKeyReused,
            TemplateTooCostly,
            TemplateTooSlow,
            LocaleNotAvailable,
        ),
    },
)
async def create_message(
    session_id: SessionId,
    data: MessageCreate,
    principal: WriteAccess,
    session: SessionDep,
    request: Request,
    renderer: RendererDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def create() -> Created:
        message = await service.generate(session, principal, session_id, data, renderer)
        return Created(
            status_code=status.HTTP_201_CREATED,
            body=service.read(message).model_dump_json(),
            resource_id=message.id,
            subject_id=message.candidate_id,
            headers={
                "Location": f"/v1/messages/{message.id}",
                "Content-Language": message.locale,
            },
        )

    return await run_idempotently(session, principal, idempotency_key, request, data, create)


@router.get(
    "/sessions/{session_id}/messages",
    summary="A session's messages, oldest first",
    responses={**localised(200, LINK_HEADER_DOC), **problem_responses(NotFound, InvalidCursor)},
)
async def list_messages(
    session_id: SessionId,
    principal: ReadAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
) -> Page[MessageRead]:
    result = await service.list_messages(session, principal, session_id, page)
    set_link_header(request, response, result.next_cursor)
    response.headers["Content-Language"] = languages_of(item.locale for item in result.items)
    return result


@router.get(
    "/messages/{message_id}",
    response_model=MessageRead,
    summary="One message: JSON, text, Markdown, HTML, an .eml draft or an .ics invite",
    description="Chosen by `Accept`, or by `format` (which wins, for links). `eml` is there "
    "for emails, `ics` when the call was scheduled as the message was written; `formats` in "
    "the JSON lists what a message has.",
    responses={
        200: {
            "content": renditions.RESPONSE_CONTENT,
            "headers": {"Vary": {"schema": {"type": "string"}}, **CONTENT_LANGUAGE_DOC},
        },
        **problem_responses(NotFound, NotAcceptable),
    },
)
async def get_message(
    message_id: MessageId,
    principal: ReadAccess,
    session: SessionDep,
    format: Annotated[
        str | None,
        Query(
            max_length=20,
            description="Overrides `Accept`: `json`, `text`, `markdown`, `html`, `eml` or "
            "`ics`; one the message is not available in is a 406 naming those it is.",
        ),
    ] = None,
    accept: Annotated[str | None, Header(max_length=1000, include_in_schema=False)] = None,
) -> Response:
    message = await service.get_message(session, principal, message_id)
    call = None
    if message.call_at is not None:
        row = await sessions.get_session(session, principal, message.session_id)
        call = renditions.call_invite(row)
    return renditions.respond(message, accept, format, call)


@router.get(
    "/messages/{message_id}/files/{file_format}",
    response_class=Response,
    summary="One message as a file: text, Markdown, HTML, an .eml draft or an .ics invite",
    description="The same renditions as `GET /v1/messages/{message_id}?format=…`, at an "
    "address that never answers JSON, so a generated client returns the bytes as they are.",
    responses={
        200: {
            "content": renditions.RESPONSE_CONTENT,
            "headers": {"Vary": {"schema": {"type": "string"}}, **CONTENT_LANGUAGE_DOC},
        },
        **problem_responses(NotFound, NotAcceptable),
    },
)
async def get_message_file(
    message_id: MessageId,
    file_format: Annotated[renditions.FileFormat, PathParam(description="The rendition wanted.")],
    principal: ReadAccess,
    session: SessionDep,
) -> Response:
    message = await service.get_message(session, principal, message_id)
    return renditions.respond(message, None, file_format.value)


@router.post(
    "/messages/{message_id}/sent",
    summary="Mark a message sent; a sent feedback request moves the session to feedback_requested",
    description="A sent thank-you moves it to `feedback_received`, where the workflow allows. "
    "Marking a sent message again changes nothing.",
    responses={**localised(), **problem_responses(NotFound, Conflict)},
)
async def mark_sent(
    message_id: MessageId,
    principal: WriteAccess,
    session: SessionDep,
    response: Response,
    data: MarkSent | None = None,
) -> SentRead:
    sent = await service.mark_sent(session, principal, message_id, data or MarkSent())
    response.headers["Content-Language"] = sent.message.locale
    return sent


@router.post(
    "/messages/preview",
    response_model=MessagePreview,
    summary="Write a message from facts given inline, storing nothing",
    responses={
        **localised(),
        **problem_responses(TemplateTooCostly, TemplateTooSlow, LocaleNotAvailable),
    },
)
@read_only
async def preview_message(
    data: MessagePreviewRequest,
    principal: ReadAccess,
    session: SessionOnDemandDep,
    renderer: RendererDep,
) -> Response:
    rendition, ref, locale = await service.preview(session, principal, data, renderer)
    # Written once, as the response model would write it (`response_model` documents it).
    document = preview_document(rendition, data.kind, data.tone, locale, ref)
    response = Response(document, media_type="application/json")
    response.headers["Content-Language"] = locale
    return response
