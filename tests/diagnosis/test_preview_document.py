"""The diagnosis preview writes its answer in one pass: the same bytes as the path it
replaced (answers checked, then checked again for what is shown; `VerdictRead.of(...)`
serialised by the response model), over the default rule set's own test inputs in every
locale, odd values, and answers with problems."""

from __future__ import annotations

import copy
import math
from typing import Any

import httpx
import pytest
from babel.numbers import format_decimal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.errors import FieldProblem, ValidationFailed
from app.diagnosis import service
from app.diagnosis.builtin import DEFAULT_RULE_SET
from app.diagnosis.builtin_locales import in_locale
from app.diagnosis.schemas import PreviewRequest, RuleSetRef, VerdictRead
from app.diagnosis.variables import KNOWN_FIELDS, VALUE_LABELS, prepare_inputs
from app.diagnosis.verdict_document import verdict_document
from app.i18n.formatting import english_count
from app.i18n.locales import BUILTIN_LOCALES
from app.question_sets.answers import check_answers
from app.question_sets.builtin import BUILTIN_SETS
from app.rules.definition import RuleSetContent
from app.rules.engine import CompiledRuleSet, Verdict
from app.rules.explain import Wording
from tests.rules.engines import Engines
from tests.rules.test_engine_as_frozen import CONTENTS, FIELDS, INPUTS, LABELS

REF = RuleSetRef(key="default", version=2, content_hash=DEFAULT_RULE_SET.compiled.hash)
TESTS = DEFAULT_RULE_SET.compiled.content.tests


def _previous_document(verdict: Verdict, ref: RuleSetRef) -> bytes:
    """What the route answered before: the model, written by its serialiser."""
    return VerdictRead.of(verdict, ref).model_dump_json().encode()


def _previous_check(data: PreviewRequest) -> tuple[dict[str, Any], dict[str, Any], set[str]]:
    """The answers checked, then what `_visible` makes of them, as the preview did before."""
    problems: list[FieldProblem] = []
    for name, answers, key in (
        ("answers", data.answers, "self-reflection"),
        ("feedback", data.feedback, "interviewer-feedback"),
    ):
        report = check_answers(BUILTIN_SETS[key].compiled, answers)
        problems += [
            FieldProblem(pointer=f"/body/{name}{p.pointer}", detail=p.message, code=p.code)
            for p in report.problems
        ]
    if problems:
        raise ValidationFailed(
            english_count(len(problems), "answer needs", "answers need") + " attention.",
            errors=problems,
        )
    return service._visible(
        BUILTIN_SETS["self-reflection"].compiled,
        data.answers,
        BUILTIN_SETS["interviewer-feedback"].compiled,
        data.feedback,
    )


@pytest.mark.parametrize("locale", BUILTIN_LOCALES)
@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_the_document_is_the_models_bytes(test: Any, locale: str) -> None:
    compiled, _ = in_locale(DEFAULT_RULE_SET.compiled, locale)
    inputs = prepare_inputs(test.inputs.model_dump())
    for askable in (None, set(), {"answers.enthusiasm", "answers.had_advocate"}):
        verdict = compiled.evaluate(inputs, askable)
        assert verdict_document(verdict, REF) == _previous_document(verdict, REF)


def test_odd_values_are_written_as_the_model_writes_them() -> None:
    """Whole numbers in float fields, NaN, infinities, nested values and tuples in `held`."""
    verdict = DEFAULT_RULE_SET.compiled.evaluate(prepare_inputs(TESTS[0].inputs.model_dump()))
    verdict.confidence = 1
    verdict.margin = 0
    verdict.categories[0].score = 1
    verdict.categories[0].factors = {"a": 0, "b": -0.0, "c": 1e-7, "d": 123456789.125}
    odd_held = [math.nan, math.inf, -math.inf, (1, "two"), {"k": [None, True]}, "é\u2028\n\"'"]
    for fired in verdict.fired_rules:
        fired.cf = 1
        fired.held = odd_held
    verdict.fired_rules[0].held = ("a", 2)  # type: ignore[assignment]
    assert verdict_document(verdict, REF) == _previous_document(verdict, REF)


def test_an_inline_rule_set_with_whole_number_weights() -> None:
    content = copy.deepcopy(DEFAULT_RULE_SET.compiled.content.model_dump(mode="json"))
    for rule in content["rules"]:
        rule["cf"] = 1 if rule["cf"] > 0 else -1
    compiled = CompiledRuleSet(RuleSetContent.model_validate(content), KNOWN_FIELDS, VALUE_LABELS)
    ref = RuleSetRef(key="inline", version=0, content_hash=compiled.hash)
    for test in TESTS:
        verdict = compiled.evaluate(prepare_inputs(test.inputs.model_dump()))
        assert verdict_document(verdict, ref) == _previous_document(verdict, ref)


