"""The diagnosis engine on its own: no database, no HTTP."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.diagnosis.builtin import DEFAULT_RULE_SET
from app.diagnosis.variables import KNOWN_FIELDS, prepare_inputs
from app.rules.definition import RuleSetContent
from app.rules.engine import (
    INCONCLUSIVE,
    MIXED,
    CompiledRuleSet,
    InvalidRuleSet,
    combine,
    combine_all,
    content_hash,
    run_tests,
)

ENGINE = DEFAULT_RULE_SET.compiled


def diagnose(
    answers: dict[str, Any],
    feedback: dict[str, Any] | None = None,
    session: dict[str, Any] | None = None,
    history: dict[str, Any] | None = None,
) -> Any:
    return ENGINE.evaluate(
        prepare_inputs(
            {
                "answers": answers,
                "feedback": feedback or {},
                "session": session or {"stage_reached": "first_interview", "company": "Acme"},
                "history": history or {},
            }
        )
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (0.5, 0.5, 0.75),
        (0.6, 0.0, 0.6),
        (-0.5, -0.5, -0.75),
        (0.6, -0.3, 0.3 / 0.7),
        (-0.6, 0.3, -0.3 / 0.7),
        (1.0, -1.0, 0.0),
    ],
)
def test_mycin_combination(a: float, b: float, expected: float) -> None:
    assert combine(a, b) == pytest.approx(expected)
    assert combine(b, a) == pytest.approx(expected)


def test_combining_many_is_order_independent_for_one_sign() -> None:
    assert combine_all([0.3, 0.5, 0.2]) == pytest.approx(combine_all([0.2, 0.3, 0.5]))
    assert combine_all([]) == 0.0


def test_the_default_sets_embedded_tests_pass() -> None:
    results = run_tests(ENGINE, prepare=prepare_inputs)
    assert len(results) >= 10
    assert [r.name for r in results if not r.passed] == []


BASE = {"wanted_job": True, "wow_self_rating": 3, "enthusiasm": 4}


@pytest.mark.parametrize(
    ("extra", "feedback", "category", "factor", "rule"),
    [
        ({"articulated_fit": False}, {}, "in_person", "impression", "fit_not_articulated"),
        (
            {"had_advocate": False, "referral": False},
            {},
            "in_person",
            "relationships",
            "no_advocate",
        ),
        (
            {"main_motivation": "leaving_current_job"},
            {},
            "in_person",
            "enthusiasm",
            "motivated_by_leaving",
        ),
        (
            {"missing_required_credentials": ["CPA"]},
            {},
            "on_paper",
            "credentials",
            "missing_required_credentials",
        ),
        (
            {},
            {"hired_edge": ["more_experience"]},
            "on_paper",
            "experience",
            "hired_more_experienced",
        ),
        (
            {},
            {"right_opportunities": False},
            "direction",
            "targeting",
            "interviewer_doubts_direction",
        ),
    ],
)
def test_each_factor_fires_on_its_own(
    extra: dict[str, Any], feedback: dict[str, Any], category: str, factor: str, rule: str
) -> None:
    verdict = diagnose({**BASE, **extra}, feedback)
    fired = {f.id: f for f in verdict.fired_rules}
    assert rule in fired
    scores = {c.key: c for c in verdict.categories}
    assert scores[category].factors[factor] > 0
    assert verdict.primary_category == category
    assert verdict.confidence == scores[category].score
    assert verdict.next_steps


def test_interviewer_weighs_more_than_self_assessment() -> None:
    own = diagnose({**BASE, "wow_self_rating": 2})
    theirs = diagnose(BASE, {"feedback_themes": ["preparation"]})
    own_score = {c.key: c.score for c in own.categories}["in_person"]
    their_score = {c.key: c.score for c in theirs.categories}["in_person"]
    assert their_score > own_score


def test_negative_evidence_lowers_a_category() -> None:
    without = diagnose({**BASE, "missing_preferred_credentials": ["x"]})
    final = diagnose(
        {**BASE, "missing_preferred_credentials": ["x"]},
        session={"stage_reached": "final_interview"},
    )
    score = lambda v: {c.key: c.score for c in v.categories}["on_paper"]  # noqa: E731
    assert score(final) < score(without)
    assert "reached_final_round" in {f.id for f in final.fired_rules}


def test_not_reaching_the_interview_points_to_paper() -> None:
    verdict = diagnose(BASE, session={"stage_reached": "application"})
    assert verdict.primary_category == "on_paper"


def test_mixed_and_inconclusive() -> None:
    mixed = diagnose(
        {**BASE, "articulated_fit": False, "missing_required_credentials": ["MBA"]},
        {"hired_edge": ["stronger_interview", "specific_credential"]},
    )
    assert mixed.primary_category == MIXED
    assert mixed.margin < 0.15
    thin = diagnose({"wow_self_rating": 1})
    assert thin.primary_category == INCONCLUSIVE
    assert "answers.wanted_job" in thin.missing
    nothing_fires = diagnose({"wanted_job": True, "enthusiasm": 3, "wow_self_rating": 3})
    assert nothing_fires.primary_category == INCONCLUSIVE


def test_a_pattern_from_history_strengthens_and_says_so() -> None:
    answers = {**BASE, "missing_preferred_credentials": ["Figma"]}
    alone = diagnose(answers)
    patterned = diagnose(answers, history={"on_paper": 3, "diagnoses": 4})
    score = lambda v: {c.key: c.score for c in v.categories}["on_paper"]  # noqa: E731
    assert score(patterned) > score(alone)
    pattern = next(f for f in patterned.fired_rules if f.id == "pattern_on_paper")
    assert "In 3 of your earlier diagnoses" in pattern.because
    assert patterned.history_pattern == ["on_paper"]


def test_explanations_quote_the_actual_answers() -> None:
    verdict = diagnose(
        {
            **BASE,
            "interviewer_signals": ["bored", "worried"],
            "missing_required_credentials": ["PMP", "Scrum Master"],
        }
    )
    because = {f.id: f.because for f in verdict.fired_rules}
    assert "bored and worried" in because["negative_signals"]
    assert "PMP and Scrum Master" in because["missing_required_credentials"]
    held = {f.id: f.held for f in verdict.fired_rules}
    assert held["negative_signals"] == [
        {"contains_any": [{"var": "answers.interviewer_signals"}, ["confused", "bored", "worried"]]}
    ]


def test_next_steps_are_unique_and_ordered() -> None:
    verdict = diagnose({**BASE, "articulated_fit": False, "interviewer_signals": ["bored"]})
    ids = [s.id for s in verdict.next_steps]
    assert len(ids) == len(set(ids))
    assert [s.priority for s in verdict.next_steps] == sorted(
        s.priority for s in verdict.next_steps
    )
    assert ids[0] == "rehearse_fit"


def _content(**changes: Any) -> dict[str, Any]:
    content = copy.deepcopy(ENGINE.content.model_dump(mode="json"))
    content.update(changes)
    return content


def _problems(content: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidRuleSet) as raised:
        CompiledRuleSet(RuleSetContent.model_validate(content), KNOWN_FIELDS)
    return [f"{p.pointer}: {p.message}" for p in raised.value.problems]


def test_hostile_rule_sets_are_refused_with_pointers() -> None:
    rule = ENGINE.content.rules[0].model_dump(mode="json")
    deep: Any = {"var": "answers.wanted_job"}
    for _ in range(20):
        deep = {"!": deep}
    # A limit exceeded stops the check there: nothing more is read of a hostile rule set.
    assert _problems(_content(rules=[{**rule, "id": "deep", "when": deep}, rule])) == [
        "/rules/0/when: a condition is nested at most 10 levels deep"
    ]
    cases = {
        "unknown_op": {**rule, "id": "op", "when": {"exec": ["rm -rf /"]}},
        "dunder": {**rule, "id": "dunder", "when": {"var": "__class__"}},
        "dunder_template": {**rule, "id": "tpl", "because": "{answers.__class__}"},
        "bad_category": {**rule, "id": "cat", "category": "vibes"},
    }
    messages = _problems(_content(rules=list(cases.values())))
    text = "\n".join(messages)
    assert "/rules/0/when/exec: unknown operator" in text
    assert "/rules/1/when/var: unknown field '__class__'" in text
    assert "/rules/2/because" in text
    assert "/rules/3/category: undeclared category 'vibes'" in text


def test_thousands_of_rules_are_refused_by_the_schema() -> None:
    rule = ENGINE.content.rules[0].model_dump(mode="json")
    with pytest.raises(ValueError, match="at most 300"):
        RuleSetContent.model_validate(
            _content(rules=[{**rule, "id": f"r{i}"} for i in range(5000)])
        )


def test_duplicate_ids_and_bad_tests() -> None:
    rule = ENGINE.content.rules[0].model_dump(mode="json")
    test = ENGINE.content.tests[0].model_dump(mode="json")
    messages = _problems(
        _content(
            rules=[rule, rule],
            tests=[{**test, "expect": {"primary_category": "happiness", "fired": ["ghost"]}}],
        )
    )
    assert "/rules/1/id: rule ids repeat" in messages
    assert "/tests/0/expect/primary_category: no such outcome" in messages
    assert "/tests/0/expect/fired: no rule 'ghost'" in messages


def test_content_hash_is_stable_and_sensitive() -> None:
    content = ENGINE.content
    assert content_hash(content) == content_hash(
        RuleSetContent.model_validate(content.model_dump(mode="json"))
    )
    changed = content.model_copy(update={"title": "Another title"})
    assert content_hash(changed) != content_hash(content)
    assert content_hash(content).startswith("sha256:")


def test_a_rule_set_over_the_byte_limit_is_refused() -> None:
    rule = ENGINE.content.rules[0].model_dump(mode="json")
    long = "x" * 1000
    rules = [{**rule, "id": f"r{i}", "because": long} for i in range(290)]
    assert _problems(_content(rules=rules))[0].startswith(": ")


def test_absurd_nesting_is_refused_before_anything_serialises_it() -> None:
    rule = ENGINE.content.rules[0].model_dump(mode="json")
    deep: Any = {"var": "answers.wanted_job"}
    for _ in range(50_000):
        deep = {"!": deep}
    with pytest.raises(ValueError, match="nested deeper than 32 levels"):
        RuleSetContent.model_validate(_content(rules=[{**rule, "when": deep}]))
