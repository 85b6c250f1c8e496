"""Organisations' own message templates: checked on save, versioned on every change."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.concurrency import flush_changes
from app.core.errors import (
    Conflict,
    FieldProblem,
    NotFound,
    ProblemError,
    TemplateTooCostly,
    ValidationFailed,
)
from app.core.etags import check_if_match, etag_for
from app.core.ids import TEMPLATE, utc_now
from app.core.lookup import get_owned, visible
from app.core.pagination import Page, PageRequest, paginate
from app.core.security import Principal
from app.messages.compose import refuse_missing_texts, render_template
from app.messages.facts import context
from app.messages.kinds import MessageKind, Tone
from app.messages.models import MessageTemplate, MessageTemplateVersion
from app.messages.render import Source
from app.messages.render_pool import RenderPool
from app.messages.samples import SAMPLE
from app.messages.schemas import (
    TemplateCreate,
    TemplateRead,
    TemplateSummary,
    TemplateUpdate,
    TemplateVersionRead,
)
from app.messages.template_checks import TemplateProblem, check

MAX_LISTED_VERSIONS = 100


def problems_to_error(problems: list[TemplateProblem]) -> ProblemError:
    """A template-too-costly problem if any problem breaks a limit, a validation problem
    otherwise; `detail` names the first problem of that kind, `errors` lists them all."""
    costly = [p for p in problems if p.costly]
    first = (costly or problems)[0]
    where = f"{first.part}, line {first.line}" if first.line else first.part
    errors = [
        FieldProblem(
            pointer=f"/body/{p.part}",
            detail=p.detail,
            code="too_costly" if p.costly else "template",
            line=p.line,
        )
        for p in problems
    ]
    if costly:
        return TemplateTooCostly(
            f"The template is too costly ({where}): {first.detail}", errors=errors
        )
    return ValidationFailed(f"The template cannot be used ({where}): {first.detail}", errors=errors)


async def checked(
    subject: str, body: str, kind: MessageKind, renderer: RenderPool, locale: str = "en"
) -> Source:
    """The template, once it passes the checks and renders on the sample facts. Saving
    and previewing both go through here, so both refuse the same templates alike; one in
    a locale Debrief does not write in may not read the words Debrief writes."""
    problems = check(subject, body)
    if problems:
        raise problems_to_error(problems)
    source = Source(subject=subject, body=body)
    refuse_missing_texts(source, locale, None)
    await render_template(source, context(SAMPLE, kind, Tone.WARM, "en"), renderer, None)
    return source


def read(row: MessageTemplate, text: MessageTemplateVersion) -> TemplateRead:
    return TemplateRead(
        id=row.id,
        key=row.key,
        kind=row.kind,
        tone=row.tone,
        locale=row.locale,
        description=row.description,
        version=row.version,
        subject=text.subject,
        body=text.body,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def summary(row: MessageTemplate) -> TemplateSummary:
    return TemplateSummary.model_validate(row, from_attributes=True)


def etag(row: MessageTemplate) -> str:
    return etag_for(row.revision)


async def create(
    session: AsyncSession, caller: Principal, data: TemplateCreate, renderer: RenderPool
) -> tuple[MessageTemplate, MessageTemplateVersion]:
    await checked(data.subject, data.body, data.kind, renderer, data.locale)
    now = utc_now()
    row = MessageTemplate(
        id=TEMPLATE.new(now),
        organization_id=caller.organization_id,
        key=data.key,
        kind=data.kind.value,
        tone=data.tone.value,
        locale=data.locale,
        description=data.description,
        version=1,
        created_at=now,
        updated_at=now,
    )
    text = MessageTemplateVersion(
        template_id=row.id, version=1, subject=data.subject, body=data.body, created_at=now
    )
    session.add(row)
    await flush_changes(
        session,
        "template",
        on_duplicate=lambda: Conflict(f"You already have a template with key {data.key!r}."),
    )
    session.add(text)
    await flush_changes(session, "template")
    return row, text


async def get(session: AsyncSession, caller: Principal, template_id: str) -> MessageTemplate:
    return await get_owned(session, MessageTemplate, TEMPLATE, template_id, caller, "template")


async def version_of(
    session: AsyncSession, row: MessageTemplate, version: int | None = None
) -> MessageTemplateVersion:
    text = await session.get(MessageTemplateVersion, (row.id, version or row.version))
    if text is None:
        raise NotFound(f"Template {row.id} has no version {version}.")
    return text


async def update(
    session: AsyncSession,
    caller: Principal,
    template_id: str,
    patch: TemplateUpdate,
    if_match: str | None,
    renderer: RenderPool,
) -> tuple[MessageTemplate, MessageTemplateVersion]:
    row = await get(session, caller, template_id)
    check_if_match(if_match, etag(row))
    current = await version_of(session, row)
    changes = patch.model_dump(exclude_unset=True)
    subject = changes.get("subject", current.subject)
    body = changes.get("body", current.body)
    now = utc_now()
    text = current
    if (subject, body) != (current.subject, current.body):
        await checked(subject, body, MessageKind(row.kind), renderer, row.locale)
        row.version += 1
        text = MessageTemplateVersion(
            template_id=row.id, version=row.version, subject=subject, body=body, created_at=now
        )
        session.add(text)
    if "description" in changes:
        row.description = changes["description"]
    if session.is_modified(row) or text is not current:
        row.updated_at = now
        await flush_changes(session, "template", if_match)
    return row, text


async def delete(
    session: AsyncSession, caller: Principal, template_id: str, if_match: str | None
) -> None:
    """Messages written with it keep their text; only the template goes."""
    row = await get(session, caller, template_id)
    check_if_match(if_match, etag(row))
    await session.delete(row)
    await flush_changes(session, "template", if_match)


async def list_templates(
    session: AsyncSession, caller: Principal, page: PageRequest, kind: str | None
) -> Page[TemplateSummary]:
    statement = select(MessageTemplate).where(*visible(MessageTemplate, caller))
    if kind is not None:
        statement = statement.where(MessageTemplate.kind == kind)
    return await paginate(session, statement, MessageTemplate.id, page, "templates", summary)


async def list_versions(
    session: AsyncSession, caller: Principal, template_id: str
) -> list[TemplateVersionRead]:
    row = await get(session, caller, template_id)
    versions = await session.scalars(
        select(MessageTemplateVersion)
        .where(MessageTemplateVersion.template_id == row.id)
        .order_by(MessageTemplateVersion.version.desc())
        .limit(MAX_LISTED_VERSIONS)
    )
    return [TemplateVersionRead.model_validate(v, from_attributes=True) for v in versions]
