"""A frozen copy of how a message preview with a built-in template was written before
the one-pass rendering (commit b74e7e1): facts, variables, three renders, renditions and
the document. The differential tests hold today's code to these bytes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from cmarkgfm import markdown_to_html
from cmarkgfm.cmark import Options
from jinja2 import Environment, StrictUndefined, Template
from pydantic_core import to_json

from app.core.errors import FieldProblem, ValidationFailed
from app.messages.builtin import builtin_source
from app.messages.compose import _require
from app.messages.facts import (
    Facts,
    Person,
    call_questions,
    counted,
    greeting,
    long_date,
    long_moment,
    ordered_questions,
    phrases,
)
from app.messages.kinds import (
    CALL_MINUTES,
    EMAILS,
    LINKEDIN_LIMIT,
    MessageKind,
    Tone,
)
from app.messages.pronouns import forms
from app.messages.render import (
    _BLANK_LINES,
    _SPACE_BEFORE,
    _SPACE_BEFORE_PUNCTUATION,
    _SPACES,
    _TEMPLATE_FAULTS,
    _TRAILING_SPACE,
    RenderError,
    line_of,
)
from app.messages.sandbox import MARKDOWN, PLAIN, MessageSandbox
from app.messages.schemas import CallQuestion, InlineFacts, Rendition, TemplateRef


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


def _person(person: Person, fallback: str) -> dict[str, Any]:
    words = forms(person.pronouns, person.name, fallback)
    return {
        "name": person.name,
        "email": person.email,
        "title": person.title,
        "phone": person.phone,
        "pronouns": person.pronouns,
        "they": words.they,
        "them": words.them,
        "their": words.their,
        "pronouns_known": words.known,
        "address_as": person.address_as,
        "signature": person.sign_as or person.name,
    }


def context(facts: Facts, kind: MessageKind, tone: Tone, locale: str) -> dict[str, Any]:
    days = (facts.today - facts.requested_on).days if facts.requested_on else None
    words = phrases(locale)
    return {
        "kind": kind.value,
        "tone": tone.value,
        "locale": locale,
        "candidate": _person(facts.candidate, words["the_candidate"]),
        "interviewer": _person(facts.interviewer, words["your_interviewer"]),
        "greeting": greeting(facts.interviewer, tone, locale),
        "company": facts.company,
        "role": facts.role,
        "interview_date": long_date(facts.interview_date, locale) if facts.interview_date else None,
        "request": {
            "sent_on": long_date(facts.requested_on, locale) if facts.requested_on else None,
            "days": days,
            "elapsed": counted(words["count_days_ago"], days, locale) if days else None,
        },
        "call": {
            "minutes": CALL_MINUTES,
            "length": counted(words["count_minutes"], CALL_MINUTES, locale),
            "when": long_moment(facts.call_at, facts.time_zone, locale) if facts.call_at else None,
        },
        "learned": facts.learned,
        "news": facts.news,
        "diagnosis": {
            "leading": facts.leading_category,
            "uncertain": list(facts.uncertain_categories),
        },
        "questions": ordered_questions(facts, locale) if kind is MessageKind.CALL_SCRIPT else [],
        "closing_notes": call_questions(locale)["closing_notes"],
    }


def _trusted(sandboxed: MessageSandbox) -> Environment:
    env = Environment(
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=sandboxed.finalize,
        auto_reload=False,
    )
    env.globals.clear()
    env.filters = dict(sandboxed.filters)
    env.tests = dict(sandboxed.tests)
    return env


_PLAIN = _trusted(PLAIN)
_MARKDOWN = _trusted(MARKDOWN)
_COMPILED: dict[tuple[MessageKind, Tone, str], tuple[Template, Template, Template]] = {}


def _templates(kind: MessageKind, tone: Tone, locale: str) -> tuple[Template, Template, Template]:
    key = (kind, tone, locale)
    if key not in _COMPILED:
        source = builtin_source(kind, tone, locale)
        _COMPILED[key] = (
            _PLAIN.from_string(source.subject),
            _PLAIN.from_string(source.body),
            _MARKDOWN.from_string(source.body),
        )
    return _COMPILED[key]


def _run(template: Template, part: str, variables: dict[str, Any]) -> str:
    env = template.environment
    try:
        try:
            context = env.context_class(env, variables, template.name, template.blocks)
            return "".join(template.root_render_func(context))
        except Exception:
            template.environment.handle_exception()
    except _TEMPLATE_FAULTS as exc:
        raise RenderError(str(exc) or type(exc).__name__, part, line_of(exc)) from None


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    markdown: str
    html: str


def tidy(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if "\t" in text or _SPACE_BEFORE.search(text):
        if " \n" in text or "\t\n" in text:
            text = _TRAILING_SPACE.sub("", text)
        if "  " in text or "\t" in text:
            text = _SPACES.sub(" ", text)
        if any(f" {mark}" in text for mark in ",.;:!?") or "\t" in text:
            text = _SPACE_BEFORE_PUNCTUATION.sub("", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip() + "\n"


def finish(subject: str, text: str, markdown: str) -> Rendered:
    markdown = tidy(markdown)
    return Rendered(
        subject=" ".join(subject.split()),
        text=tidy(text),
        markdown=markdown,
        html=markdown_to_html(markdown, options=Options.CMARK_OPT_HARDBREAKS),
    )


def render_builtin(
    kind: MessageKind, tone: Tone, locale: str, variables: dict[str, Any]
) -> Rendered:
    subject, text, markdown = _templates(kind, tone, locale)
    return finish(
        _run(subject, "subject", variables),
        _run(text, "body", variables),
        _run(markdown, "body", variables),
    )


def header_safe(value: str) -> str:
    if value.isprintable():
        return " ".join(value.split())
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())


def _quote(text: str, safe: str) -> str:
    """What `formats._quote` writes: `urllib.parse.quote`, byte by byte in Python."""
    return quote(text, safe=safe)


def mailto(to: str | None, subject: str, body: str) -> str:
    address = _quote(to, "@") if to else ""
    crlf = "\r\n".join(body.splitlines())
    return f"mailto:{address}?subject={_quote(header_safe(subject), '')}&body={_quote(crlf, '')}"


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


def compose_builtin(
    facts: Facts, kind: MessageKind, tone: Tone, locale: str, pointer_of: Callable[[str], str]
) -> Rendition:
    """`compose.compose_builtin` for a locale Debrief speaks (`builtin_locale` applied)."""
    _require(facts, kind, pointer_of)
    variables: dict[str, Any] = context(facts, kind, tone, locale)
    rendered = render_builtin(kind, tone, locale, variables)
    return _rendition(facts, kind, variables, rendered, "/body/template")


def preview_document(
    rendition: Rendition, kind: MessageKind, tone: Tone, locale: str, template: TemplateRef
) -> bytes:
    return to_json(
        {
            "subject": rendition.subject,
            "text": rendition.text,
            "markdown": rendition.markdown,
            "html": rendition.html,
            "mailto_url": rendition.mailto_url,
            "questions": rendition.questions,
            "characters": rendition.characters,
            "kind": kind.value,
            "tone": tone.value,
            "locale": locale,
            "template": template,
        }
    )
