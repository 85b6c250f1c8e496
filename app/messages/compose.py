"""From facts and a template to a rendered message, or a problem saying what is missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.core.errors import FieldProblem, ValidationFailed
from app.messages.builtin import builtin_locale, builtin_source
from app.messages.facts import Facts, context
from app.messages.formats import mailto
from app.messages.kinds import EMAILS, LINKEDIN_LIMIT, MessageKind, Tone
from app.messages.render import RenderError, Source, render
from app.messages.schemas import CallQuestion, Rendition

FACT_NAMES = {
    "interviewer/name": "the interviewer's name",
    "company": "the company",
    "role": "the role",
    "learned": "one thing you learned on the call (facts.learned)",
    "requested_on": "when the feedback request was sent",
}


def missing_facts(
    facts: Facts, kind: MessageKind, pointer_of: Callable[[str], str]
) -> ValidationFailed | None:
    absent = facts.missing(kind)
    if not absent:
        return None
    names = ", ".join(FACT_NAMES.get(path, path) for path in absent)
    return ValidationFailed(
        f"A {kind.value} needs {names}.",
        errors=[
            FieldProblem(
                pointer=pointer_of(path), detail=f"required for a {kind.value}", code="missing"
            )
            for path in absent
        ],
    )


def compose(
    facts: Facts,
    kind: MessageKind,
    tone: Tone,
    locale: str,
    source: Source | None,
    pointer_of: Callable[[str], str],
    template_pointer: str | None = "/body/template",
) -> tuple[Rendition, str]:
    """Render `kind` from `facts` with `source` (default: the built-in template); also
    the locale written in. `template_pointer` None means the template came inline."""
    problem = missing_facts(facts, kind, pointer_of)
    if problem is not None:
        raise problem
    if source is None:
        locale = builtin_locale(locale)
        source = builtin_source(kind, tone, locale)
    variables: dict[str, Any] = context(facts, kind, tone, locale)
    try:
        rendered = render(source, variables)
    except RenderError as exc:
        where = f", line {exc.line}" if exc.line else ""
        raise ValidationFailed(
            f"The template failed in its {exc.part}{where}: {exc.detail}",
            errors=[
                FieldProblem(
                    pointer=template_pointer or f"/body/{exc.part}",
                    detail=exc.detail,
                    code="template",
                    line=exc.line,
                )
            ],
        ) from None
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
    return (
        Rendition(
            subject=rendered.subject,
            text=rendered.text,
            markdown=rendered.markdown,
            html=rendered.html,
            mailto_url=mailto(facts.interviewer.email, rendered.subject, rendered.text)
            if kind in EMAILS
            else None,
            questions=[CallQuestion.model_validate(q) for q in variables["questions"]],
            characters=len(rendered.text.strip()),
        ),
        locale,
    )