def _is_valid(data: PreviewRequest) -> bool:
    try:
        _previous_check(data)
    except ValidationFailed:
        return False
    return True


VALID = [
    data
    for data in [
        *(PreviewRequest(answers=t.inputs.answers, feedback=t.inputs.feedback) for t in TESTS),
        PreviewRequest(),
        PreviewRequest(answers={"wanted_job": None, "wow_self_rating": 3}),
        PreviewRequest(answers={"wanted_job": False, "wow_self_rating": 4}),
        PreviewRequest(answers={"wanted_job": None}, feedback={"impression": None}),
        *(PreviewRequest(answers=t.inputs.answers) for t in TESTS),
        *(PreviewRequest(feedback=t.inputs.feedback) for t in TESTS),
    ]
    if _is_valid(data)
]
INVALID = [
    {"wow_self_rating": 9},
    {"no_such_question": True},
    {"wanted_job": True, "better_targets": "asked only when the job was not wanted"},
    {"interviewer_signals": ["bored", "bored"]},
    {"interviewer_signals": "bored", "enthusiasm": "high", "wanted_job": "yes"},
    {"skills_to_work_on": ["", "x" * 10_000]},
]


def test_the_answers_are_checked_once_with_the_same_outcome() -> None:
    assert len(VALID) > 3
    for data in VALID:
        assert service._checked_preview_answers(data) == _previous_check(data)


@pytest.mark.parametrize("answers", INVALID)
def test_answers_with_problems_are_refused_as_before(answers: dict[str, Any]) -> None:
    for data in (
        PreviewRequest(answers=answers),
        PreviewRequest(feedback=answers),
        PreviewRequest(answers=answers, feedback={"unknown": 1}),
    ):
        with pytest.raises(ValidationFailed) as before:
            _previous_check(data)
        with pytest.raises(ValidationFailed) as now:
            service._checked_preview_answers(data)
        assert now.value.detail == before.value.detail
        assert now.value.errors == before.value.errors


@pytest.mark.parametrize("locale", ["en_GB", "fr", "es", "de", "de_CH", "ar", "hi"])
def test_numbers_are_written_as_babel_writes_them(locale: str) -> None:
    wording = Wording(locale)
    numbers: list[float] = [0, 1, -1, 7, 1234, -98765, 10**14, 0.0, -0.0, 1.5, -2.25, 1e-7]
    for _ in range(2):  # the second time from the caches
        for number in numbers:
            assert wording.number(number) == str(format_decimal(number, locale=locale))


@pytest.mark.anyio
@pytest.mark.parametrize(
    "accept_language", [None, "", "fr", "de-CH, en;q=0.5", "xx, es;q=0.9", "*", "fr;q=0"]
)
async def test_the_route_answers_the_same_bytes(
    api: httpx.AsyncClient, accept_language: str | None
) -> None:
    test = TESTS[0]
    body = {"answers": test.inputs.answers, "feedback": test.inputs.feedback}
    headers = {"Accept-Language": accept_language} if accept_language is not None else {}
    response = await api.post("/v1/diagnoses/preview", json=body, headers=headers)
    assert response.status_code == 200, response.text
    written_in = response.headers["content-language"]
    compiled, _ = in_locale(DEFAULT_RULE_SET.compiled, written_in)
    data = PreviewRequest.model_validate(body)
    answers, feedback, askable = _previous_check(data)
    inputs = prepare_inputs(
        {
            "answers": answers,
            "feedback": feedback,
            "session": data.session.model_dump(exclude_none=True),
            "history": data.history.model_dump(),
        }
    )
    ref = RuleSetRef.model_validate(response.json()["rule_set"])
    assert response.content == _previous_document(compiled.evaluate(inputs, askable), ref)
    assert [name for name, _ in response.headers.multi_items()][:4] == [
        "content-length",
        "content-type",
        "content-language",
        "vary",
    ]
    assert response.headers["content-type"] == "application/json"
    assert response.headers["vary"] == "Accept-Language"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=CONTENTS, cases=st.lists(INPUTS, min_size=1, max_size=4))
def test_generated_verdicts_are_written_as_the_frozen_engines_models(
    content: dict[str, Any], cases: list[dict[str, Any]]
) -> None:
    """The document of the engine's verdict is the model's bytes of the frozen engine's."""
    engines = Engines.build(RuleSetContent.model_validate(content), FIELDS, LABELS, Wording())
    for inputs in cases:
        try:
            expected = _previous_document(engines.frozen.evaluate(inputs), REF)
        except TypeError:  # a history count that is not a number: both refuse it
            continue
        assert verdict_document(engines.written_out.evaluate(inputs), REF) == expected
