"""The built-in templates, rendered without the sandbox (pure).

They ship with the code: a request names one by kind, tone and locale, and nothing in a
request, an organisation's settings or the database changes their text (an organisation's
template, or one given inline, is a `Source`, rendered by `render.render` in the sandbox,
in the render pool). So they need neither the sandbox's check on every attribute and
operation nor the budget that bounds what a template makes: their loops run over the
call's questions, their values are facts held to their schemas' lengths. They render with
the sandbox's options, finalizers and filters, so they write the same text
(tests/messages/test_builtin_render.py renders every one both ways), and each is compiled
once per kind, tone and locale. A body is rendered once for its plain text and its
Markdown where `one_pass` allows it (all of today's).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, StrictUndefined, Template

from app.messages.builtin import builtin_source
from app.messages.kinds import MessageKind, Tone
from app.messages.one_pass import keeping, render_both, renders_once
from app.messages.render import _TEMPLATE_FAULTS, Rendered, RenderError, finish, line_of
from app.messages.sandbox import MARKDOWN, PLAIN, MessageSandbox


def _trusted(sandboxed: MessageSandbox) -> Environment:
    env = Environment(
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701 (text and Markdown: values escaped by `finalize`)
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
_KEEPING = keeping(_PLAIN)


@cache
def _templates(kind: MessageKind, tone: Tone, locale: str) -> tuple[Template, Template, Template]:
    """Subject, plain body and Markdown body of one built-in template, compiled."""
    source = builtin_source(kind, tone, locale)
    return (
        _PLAIN.from_string(source.subject),
        _PLAIN.from_string(source.body),
        _MARKDOWN.from_string(source.body),
    )


@cache
def _body_once(kind: MessageKind, tone: Tone, locale: str) -> Template | None:
    """The body compiled to render once for both its texts, if it may (`one_pass`)."""
    body = builtin_source(kind, tone, locale).body
    return _KEEPING.from_string(body) if renders_once(_KEEPING, body) else None


def _run(template: Template, part: str, variables: dict[str, Any]) -> str:
    """`template.render(variables)`, with the context made straight from the variables:
    `Template.new_context` copies them into a dict of the globals (none here: the
    environments' are cleared) and reads the globals' names again. A template reads its
    context and never writes it (its own `set`s go to the context's `vars`)."""
    env = template.environment
    try:
        try:
            context = env.context_class(env, variables, template.name, template.blocks)
            return "".join(template.root_render_func(context))
        except Exception:
            template.environment.handle_exception()  # re-raised at the template's lines
    except _TEMPLATE_FAULTS as exc:  # a bug of ours, answered as the sandbox answers it
        raise RenderError(str(exc) or type(exc).__name__, part, line_of(exc)) from None


def render_builtin(
    kind: MessageKind, tone: Tone, locale: str, variables: dict[str, Any]
) -> Rendered:
    """What `render.render(builtin_source(kind, tone, locale), variables)` gives."""
    subject, text, markdown = _templates(kind, tone, locale)
    written_subject = _run(subject, "subject", variables)
    once = _body_once(kind, tone, locale)
    both = None if once is None else render_both(once, variables)
    if both is not None:
        return finish(written_subject, *both)
    return finish(written_subject, _run(text, "body", variables), _run(markdown, "body", variables))
