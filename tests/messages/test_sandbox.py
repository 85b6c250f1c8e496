"""Nothing a template says can reach Python internals, the file system, or hang the service."""

from __future__ import annotations

import pytest

from app.messages.facts import Facts, Person, context
from app.messages.kinds import MessageKind, Tone
from app.messages.render import RenderError, Source, render
from app.messages.template_checks import check

FACTS = Facts(candidate=Person(name="Alex"), interviewer=Person(name="Dana"), company="Acme")
VARIABLES = context(FACTS, MessageKind.FEEDBACK_REQUEST_EMAIL, Tone.WARM, "en")

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ company.__class__ }}",
    "{{ interviewer['__class__'] }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ namespace }}",
    "{{ range(10) }}",
    "{% include '/etc/passwd' %}",
    "{% import 'x' as y %}",
    "{% extends '/etc/passwd' %}",
    "{% from 'x' import y %}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "{{ company|attr('__class__') }}",
    "{{ company|format('x') }}",
    "{{ company|center(100000000) }}",
    "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
]
# Harmless on this data, but refused on save: calls, and loops that could multiply.
SAVE_ONLY = [
    "{{ interviewer.name.upper() }}",
    "{% for q in questions recursive %}{{ loop(questions) }}{% endfor %}",
    "{% for a in company %}{% for b in company %}{% for c in company %}x{% endfor %}"
    "{% endfor %}{% endfor %}",
]


@pytest.mark.parametrize("body", ESCAPES + SAVE_ONLY)
def test_escapes_are_refused_when_a_template_is_saved(body: str) -> None:
    problems = check("Subject", body)
    assert problems, body
    assert all(p.part == "body" and p.line == 1 for p in problems)


@pytest.mark.parametrize("body", ESCAPES)
def test_and_the_sandbox_refuses_them_again_when_rendering(body: str) -> None:
    with pytest.raises(RenderError):
        render(Source("s", body), VARIABLES)


@pytest.mark.parametrize(
    "body",
    [
        "{{ 'a' * 100000000 }}",
        "{{ [1] * 100000000 }}",
        "{{ 10 ** 100000 }}",
        "{{ 1 / 0 }}",
        "{{ company + 1 }}",
    ],
)
def test_values_that_would_be_huge_or_fail_are_render_errors(body: str) -> None:
    assert check("s", body) == []  # legal syntax and known names...
    with pytest.raises(RenderError) as raised:
        render(Source("s", "line one\n" + body), VARIABLES)
    assert raised.value.part == "body"
    assert raised.value.line == 2  # ...but it fails where it fails, on its line


def test_problems_give_the_line() -> None:
    problems = check(
        "Hello {{ interviewer.nmae }}",
        "Hi,\n\n{{ candidate.name }}\n{{ compnay }}\n{% if %}",
    )
    assert [(p.part, p.line) for p in problems] == [("subject", 1), ("body", 5)]
    assert "nmae" in problems[0].detail
    body = check("s", "Hi,\n\n{{ compnay }}\n{{ questions[0].asks }}")
    assert [(p.line, p.detail.split(";")[0]) for p in body] == [
        (3, "Unknown variable `compnay`"),
        (4, "Unknown field `asks`"),
    ]


def test_loop_variables_and_assignments_are_known() -> None:
    body = (
        "{% set who = interviewer.name %}{{ who }}\n"
        "{% for q in questions %}{{ loop.index }}. {{ q.ask }} {{ q.answer_keys|join(', ') }}"
        "{% endfor %}"
    )
    assert check("s", body) == []


def test_oversized_templates_are_refused() -> None:
    (problem,) = check("s", "x" * 20_001)
    assert "longer than" in problem.detail


def test_nesting_deeper_than_the_parser_can_go_is_a_problem_not_a_crash() -> None:
    problems = check("s", "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}")
    assert problems
