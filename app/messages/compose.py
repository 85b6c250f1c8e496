"""From facts and a template to a rendered message, or a problem saying what is missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel.lists import format_list

from app.core.errors import (
    FieldProblem,
    ProblemError,
    TemplateTooCostly,
    TemplateTooSlow,
    ValidationFailed,
)
from app.i18n.locales import BUILTIN_LOCALES
from app.i18n.problems import LocaleNotAvailable
from app.messages.builtin import LocaleUnavailable, builtin_locale
from app.messages.builtin_render import render_builtin
from app.messages.facts import Facts, context, dates_in, debrief_speaks
from app.messages.formats import mailto
from app.messages.kinds import EMAILS, KIND_NAMES, LINKEDIN_LIMIT, MessageKind, Tone
from app.messages.render import Rendered, RenderError, Source
from app.messages.render_pool import RenderPool, RenderTimedOut
from app.messages.schemas import CallQuestion, Rendition
from app.messages.template_checks import texts_missing

FACT_NAMES = {
    "interviewer/name": "the interviewer's name",
    "company": "the company",
    "role": "the role",
    "learned": "one thing you learned on the call",
    "requested_on": "when the feedback request was sent",
}


def missing_facts(
    facts: Facts, kind: MessageKind, pointer_of: Callable[[str], str]
) -> ValidationFailed | None:
    absent = facts.missing(kind)
    if not absent:
        return None
    names = format_list([FACT_NAMES.get(path, path) for path in absent], locale="en")
    return ValidationFailed(
        f"A {KIND_NAMES[kind]} needs {names}.",
        errors=[
            FieldProblem(
                pointer=pointer_of(path),
                detail=f"required for a {KIND_NAMES[kind]}",
                code="missing",
            )
            for path in absent
        ],
    )


def render_problem(exc: RenderError, pointer: str) -> ProblemError:
    """What a template that failed as it rendered is answered with."""
    where = f", line {exc.line}" if exc.line else ""
    if exc.costly:
        return TemplateTooCostly(
            f"The template is too costly in its {exc.part}{where}: {exc.detail}",
            errors=[
                FieldProblem(pointer=pointer, detail=exc.detail, code="too_costly", line=exc.line)
            ],
        )
    return ValidationFailed(
        f"The template failed in its {exc.part}{where}: {exc.detail}",
        errors=[FieldProblem(pointer=pointer, detail=exc.detail, code="template", line=exc.line)],
    )


def timeout_problem(exc: RenderTimedOut, pointer: str) -> TemplateTooSlow:
    return TemplateTooSlow(
        str(exc), errors=[FieldProblem(pointer=pointer, detail=str(exc), code="too_slow")]
    )


async def render_template(
    source: Source,
    variables: dict[str, Any],
    renderer: RenderPool,
    template_pointer: str | None,
) -> Rendered:
    """An organisation's or an inline template, rendered by the pool; a problem that
    points at `template_pointer` (None: at the inline part, `/body/subject` or
    `/body/body`) if it fails."""
    try:
        return await renderer.render(source, variables)
    except RenderError as exc:
        raise render_problem(exc, template_pointer or f"/body/{exc.part}") from None
    except RenderTimedOut as exc:
        raise timeout_problem(exc, template_pointer or "/body") from None


def refuse_missing_texts(source: Source, locale: str, template_pointer: str | None) -> None:
    """A template in a locale Debrief does not write in must write Debrief's words itself:
    a 422 naming each one it reads, never English words inside another language."""
    if debrief_speaks(locale):
        return
    problems = texts_missing(
        source.subject, source.body, locale, list(BUILTIN_LOCALES), dates_in(locale)
    )
    if problems:
        first = problems[0]
        raise ValidationFailed(
            f"The template reads words Debrief does not write in “{locale}”: {first.detail}",
            errors=[
                FieldProblem(
                    pointer=template_pointer or f"/body/{p.part}",
                    detail=p.detail,
                    code="texts_missing",
                    line=p.line,
                )
                for p in problems
            ],
        )


def compose_builtin(
    facts: Facts, kind: MessageKind, tone: Tone, locale: str, pointer_of: Callable[[str], str]
) -> tuple[Rendition, str]:
    """Render `kind` from `facts` with the built-in template, in-process (it ships with
    the code); also the locale written in."""
    _require(facts, kind, pointer_of)
    try:
        locale = builtin_locale(locale)
    except LocaleUnavailable as exc:
        raise LocaleNotAvailable.of(exc, "/body/locale") from None
    variables: dict[str, Any] = context(facts, kind, tone, locale)
    rendered = render_builtin(kind, tone, locale, variables)
    return _rendition(facts, kind, variables, rendered, "/body/template"), locale


async def compose(
    facts: Facts,
    kind: MessageKind,
    tone: Tone,
    locale: str,
    source: Source | None,
    pointer_of: Callable[[str], str],
    renderer: RenderPool,
    template_pointer: str | None = "/body/template",
) -> tuple[Rendition, str]:
    """Render `kind` from `facts` with `source` (default: the built-in template); also
    the locale written in. `template_pointer` None means the template came inline."""
    if source is None:
        return compose_builtin(facts, kind, tone, locale, pointer_of)
    refuse_missing_texts(source, locale, template_pointer)
    _require(facts, kind, pointer_of)
    variables: dict[str, Any] = context(facts, kind, tone, locale)
    rendered = await render_template(source, variables, renderer, template_pointer)
    return _rendition(facts, kind, variables, rendered, template_pointer), locale


def _require(facts: Facts, kind: MessageKind, pointer_of: Callable[[str], str]) -> None:
    problem = missing_facts(facts, kind, pointer_of)
    if problem is not None:
        raise problem


def _rendition(
    facts: Facts,
    kind: MessageKind,
    variables: dict[str, Any],
    rendered: Rendered,
    template_pointer: str | None,
) -> Rendition:
    if kind is MessageKind.LINKEDIN_MESSAGE and len(rendered.text.strip()) > LINKEDIN_LIMIT:
        raise ValidationFailed(
            f"The LinkedIn message is {len(rendered.text.strip())} characters; LinkedIn allows "
            f"{LINKEDIN_LIMIT}. Shorten the names or the template, or use the concise tone.",
            errors=[
                FieldProblem(
                    pointer=template_pointer or "/body/body", detail="too long", code="too_long"
                )
            ],
        )
    return Rendition(
        subject=rendered.subject,
        text=rendered.text,
        markdown=rendered.markdown,
        html=rendered.html,
        mailto_url=mailto(facts.interviewer.email, rendered.subject, rendered.text)
        if kind in EMAILS
        else None,
        questions=[CallQuestion.model_validate(q) for q in variables["questions"]],
        characters=len(rendered.text.strip()),
    )
