"""The built-in sets and the answer checker, without HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from app.question_sets.answers import check_answers
from app.question_sets.builtin import BUILTIN_SETS
from app.question_sets.compiled import InvalidDefinition, compile_question_set
from app.question_sets.definition import QuestionSetContent

SELF = BUILTIN_SETS["self-reflection"].compiled
FEEDBACK = BUILTIN_SETS["interviewer-feedback"].compiled
SECTION_4 = [
    "missing_required_credentials",
    "missing_preferred_credentials",
    "years_experience",
    "hired_background",
    "willing_to_invest",
]
SECTION_5 = ["better_fit_positions", "what_you_want"]


def test_both_builtins_load_with_the_keys_the_method_needs() -> None:
    assert set(BUILTIN_SETS) == {"self-reflection", "interviewer-feedback"}
    self_keys = [q.question.key for q in SELF.questions]
    assert self_keys[:3] == ["feeling", "wow_self_rating", "interviewer_signals"]
    assert {"had_advocate", "insider_conversations", "referral", "wanted_job"} <= set(self_keys)
    assert [s.key for s in SELF.content.sections] == [
        "context",
        "wow",
        "relationships",
        "wanted",
        "position_better",
        "go_after",
    ]
    assert [q.question.key for q in FEEDBACK.questions] == [
        "interview_feedback",
        "feedback_themes",
        "hired_standouts",
        "hired_edge",
        "right_opportunities",
        "suggested_credentials",
        "other_opportunities",
        "people_to_contact",
        "stay_in_touch",
    ]
    required = {q.question.key for q in SELF.questions if q.question.required}
    assert required == {"wow_self_rating", "wanted_job"}


def test_branching_shows_section_4_or_5_by_wanted_job() -> None:
    wanted = check_answers(SELF, {"wanted_job": True})
    assert all(key in wanted.shown for key in SECTION_4)
    assert not any(key in wanted.shown for key in SECTION_5)
    not_wanted = check_answers(SELF, {"wanted_job": False})
    assert all(key in not_wanted.shown for key in SECTION_5)
    assert not any(key in not_wanted.shown for key in SECTION_4)
    unknown = check_answers(SELF, {})
    assert not any(key in unknown.shown for key in SECTION_4 + SECTION_5)


def test_required_only_when_shown_and_completeness() -> None:
    empty = check_answers(SELF, {})
    assert empty.valid
    assert not empty.complete
    assert empty.missing_required == ["wow_self_rating", "wanted_job"]
    done = check_answers(SELF, {"wow_self_rating": 2, "wanted_job": False})
    assert done.complete


def test_answers_to_hidden_or_unknown_questions_are_refused() -> None:
    report = check_answers(
        SELF, {"wanted_job": False, "willing_to_invest": True, "salary": 100, "feeling": None}
    )
    assert [(p.pointer, p.code) for p in report.problems] == [
        ("/salary", "unknown_question"),
        ("/willing_to_invest", "not_shown"),
    ]


@pytest.mark.parametrize(
    ("key", "good", "bad", "pointer"),
    [
        ("articulated_fit", True, "yes", "/articulated_fit"),
        ("wow_self_rating", 5, 6, "/wow_self_rating"),
        ("wow_self_rating", 1, 2.5, "/wow_self_rating"),
        ("wow_self_rating", 3, True, "/wow_self_rating"),
        ("main_motivation", "compensation", "fame", "/main_motivation"),
        (
            "interviewer_signals",
            ["bored", "engaged"],
            ["bored", "sleepy"],
            "/interviewer_signals/1",
        ),
        ("interviewer_signals", [], "bored", "/interviewer_signals"),
        ("interviewer_signals", ["bored"], ["bored", "bored"], "/interviewer_signals"),
        ("played_well", "My story about the launch", "", "/played_well"),
        ("played_well", "x" * 2000, "x" * 2001, "/played_well"),
        ("skills_to_work_on", ["salary talk"], ["ok", ""], "/skills_to_work_on/1"),
        ("skills_to_work_on", ["a"] * 10, ["a"] * 11, "/skills_to_work_on"),
        ("skills_to_work_on", ["a" * 200], ["a" * 201], "/skills_to_work_on/0"),
        ("insider_conversations", 0, -1, "/insider_conversations"),
        ("insider_conversations", 50, 51, "/insider_conversations"),
        ("insider_conversations", 3, 2.5, "/insider_conversations"),
        ("insider_conversations", 3, "3", "/insider_conversations"),
    ],
)
def test_each_kind_accepts_good_and_refuses_bad(
    key: str, good: Any, bad: Any, pointer: str
) -> None:
    base = {"wanted_job": True}
    assert check_answers(SELF, {**base, key: good}).valid
    report = check_answers(SELF, {**base, key: bad})
    assert [p.pointer for p in report.problems] == [pointer]
    assert report.problems[0].message


def test_fractional_years_and_dates() -> None:
    assert check_answers(SELF, {"wanted_job": True, "years_experience": 2.5}).valid
    content = QuestionSetContent.model_validate(
        {
            "purpose": "self_reflection",
            "title": "Dates",
            "sections": [
                {
                    "key": "s",
                    "title": "S",
                    "questions": [{"key": "when", "kind": "date", "prompt": "When?"}],
                }
            ],
        }
    )
    dates = compile_question_set(content)
    assert check_answers(dates, {"when": "2026-02-28"}).valid
    for bad in ("2026-02-30", "28/02/2026", "2026-2-28", 20260228):
        assert [p.code for p in check_answers(dates, {"when": bad}).problems] == ["date"]


def _content(**section: Any) -> QuestionSetContent:
    return QuestionSetContent.model_validate(
        {"purpose": "self_reflection", "title": "T", "sections": [section]}
    )


def test_set_definitions_are_checked_as_a_whole() -> None:
    bad = _content(
        key="s",
        title="S",
        questions=[
            {"key": "a", "kind": "yes_no", "prompt": "A?", "show_if": {"var": "b"}},
            {"key": "b", "kind": "scale", "prompt": "B?", "min": 5, "max": 3},
            {
                "key": "a",
                "kind": "single_choice",
                "prompt": "C?",
                "options": [{"key": "x", "label": "X"}, {"key": "x", "label": "Y"}],
            },
        ],
    )
    with pytest.raises(InvalidDefinition) as raised:
        compile_question_set(bad)
    pointers = {p.pointer: p.message for p in raised.value.problems}
    assert "unknown field 'b'" in pointers["/sections/0/questions/0/show_if/var"]
    assert pointers["/sections/0/questions/1/max"] == "must be greater than min"
    assert pointers["/sections/0/questions/2/key"] == "question keys repeat"
    assert pointers["/sections/0/questions/2/options/1/key"] == "option keys repeat"
