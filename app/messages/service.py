"""Messages written from a session: generate, store, list, fetch, mark sent, preview."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.candidates.models import Candidate
from app.core.cadence import cadence_of
from app.core.concurrency import flush_changes
from app.core.database import SessionOnDemand, opened
from app.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from app.core.ids import MESSAGE, TEMPLATE, utc_now
from app.core.lookup import find_owned, get_owned, visible
from app.core.pagination import Page, PageRequest, paginate
from app.core.security import Principal
from app.diagnosis.models import Diagnosis
from app.i18n.formatting import english_count
from app.messages import templates
from app.messages.compose import compose
from app.messages.facts import Facts, Person, focus_of
from app.messages.formats import mailto
from app.messages.kinds import EMAILS, KIND_NAMES, MessageKind, Tone
from app.messages.models import Message, MessageTemplate
from app.messages.render import Source
from app.messages.render_pool import RenderPool
from app.messages.schemas import (
    CallQuestion,
    InlineFacts,
    MarkSent,
    MessageCreate,
    MessageFormat,
    MessagePreview,
    MessagePreviewRequest,
    MessageRead,
    MessageStatus,
    Recipient,
    Rendition,
    SentRead,
    TemplatePreviewRequest,
    TemplateRef,
)
from app.platform import metrics
from app.sessions import service as sessions
from app.sessions.models import ReflectionSession
from app.sessions.schemas import SessionStatus

BUILTIN = TemplateRef(source="builtin", id=None, version=None)

# Where each fact of a stored session's message comes from, for a problem's pointer.
SESSION_POINTERS = {
    "interviewer/name": "/session/interviewer/name",
    "company": "/session/company",
    "role": "/session/role_title",
    "learned": "/body/facts/learned",
    "news": "/body/facts/news",
    "requested_on": "/session/feedback_requested_at",
}

# What marking a message sent does to its session, where the workflow allows it.
MOVES_SESSION_TO = {
    MessageKind.FEEDBACK_REQUEST_EMAIL: SessionStatus.FEEDBACK_REQUESTED,
    MessageKind.THANK_YOU_EMAIL: SessionStatus.FEEDBACK_RECEIVED,
}


async def _template(
    session: AsyncSession | SessionOnDemand,
    caller: Principal,
    template_id: str | None,
    kind: MessageKind,
) -> tuple[Source | None, TemplateRef, str | None]:
    """The organisation's template named in the request, or None for the built-in one;
    also the locale the template is written in (None for the built-in ones, which exist in
    every locale Debrief speaks)."""
    if template_id is None:
        return None, BUILTIN, None
    session = await opened(session)
    row = await find_owned(session, MessageTemplate, TEMPLATE, template_id, caller)
    pointer = "/body/template"
    if row is None:
        raise ValidationFailed(
            f"No template with id {template_id}.",
            errors=[FieldProblem(pointer=pointer, detail="unknown", code="unknown")],
        )
    if row.kind != kind.value:
        raise ValidationFailed(
            f"Template {template_id} writes a {KIND_NAMES[MessageKind(row.kind)]}, "
            f"not a {KIND_NAMES[kind]}.",
            errors=[
                FieldProblem(
                    pointer=pointer,
                    detail=f"is for a {KIND_NAMES[MessageKind(row.kind)]}",
                    code="kind",
                )
            ],
        )
    text = await templates.version_of(session, row)
    ref = TemplateRef(source="organization", id=row.id, version=row.version)
    return Source(subject=text.subject, body=text.body), ref, row.locale


async def _latest_verdict(
    session: AsyncSession, row: ReflectionSession
) -> dict[str, object] | None:
    verdict: dict[str, object] | None = await session.scalar(
        select(Diagnosis.verdict)
        .where(Diagnosis.session_id == row.id, Diagnosis.organization_id == row.organization_id)
        .order_by(Diagnosis.id.desc())
        .limit(1)
    )
    return verdict


async def _sent(session: AsyncSession, row: ReflectionSession, kind: MessageKind) -> Message | None:
    found: Message | None = await session.scalar(
        select(Message)
        .where(
            Message.session_id == row.id,
            Message.organization_id == row.organization_id,
            Message.kind == kind.value,
            Message.status == MessageStatus.SENT.value,
        )
        .order_by(Message.sent_at.desc())
        .limit(1)
    )
    return found


async def _requested_on(session: AsyncSession, row: ReflectionSession) -> date | None:
    request = await _sent(session, row, MessageKind.FEEDBACK_REQUEST_EMAIL)
    if request is not None and request.sent_at is not None:
        return request.sent_at.date()
    return row.feedback_requested_at.date() if row.feedback_requested_at else None


async def _check_nudge(
    session: AsyncSession, row: ReflectionSession, requested: date | None, today: date
) -> None:
    replied = (
        SessionStatus.CALL_SCHEDULED.value,
        SessionStatus.FEEDBACK_RECEIVED.value,
        SessionStatus.CLOSED.value,
    )
    if row.status in replied:
        raise Conflict(f"The session is {row.status}: the interviewer answered, so no nudge.")
    if await _sent(session, row, MessageKind.FOLLOW_UP_NUDGE) is not None:
        raise Conflict("A nudge was already sent for this request; one is polite, two are not.")
    if requested is None:
        raise Conflict("No feedback request has been sent yet: send one before a nudge.")
    days = (today - requested).days
    # The organisation's cadence decides, as it decides when the nudge falls due.
    wait = (await cadence_of(session, row.organization_id)).nudge_after_days
    if days < wait:
        raise Conflict(
            f"The request went out {english_count(days, 'day', 'days')} ago; give it "
            f"{english_count(wait, 'day', 'days')} before a nudge."
        )


async def session_facts(
    session: AsyncSession,
    row: ReflectionSession,
    data: MessageCreate,
    requested_on: date | None,
    today: date,
) -> tuple[Facts, Candidate]:
    candidate = await session.get(Candidate, row.candidate_id)
    if candidate is None:  # the foreign key makes this impossible; keep mypy honest
        raise NotFound(f"No candidate for session {row.id}.")
    verdict = await _latest_verdict(session, row)
    leading, unsure = focus_of(verdict) if verdict else (None, ())
    interviewer = row.interviewer
    facts = Facts(
        candidate=Person(
            name=candidate.display_name,
            email=candidate.email,
            pronouns=candidate.pronouns,
            sign_as=candidate.sign_as,
        ),
        interviewer=Person(
            name=interviewer.get("name"),
            email=interviewer.get("email"),
            pronouns=interviewer.get("pronouns"),
            title=interviewer.get("title"),
            phone=interviewer.get("phone"),
            address_as=interviewer.get("address_as"),
        ),
        company=row.company,
        role=row.role_title,
        interview_date=row.interview_date,
        requested_on=requested_on,
        call_at=row.call_scheduled_for if row.status == SessionStatus.CALL_SCHEDULED else None,
        time_zone=candidate.time_zone,
        learned=data.facts.learned,
        news=data.facts.news,
        leading_category=leading,
        uncertain_categories=unsure,
        today=today,
    )
    return facts, candidate


def inline_facts(data: InlineFacts, today: date) -> Facts:
    return Facts(
        candidate=Person(
            name=data.candidate.name,
            email=data.candidate.email,
            pronouns=data.candidate.pronouns,
            sign_as=data.candidate.sign_as,
        ),
        interviewer=Person(
            name=data.interviewer.name,
            email=data.interviewer.email,
            pronouns=data.interviewer.pronouns,
            title=data.interviewer.title,
            phone=data.interviewer.phone,
            address_as=data.interviewer.address_as,
        ),
        company=data.company,
        role=data.role,
        interview_date=data.interview_date,
        requested_on=data.requested_on,
        call_at=data.call_at,
        time_zone=data.time_zone,
        learned=data.learned,
        news=data.news,
        leading_category=data.leading_category,
        today=today,
    )


def _preview_pointer(path: str) -> str:
    return f"/body/facts/{path}"


async def generate(
    session: AsyncSession,
    caller: Principal,
    session_id: str,
    data: MessageCreate,
    renderer: RenderPool,
) -> Message:
    row = await sessions.get_session(session, caller, session_id)
    sessions.ensure_not_closed(row)
    now = utc_now()
    requested = await _requested_on(session, row)
    if data.kind is MessageKind.FOLLOW_UP_NUDGE:
        await _check_nudge(session, row, requested, now.date())
    facts, candidate = await session_facts(session, row, data, requested, now.date())
    source, ref, written_in = await _template(session, caller, data.template, data.kind)
    rendition, locale = await compose(
        facts,
        data.kind,
        data.tone,
        written_in or data.locale or row.locale or candidate.locale,
        source,
        lambda p: SESSION_POINTERS.get(p, p),
        renderer,
    )
    message = Message(
        id=MESSAGE.new(now),
        organization_id=caller.organization_id,
        session_id=row.id,
        candidate_id=row.candidate_id,
        kind=data.kind.value,
        tone=data.tone.value,
        locale=locale,
        template_id=ref.id,
        template_version=ref.version,
        subject=rendition.subject,
        text=rendition.text,
        markdown=rendition.markdown,
        html=rendition.html,
        parties={
            "to": {"name": facts.interviewer.name, "email": facts.interviewer.email},
            "from": {"name": facts.candidate.name, "email": facts.candidate.email},
        },
        call_at=facts.call_at,
        questions=[q.model_dump() for q in rendition.questions],
        status=MessageStatus.DRAFT.value,
        sent_at=None,
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    sessions.record(
        session, row, "message_written", {"message_id": message.id, "kind": data.kind.value}
    )
    await flush_changes(session, "message")
    metrics.MESSAGES.labels(data.kind.value).inc()
    return message


def available_formats(message: Message) -> list[MessageFormat]:
    formats = [MessageFormat.JSON, MessageFormat.TEXT, MessageFormat.MARKDOWN, MessageFormat.HTML]
    if MessageKind(message.kind) in EMAILS:
        formats.append(MessageFormat.EML)
    if message.call_at is not None:
        formats.append(MessageFormat.ICS)
    return formats


def read(message: Message) -> MessageRead:
    to = message.parties.get("to", {})
    kind = MessageKind(message.kind)
    return MessageRead(
        id=message.id,
        session_id=message.session_id,
        kind=kind,
        tone=Tone(message.tone),
        locale=message.locale,
        template=TemplateRef(
            source="organization" if message.template_id else "builtin",
            id=message.template_id,
            version=message.template_version,
        ),
        subject=message.subject,
        text=message.text,
        markdown=message.markdown,
        html=message.html,
        mailto_url=mailto(to.get("email"), message.subject, message.text)
        if kind in EMAILS
        else None,
        questions=[CallQuestion.model_validate(q) for q in message.questions],
        characters=len(message.text.strip()),
        to=Recipient(name=to.get("name"), email=to.get("email")),
        call_at=message.call_at,
        formats={
            f.value: f"/v1/messages/{message.id}?format={f.value}"
            for f in available_formats(message)
        },
        status=MessageStatus(message.status),
        sent_at=message.sent_at,
        created_at=message.created_at,
    )


async def get_message(session: AsyncSession, caller: Principal, message_id: str) -> Message:
    return await get_owned(session, Message, MESSAGE, message_id, caller, "message")


async def list_messages(
    session: AsyncSession, caller: Principal, session_id: str, page: PageRequest
) -> Page[MessageRead]:
    row = await sessions.get_session(session, caller, session_id)
    statement = select(Message).where(Message.session_id == row.id, *visible(Message, caller))
    return await paginate(session, statement, Message.id, page, f"messages:{row.id}", read)


async def mark_sent(
    session: AsyncSession, caller: Principal, message_id: str, data: MarkSent
) -> SentRead:
    """Idempotent: a message already sent stays as it was."""
    message = await get_message(session, caller, message_id)
    row = await sessions.get_session(session, caller, message.session_id)
    moved = False
    if message.status != MessageStatus.SENT.value:
        at: datetime = data.at or utc_now()
        message.status = MessageStatus.SENT.value
        message.sent_at = at
        message.updated_at = utc_now()
        sessions.record(
            session,
            row,
            "message_sent",
            {"message_id": message.id, "kind": message.kind, "at": at.isoformat()},
        )
        target = MOVES_SESSION_TO.get(MessageKind(message.kind))
        if target is not None:
            moved = sessions.advance(session, row, target, at)
        await flush_changes(session, "message")
    return SentRead(message=read(message), session_status=row.status, session_moved=moved)


async def preview(
    session: AsyncSession | SessionOnDemand,
    caller: Principal,
    data: MessagePreviewRequest,
    renderer: RenderPool,
) -> tuple[Rendition, TemplateRef, str]:
    """The message written from the request's facts, the template it was written with,
    and the locale written in."""
    source, ref, written_in = await _template(session, caller, data.template, data.kind)
    facts = inline_facts(data.facts, utc_now().date())
    rendition, locale = await compose(
        facts, data.kind, data.tone, written_in or data.locale, source, _preview_pointer, renderer
    )
    return rendition, ref, locale


async def preview_template(data: TemplatePreviewRequest, renderer: RenderPool) -> MessagePreview:
    source = await templates.checked(data.subject, data.body, data.kind, renderer, data.locale)
    facts = inline_facts(data.facts, utc_now().date())
    rendition, locale = await compose(
        facts,
        data.kind,
        data.tone,
        data.locale,
        source,
        _preview_pointer,
        renderer,
        template_pointer=None,
    )
    return MessagePreview(
        **rendition.model_dump(),
        kind=data.kind,
        tone=data.tone,
        locale=locale,
        template=TemplateRef(source="inline", id=None, version=None),
    )
