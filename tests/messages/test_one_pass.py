"""A body rendered once (`one_pass`) writes exactly the plain text and the Markdown of the
two renderings it replaces, for every built-in and for templates using each construct it
allows; what it does not allow is rendered twice, as before."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from app.i18n.locales import BUILTIN_LOCALES
from app.messages import builtin_render
from app.messages.builtin_render import _body_once, _run, _templates, render_builtin
from app.messages.facts import context
from app.messages.kinds import MessageKind, Tone
from app.messages.one_pass import PLACEHOLDER, keeping, render_both, renders_once
from tests.messages.frozen_preview import _MARKDOWN, _PLAIN
from tests.messages.test_builtin_render import FACTS

CASES = list(itertools.product(MessageKind, Tone, BUILTIN_LOCALES))
KEEPING = keeping(_PLAIN)


def _twice(body: str, variables: dict[str, Any]) -> tuple[str, str]:
    return (
        _run(_PLAIN.from_string(body), "body", variables),
        _run(_MARKDOWN.from_string(body), "body", variables),
    )


def test_every_built_in_body_renders_once() -> None:
    for kind, tone, locale in CASES:
        assert _body_once(kind, tone, locale) is not None


@pytest.mark.parametrize(("kind", "tone", "locale"), CASES)
def test_a_built_in_writes_both_texts_as_the_two_renderings(
    kind: MessageKind, tone: Tone, locale: str
) -> None:
    once = _body_once(kind, tone, locale)
    assert once is not None
    _, text, markdown = _templates(kind, tone, locale)
    for facts in FACTS:
        variables = context(facts, kind, tone, locale)
        expected = (_run(text, "body", variables), _run(markdown, "body", variables))
        assert render_both(once, variables) == expected


VALUES: list[Any] = [
    None,
    "",
    0,
    -3,
    10**17,
    True,
    "*a* _b_ `c` <d> & [e](f) | ~ \\",
    "# h\n> q\n- i\n1. o\n2) t\n+ p",
    "é 😀 \u2028",
    PLACEHOLDER,
    f"x{PLACEHOLDER}y",
    "%s %%",
    Markup("<b>*x*</b>"),  # a string of another type
    Markup("plain"),
]

# Each construct `renders_once` allows, and constants written at compile time before.
ALLOWED = [
    "plain text only",
    "{{ a }}",
    "{{ a }}{{ b }}{{ a }}",
    "{{ 'constant *x*' }} {{ 3 }} {{ none }} {{ a if b else 'c' }}",
    "{% if a %}A {{ a }}{% elif b %}B{% else %}{{ b | trim }}{% endif %}",
    "{% for x in items %}{{ loop.index }}. {{ x }}\n{% else %}none{% endfor %}",
    "{% for x in items if x %}{{ x | last if x is string else x }}{% endfor %}",
    "{{ items[0] if items else a }} {{ (a == b) and not (a != b) or a }}",
    "{% if a is defined and b is none %}{{ a }}{% endif %}",
]


@settings(max_examples=300, deadline=None)
@given(
    body=st.sampled_from(ALLOWED),
    a=st.sampled_from(VALUES),
    b=st.sampled_from(VALUES),
    items=st.lists(st.sampled_from(VALUES), max_size=4),
)
def test_each_allowed_construct_writes_as_the_two_renderings(
    body: str, a: Any, b: Any, items: list[Any]
) -> None:
    assert renders_once(KEEPING, body)
    variables = {"a": a, "b": b, "items": items}
    assert render_both(KEEPING.from_string(body), variables) == _twice(body, variables)


@pytest.mark.parametrize(
    "body",
    [
        "{% macro m(x) %}{{ x }}{% endmacro %}{{ m(a) }}",
        "{% set x %}{{ a }}{% endset %}{{ x }}",
        "{% filter upper %}{{ a }}{% endfilter %}",
        "{% for x in items recursive %}{{ loop(x) }}{% endfor %}",
        "{% block b %}{{ a }}{% endblock %}",
        "{% include 'other' %}",
        "{% set x = a %}{{ x }}",
        "{{ a ~ b }}",
        "{{ a.upper() }}",
        f"{{{{ a }}}}{PLACEHOLDER}",
    ],
)
def test_what_it_does_not_know_is_rendered_twice(body: str) -> None:
    assert not renders_once(KEEPING, body)


def test_a_failing_rendering_is_left_to_the_two() -> None:
    """Nothing is answered that the two renderings would not answer: they fail, and say
    where, as before."""
    once = KEEPING.from_string("{{ a }} {{ missing }} {{ b.c.d }}")
    assert render_both(once, {"a": "x", "b": {}}) is None
    assert render_both(once, {"a": "x", "missing": 1, "b": {"c": None}}) is None
    assert render_both(once, {"a": "x", "missing": 1, "b": {"c": {"d": 2}}}) == (
        "x 1 2",
        "x 1 2",
    )


def test_the_built_in_renders_twice_where_once_will_not_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kind, tone, locale = MessageKind.CALL_SCRIPT, Tone.WARM, "de"
    variables = context(FACTS[2], kind, tone, locale)
    parts: list[str] = []

    def run(template: Any, part: str, variables: dict[str, Any]) -> str:
        parts.append(part)
        return _run(template, part, variables)

    monkeypatch.setattr(builtin_render, "_run", run)
    expected = render_builtin(kind, tone, locale, variables)
    assert parts == ["subject"]
    monkeypatch.setattr(builtin_render, "_body_once", lambda *_: None)
    assert render_builtin(kind, tone, locale, variables) == expected
    assert parts == ["subject", "subject", "body", "body"]
