"""The built-in templates render outside the sandbox (`builtin_render`): the same text as
in it, for every kind, tone and locale, over every fact given or left out and odd values;
and nothing in them that the sandbox would have had to refuse."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, date, datetime
from typing import Any

import pytest
from jinja2 import nodes

from app.i18n.locales import BUILTIN_LOCALES
from app.messages import compose
from app.messages.builtin import builtin_source
from app.messages.builtin_render import _templates, render_builtin
from app.messages.facts import Facts, Person, context
from app.messages.kinds import MessageKind, Tone
from app.messages.render import RenderError, Source, render
from app.messages.samples import SAMPLE
from app.messages.sandbox import PLAIN, MessageSandbox

CASES = list(itertools.product(MessageKind, Tone, BUILTIN_LOCALES))
IDS = [f"{locale}/{kind.value}.{tone.value}" for kind, tone, locale in CASES]

ODD = [
    "*Dana* _Lee_ `x` [a](b) <b>&amp;</b> | ~ \\",
    "# heading\n> quote\n- item\n1. one\n2) two\n+ plus\n= eq",
    "  spaced   out ,  . ; : ! ?  \t tab",
    "é “quoted” 😀 中文 \u00a0 \u2028",
    "{{ role }} {% if x %} {# c #}",
    "None",
    "x" * 200,
]


def _facts() -> list[Facts]:
    bare = Facts(candidate=Person(), interviewer=Person(), today=date(2026, 11, 26))
    variants = [SAMPLE, bare]
    for index, odd in enumerate(ODD):
        person = Person(
            name=odd, email=f"{index}@example.com", pronouns=odd, sign_as=odd, address_as=odd
        )
        variants.append(
            dataclasses.replace(
                SAMPLE,
                candidate=person,
                interviewer=dataclasses.replace(person, title=odd, phone=odd),
                company=odd,
                role=odd,
                learned=odd,
                news=odd,
                leading_category=["in_person", "on_paper", "direction", None][index % 4],
                uncertain_categories=(("direction", "in_person"), ())[index % 2],
                requested_on=[date(2026, 11, 25), date(2026, 10, 1), None][index % 3],
                call_at=[datetime(2026, 12, 3, 15, tzinfo=UTC), None][index % 2],
            )
        )
    return variants


FACTS = _facts()


def _sandboxed(kind: MessageKind, tone: Tone, locale: str, variables: dict[str, Any]) -> Any:
    try:
        return render(builtin_source(kind, tone, locale), variables)
    except RenderError as exc:
        return ("error", exc.detail, exc.part, exc.line, exc.costly)


def _trusted(kind: MessageKind, tone: Tone, locale: str, variables: dict[str, Any]) -> Any:
    try:
        return render_builtin(kind, tone, locale, variables)
    except RenderError as exc:
        return ("error", exc.detail, exc.part, exc.line, exc.costly)


@pytest.mark.parametrize(("kind", "tone", "locale"), CASES, ids=IDS)
def test_the_same_text_as_in_the_sandbox(kind: MessageKind, tone: Tone, locale: str) -> None:
    for facts in FACTS:
        variables = context(facts, kind, tone, locale)
        expected = _sandboxed(kind, tone, locale, variables)
        assert not isinstance(expected, tuple), expected
        assert _trusted(kind, tone, locale, variables) == expected
        assert context(facts, kind, tone, locale) == variables  # left as it was


def test_a_failing_built_in_fails_as_in_the_sandbox() -> None:
    """A variable missing (a bug of ours) is the same RenderError, at the same line."""
    failed = 0
    for kind, tone, locale in CASES:
        variables = context(SAMPLE, kind, tone, locale)
        for name in ("questions", "candidate", "company", "greeting", "call"):
            broken = {k: v for k, v in variables.items() if k != name}
            expected = _sandboxed(kind, tone, locale, broken)
            assert _trusted(kind, tone, locale, broken) == expected
            failed += isinstance(expected, tuple)
    assert failed > 100


def _unsandboxed_needs(tree: nodes.Template) -> list[str]:
    """What in a template only the sandbox would stop or bound: a call, an attribute the
    sandbox hides, arithmetic, `~`, a slice."""
    found: list[str] = [f"a call at line {n.lineno}" for n in tree.find_all(nodes.Call)]
    found += [
        f"{n.attr} at line {n.lineno}"
        for n in tree.find_all(nodes.Getattr)
        if n.attr.startswith("_") or n.attr in ("mro", "format", "format_map")
    ]
    found += [
        f"{type(n).__name__} at line {n.lineno}"
        for n in tree.find_all(
            (nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Pow)
        )
    ]
    found += [
        f"{type(n).__name__} at line {n.lineno}"
        for n in tree.find_all((nodes.Pos, nodes.Neg, nodes.Concat, nodes.Slice))
    ]
    found += [
        f"a {n.name} filter at line {n.lineno}"
        for n in tree.find_all(nodes.Filter)
        if n.name not in ("trim", "last", "lower", "upper", "length", "default", "d", "join")
    ]
    return found


def test_built_ins_have_no_globals() -> None:
    """So a context made straight from the variables is the one `new_context` makes."""
    for kind, tone, locale in CASES:
        for template in _templates(kind, tone, locale):
            assert dict(template.globals) == {}
            variables = context(SAMPLE, kind, tone, locale)
            assert dict(template.new_context(variables).get_all()) == variables


@pytest.mark.parametrize(("kind", "tone", "locale"), CASES, ids=IDS)
def test_built_ins_need_nothing_only_the_sandbox_allows(
    kind: MessageKind, tone: Tone, locale: str
) -> None:
    source = builtin_source(kind, tone, locale)
    for text in (source.subject, source.body):
        assert _unsandboxed_needs(PLAIN.parse(text)) == []


@pytest.mark.anyio
async def test_any_other_template_renders_in_the_sandbox_by_the_pool() -> None:
    """Only `compose_builtin` (a kind, a tone and a locale: no text) renders outside the
    sandbox; a template's text, an organisation's or inline, goes to the render pool."""
    seen: list[Source] = []

    class Pool:
        async def render(self, source: Source, variables: dict[str, Any]) -> Any:
            seen.append(source)
            return render(source, variables)

    source = builtin_source(MessageKind.FEEDBACK_REQUEST_EMAIL, Tone.WARM, "en")
    rendition, _ = await compose.compose(
        SAMPLE,
        MessageKind.FEEDBACK_REQUEST_EMAIL,
        Tone.WARM,
        "en",
        source,
        str,
        Pool(),  # type: ignore[arg-type]
    )
    assert seen == [source]
    assert isinstance(PLAIN, MessageSandbox)
    builtin, _ = compose.compose_builtin(
        SAMPLE, MessageKind.FEEDBACK_REQUEST_EMAIL, Tone.WARM, "en", str
    )
    assert builtin == rendition
