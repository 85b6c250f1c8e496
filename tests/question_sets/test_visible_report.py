"""`visible_report` is the visible answers and their check in one pass: the same as
`visible_answers` followed by `check_answers` of what it kept, and the progress stored
from it is the Progress model's JSON."""

from __future__ import annotations

from typing import Any

import pytest

from app.question_sets.answers import check_answers, visible_report
from app.question_sets.builtin import BUILTIN_SETS
from app.sessions.schemas import Progress
from app.sessions.service import _progress
from tests.diagnosis.personas import PERSONAS

REFLECTION = BUILTIN_SETS["self-reflection"].compiled
FEEDBACK = BUILTIN_SETS["interviewer-feedback"].compiled


def _visible_then_checked(answers: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The two passes sessions made before: hide until nothing changes, then check."""
    current = {key: value for key, value in answers.items() if value is not None}
    while True:
        shown = check_answers(REFLECTION, current).shown
        kept = {key: value for key, value in current.items() if key in shown}
        if kept == current:
            return kept, check_answers(REFLECTION, kept)
        current = kept


CASES: list[dict[str, Any]] = [
    {},
    {"wanted_job": True},
    {"wanted_job": False, "enthusiasm": 4},
    # Answers for both branches: the other branch's are hidden and dropped.
    {"wanted_job": True, "wow_self_rating": 2, "articulated_fit": False, "enthusiasm": 9},
    {"wanted_job": True, "missing_required_credentials": ["SQL"], "what_you_want": "calm"},
    {"wanted_job": False, "missing_required_credentials": ["SQL"], "what_you_want": "calm"},
    {"wanted_job": None, "enthusiasm": 3, "no_such_question": 1},
    *(dict(persona.answers) for persona in PERSONAS),
]


@pytest.mark.parametrize("answers", CASES)
def test_one_pass_gives_what_the_two_gave(answers: dict[str, Any]) -> None:
    visible, report = visible_report(REFLECTION, answers)
    expected_visible, expected = _visible_then_checked(answers)
    assert visible == expected_visible
    assert report == expected


@pytest.mark.parametrize("answers", CASES)
def test_the_progress_is_the_models_json(answers: dict[str, Any]) -> None:
    for question_set in (REFLECTION, FEEDBACK):
        _, report = visible_report(question_set, answers)
        assert _progress(report) == Progress.of(report).model_dump(mode="json")
