"""The preview's answers checked as the frozen `check_answers` (tests/question_sets/
frozen_answers.py) and the visible-answers loop would check them: the same answers,
feedback and askable fields, or the same 422 with the same problems in the same order."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.errors import FieldProblem, ValidationFailed
from app.diagnosis import service
from app.diagnosis.schemas import PreviewRequest
from app.i18n.formatting import english_count
from app.question_sets.builtin import BUILTIN_SETS
from tests.question_sets.frozen_answers import check_answers as frozen_check_answers

SETS = (("answers", "self-reflection"), ("feedback", "interviewer-feedback"))


def _frozen_visible(key: str, answers: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    question_set = BUILTIN_SETS[key].compiled
    current = {k: v for k, v in answers.items() if v is not None}
    while True:
        shown = frozen_check_answers(question_set, current).shown
        kept = {k: v for k, v in current.items() if k in set(shown)}
        if kept == current:
            return kept, shown
        current = kept


def _frozen_preview_answers(data: PreviewRequest) -> Any:
    problems: list[FieldProblem] = []
    for name, key in SETS:
        report = frozen_check_answers(BUILTIN_SETS[key].compiled, getattr(data, name))
        problems += [
            FieldProblem(pointer=f"/body/{name}{p.pointer}", detail=p.message, code=p.code)
            for p in report.problems
        ]
    if problems:
        detail = english_count(len(problems), "answer needs", "answers need") + " attention."
        return ("refused", detail, problems)
    given: list[dict[str, Any]] = []
    askable: set[str] = set()
    for name, key in SETS:
        kept, shown = _frozen_visible(key, getattr(data, name))
        given.append(kept)
        askable |= {f"{name}.{k}" for k in shown}
    return given[0], given[1], askable


def _outcome(data: PreviewRequest) -> Any:
    try:
        return service._checked_preview_answers(data)
    except ValidationFailed as exc:
        return ("refused", exc.detail, exc.errors)


def _keys(key: str) -> list[str]:
    return [q.question.key for q in BUILTIN_SETS[key].compiled.questions] + ["nope"]


SCALARS = [True, False, 0, 1, 3, 5, 9, -1, 2.5, "", " ", "bored", "x" * 3000, "2026-02-30"]
LISTS = [[], ["bored"], ["bored", "bored"], ["inspired", "confused"], [""], [1]]
VALUES = st.none() | st.sampled_from(
    [*SCALARS, *LISTS, "change_direction", "more_experience", "credentials", {"k": 1}]
)


@settings(max_examples=500, deadline=None)
@given(
    answers=st.dictionaries(st.sampled_from(_keys("self-reflection")), VALUES, max_size=14),
    feedback=st.dictionaries(st.sampled_from(_keys("interviewer-feedback")), VALUES, max_size=6)
    | st.just({}),
)
def test_preview_answers_as_frozen(answers: dict[str, Any], feedback: dict[str, Any]) -> None:
    data = PreviewRequest(answers=answers, feedback=feedback)
    assert _outcome(data) == _frozen_preview_answers(data)
    assert _outcome(PreviewRequest(answers=answers)) == _frozen_preview_answers(
        PreviewRequest(answers=answers)
    )


def test_no_answers_at_all_as_frozen() -> None:
    for _ in range(2):  # the second time from the caches
        assert _outcome(PreviewRequest()) == _frozen_preview_answers(PreviewRequest())
