"""The persona table against the default rule set, and what its explanations may say."""

from __future__ import annotations

import re

import pytest

from app.diagnosis.builtin import BUILTIN_VERSIONS, DEFAULT_RULE_SET
from app.diagnosis.variables import prepare_inputs
from app.question_sets.answers import visible_answers
from app.question_sets.builtin import BUILTIN_SETS
from app.rules.engine import Verdict, run_tests
from tests.diagnosis.personas import PERSONAS, Persona

SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
REFLECTION = BUILTIN_SETS["self-reflection"].compiled


def verdict_of(persona: Persona) -> Verdict:
    inputs = prepare_inputs(persona.inputs())
    _, shown = visible_answers(REFLECTION, inputs["answers"])
    askable = {f"answers.{key}" for key in shown} | {
        f"feedback.{q.question.key}"
        for q in BUILTIN_SETS["interviewer-feedback"].compiled.questions
    }
    return DEFAULT_RULE_SET.compiled.evaluate(inputs, askable)


def top_factor(verdict: Verdict) -> str | None:
    leading = {c.key: c for c in verdict.categories}.get(verdict.primary_category)
    if leading is None:
        return None
    return max(leading.factors, key=lambda name: leading.factors[name])


def test_the_table_has_a_dozen_cases_from_both_branches() -> None:
    assert len(PERSONAS) >= 12
    assert {p.answers.get("wanted_job") for p in PERSONAS} >= {True, False}


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.name)
def test_persona_gets_the_coachs_verdict(persona: Persona) -> None:
    verdict = verdict_of(persona)
    assert (verdict.primary_category, top_factor(verdict)) == (persona.verdict, persona.factor), (
        persona.why
    )


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.name)
def test_explanations_read_as_sentences(persona: Persona) -> None:
    verdict = verdict_of(persona)
    texts = [rule.because for rule in verdict.fired_rules] + [s.text for s in verdict.next_steps]
    for text in texts:
        assert "not answered" not in text, text
        assert not SNAKE.findall(text), text


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.name)
def test_missing_lists_only_questions_shown_given_the_answers(persona: Persona) -> None:
    verdict = verdict_of(persona)
    _, shown = visible_answers(REFLECTION, persona.answers)
    for name in verdict.missing:
        root, key = name.split(".")
        assert root == "feedback" or key in shown, name
        assert (persona.answers if root == "answers" else persona.feedback).get(key) is None


def test_a_yes_to_question_3_never_asks_question_5() -> None:
    verdict = verdict_of(PERSONAS[5])
    assert PERSONAS[5].answers["wanted_job"] is True
    assert not {"answers.better_fit_positions", "answers.what_you_want"} & set(verdict.missing)


def test_an_empty_list_is_an_answer_not_a_missing_one() -> None:
    persona = Persona(
        "met every credential",
        {"wanted_job": True, "wow_self_rating": 4, "missing_required_credentials": []},
        "inconclusive",
        None,
        "",
    )
    verdict = verdict_of(persona)
    assert "answers.missing_required_credentials" not in verdict.missing
    assert verdict.answered == 3


def test_negative_signals_quote_only_the_negative_ones() -> None:
    verdict = verdict_of(PERSONAS[8])
    (rule,) = [r for r in verdict.fired_rules if r.id == "negative_signals"]
    assert rule.because.startswith("At times your interviewer looked worried:")


def test_the_networking_figure_keeps_its_source() -> None:
    verdict = verdict_of(PERSONAS[1])
    (rule,) = [r for r in verdict.fired_rules if r.id == "no_advocate"]
    assert "85% of jobs are found through networking, as reported by LinkedIn" in rule.because


@pytest.mark.parametrize("key", sorted(BUILTIN_VERSIONS), ids=str)
def test_every_builtin_version_passes_its_embedded_tests(key: tuple[str, int]) -> None:
    results = run_tests(BUILTIN_VERSIONS[key].compiled, prepare=prepare_inputs)
    assert [r for r in results if not r.passed] == []


def test_the_latest_version_is_the_default_and_the_first_keeps_its_hash() -> None:
    assert DEFAULT_RULE_SET.version == max(v for _, v in BUILTIN_VERSIONS)
    first = BUILTIN_VERSIONS["default", 1].compiled
    assert first.hash == "sha256:89b6f7e34e591af00abdbf5d170e0019cc08eaa7d57c4ce4cf2295c8fd00d523"
