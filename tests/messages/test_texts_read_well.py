"""Every built-in text a person reads, in every tone: no internal code, no gap, no guess."""

from __future__ import annotations

import dataclasses
import json
import re
from importlib import resources
from pathlib import Path

import pytest

from app.diagnosis.builtin import DEFAULT_RULE_SET
from app.diagnosis.builtin_locales import in_locale
from app.i18n.locales import BUILTIN_LOCALES
from app.messages.builtin import builtin_source
from app.messages.facts import Person, context, greeting
from app.messages.kinds import MessageKind, Tone
from app.messages.render import render
from app.messages.samples import SAMPLE
from app.question_sets.builtin import BUILTIN_SETS

SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
JINJA = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)
TEMPLATES = Path(resources.files("app.messages").joinpath("builtin_templates/en"))  # type: ignore[arg-type]
ALL_TEMPLATES = sorted(TEMPLATES.parent.glob("*/*.j2"))
CASES = [(kind, tone) for kind in MessageKind for tone in Tone]
FOCUS = [(None, ()), ("in_person", ("on_paper",)), ("on_paper", ("direction",)), ("direction", ())]


def _read_well(text: str, where: str) -> None:
    assert "not answered" not in text, where
    assert not SNAKE.findall(text), (where, SNAKE.findall(text))


def _strings(value: object, keys: tuple[str, ...]) -> list[str]:
    """Every string under one of `keys` (the words a person reads), anywhere in `value`."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and isinstance(item, str):
                found.append(item)
            else:
                found += _strings(item, keys)
    elif isinstance(value, list):
        for item in value:
            found += _strings(item, keys)
    return found


@pytest.mark.parametrize("path", ALL_TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_template_text_outside_its_code_reads_well(path: Path) -> None:
    _read_well(JINJA.sub("", path.read_text(encoding="utf-8")), path.name)


@pytest.mark.parametrize("locale", BUILTIN_LOCALES)
def test_call_questions_read_well(locale: str) -> None:
    path = TEMPLATES.parent / locale / "call_questions.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    readable = ("title", "ask", "follow_up", "closing_notes")
    for text in _strings(data, readable) + list(data["categories"].values()):
        _read_well(text, text)
    for question in data["questions"]:
        for text in question["probes"].values():
            _read_well(text, question["key"])


@pytest.mark.parametrize("key", sorted(BUILTIN_SETS))
def test_question_sets_read_well(key: str) -> None:
    readable = ("title", "description", "prompt", "help", "label", "min_label", "max_label")
    texts = _strings(BUILTIN_SETS[key].content.model_dump(mode="json"), readable)
    assert texts
    for text in texts:
        _read_well(text, text)


@pytest.mark.parametrize("locale", BUILTIN_LOCALES)
def test_rule_set_texts_read_well(locale: str) -> None:
    # Only the current version: earlier ones stay exactly as they were published.
    content = in_locale(DEFAULT_RULE_SET.compiled, locale)[0].content
    texts = [content.title, content.description or "", *(c.label for c in content.categories)]
    for rule in content.rules:
        texts.append(re.sub(r"\{[a-z_.]+(\}|,\s*plural,)", "", rule.because))
        texts += [step.text for step in rule.next_steps]
    for text in texts:
        _read_well(text, text)


@pytest.mark.parametrize("locale", BUILTIN_LOCALES)
@pytest.mark.parametrize(("kind", "tone"), CASES, ids=[f"{k}.{t}" for k, t in CASES])
@pytest.mark.parametrize(("leading", "unsure"), FOCUS)
def test_every_rendered_message_reads_well(
    kind: MessageKind, tone: Tone, leading: str | None, unsure: tuple[str, ...], locale: str
) -> None:
    facts = dataclasses.replace(SAMPLE, leading_category=leading, uncertain_categories=unsure)
    rendered = render(builtin_source(kind, tone, locale), context(facts, kind, tone, locale))
    _read_well(rendered.subject + "\n" + rendered.text, f"{kind}.{tone}")
    if kind is MessageKind.FEEDBACK_REQUEST_EMAIL:
        assert SAMPLE.role
        assert SAMPLE.role in rendered.subject


NAMES = [
    "Jordan Lee",
    "Dr. Maria José García-López",
    "Nguyễn Thị Minh Khai",
    "Suharto",
    "Prof. Dr. Hans-Jürgen Müller",
    "Oluwaseun Adebayo-Okafor",
    "Wang Fang",
    "Sir Ian Blackwood",
]


@pytest.mark.parametrize("name", NAMES)
def test_without_address_as_the_greeting_never_picks_part_of_a_name(name: str) -> None:
    person = Person(name=name)
    assert greeting(person, Tone.WARM) == "Hello,"
    assert greeting(person, Tone.CONCISE) == "Hello,"
    assert greeting(person, Tone.FORMAL) == f"Dear {name},"


@pytest.mark.parametrize("name", NAMES)
def test_address_as_is_used_as_given(name: str) -> None:
    person = Person(name=name, address_as="Dr. García-López")
    assert greeting(person, Tone.WARM) == "Hi Dr. García-López,"
    assert greeting(person, Tone.FORMAL) == "Dear Dr. García-López,"


def test_no_name_at_all_still_greets() -> None:
    assert greeting(Person(), Tone.FORMAL) == "Dear hiring manager,"
    assert greeting(Person(), Tone.WARM) == "Hello,"


@pytest.mark.parametrize("tone", list(Tone))
def test_sign_as_signs_the_message(tone: Tone) -> None:
    kind = MessageKind.FEEDBACK_REQUEST_EMAIL
    text = render(builtin_source(kind, tone, "en"), context(SAMPLE, kind, tone, "en")).text
    assert text.splitlines()[-2:] == ["Alex", "alex@example.com"]


def test_why_it_matters_is_only_said_of_questions_that_ask_it() -> None:
    for leading, unsure in FOCUS:
        facts = dataclasses.replace(SAMPLE, leading_category=leading, uncertain_categories=unsure)
        questions = context(facts, MessageKind.CALL_SCRIPT, Tone.WARM, "en")["questions"]
        people = next(q for q in questions if q["key"] == "people")
        assert people["focus_reason"] is None
        for question in questions:
            if question["focus_reason"]:
                assert set(question["categories"]) & {leading, *unsure}
        reasons = [q["focus_reason"] is not None for q in questions]
        assert reasons == sorted(reasons, reverse=True), "focused questions come first"
