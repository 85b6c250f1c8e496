"""`check_answers` reports what it reported before its loop was tightened (the function of
652701a is kept frozen beside this test): problems, shown, answered and missing questions
alike, for the built-in sets and one with every other kind of question, over answers
hypothesis makes up (unknown and hidden questions, wrong types, out of range, empty)."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.i18n.locales import BUILTIN_LOCALES
from app.question_sets.answers import check_answers
from app.question_sets.builtin import BUILTIN_SETS
from app.question_sets.compiled import compile_question_set
from app.question_sets.definition import QuestionSetContent
from app.question_sets.locales import localized
from tests.question_sets.frozen_answers import check_answers as frozen_check_answers

KINDS = compile_question_set(
    QuestionSetContent.model_validate(
        {
            "purpose": "self_reflection",
            "title": "Kinds",
            "sections": [
                {
                    "key": "s",
                    "title": "S",
                    "questions": [
                        {"key": "when", "kind": "date", "prompt": "When?", "required": True},
                        {"key": "count", "kind": "number", "prompt": "How many?", "min": 0},
                        {"key": "whole", "kind": "number", "prompt": "?", "integer": True},
                        {
                            "key": "bounded",
                            "kind": "number",
                            "prompt": "?",
                            "max": 10,
                            "show_if": {">=": [{"var": "count"}, 1]},
                        },
                    ],
                }
            ],
        }
    )
)
SETS = [BUILTIN_SETS["self-reflection"].compiled, BUILTIN_SETS["interviewer-feedback"].compiled]
SETS.append(KINDS)
KEYS = sorted({q.question.key for s in SETS for q in s.questions} | {"nope", ""})
VALUES = (
    st.none()
    | st.booleans()
    | st.integers(-3, 12)
    | st.floats(allow_nan=True)
    | st.sampled_from(["", " ", "a", "2026-02-28", "2026-02-30", "bored", "x" * 3000, math.inf])
    | st.lists(st.sampled_from(["bored", "inspired", "", " ", 1, None, "bored"]), max_size=4)
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
)


@settings(max_examples=400, deadline=None)
@given(answers=st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=12))
def test_check_answers_as_frozen(answers: dict[str, Any]) -> None:
    for question_set in SETS:
        assert repr(check_answers(question_set, answers)) == repr(
            frozen_check_answers(question_set, answers)
        )


BRANCHING = compile_question_set(
    QuestionSetContent.model_validate(
        {
            "purpose": "self_reflection",
            "title": "Branching",
            "sections": [
                {
                    "key": "first",
                    "title": "First",
                    "questions": [
                        {"key": "went", "kind": "yes_no", "prompt": "?", "required": True},
                        {
                            "key": "how",
                            "kind": "scale",
                            "prompt": "?",
                            "required": True,
                            "show_if": {"==": [{"var": "went"}, True]},
                        },
                        {
                            "key": "why_not",
                            "kind": "text",
                            "prompt": "?",
                            "required": True,
                            "show_if": {"!=": [{"var": "went"}, True]},
                        },
                    ],
                },
                {
                    "key": "later",
                    "title": "Later",
                    "show_if": {"or": [{">=": [{"var": "how"}, 3]}, {"var": "why_not"}]},
                    "questions": [
                        {"key": "count", "kind": "number", "prompt": "?", "required": True},
                        {
                            "key": "signals",
                            "kind": "multi_choice",
                            "prompt": "?",
                            "options": [
                                {"key": "bored", "label": "Bored"},
                                {"key": "inspired", "label": "Inspired"},
                            ],
                            "show_if": {">": [{"var": "count"}, 1]},
                        },
                        {"key": "notes", "kind": "list", "prompt": "?", "required": True},
                    ],
                },
                {
                    "key": "last",
                    "title": "Last",
                    "questions": [
                        {"key": "when", "kind": "date", "prompt": "?"},
                        {
                            "key": "pick",
                            "kind": "single_choice",
                            "prompt": "?",
                            "required": True,
                            "options": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}],
                        },
                    ],
                },
            ],
        }
    )
)
BRANCHING_KEYS = [q.question.key for q in BRANCHING.questions] + ["nope", "Went"]
BRANCHING_VALUES = VALUES | st.sampled_from(
    [True, False, 0, 3, 5, "a", "b", "c", ["bored"], ["x"], "2026-01-01", "why", 2.5]
)
IN_EVERY_LOCALE = [
    compile_question_set(localized(builtin.content, locale))
    for builtin in BUILTIN_SETS.values()
    for locale in BUILTIN_LOCALES
]


@settings(max_examples=400, deadline=None)
@given(answers=st.dictionaries(st.sampled_from(BRANCHING_KEYS), BRANCHING_VALUES, max_size=10))
def test_branching_answers_as_frozen(answers: dict[str, Any]) -> None:
    """Hidden sections and questions, required ones hidden or shown, answers to hidden ones,
    unknown keys and invalid values: the same problems in the same order, and the rest."""
    assert repr(check_answers(BRANCHING, answers)) == repr(frozen_check_answers(BRANCHING, answers))


@settings(max_examples=200, deadline=None)
@given(answers=st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=12))
def test_builtin_sets_in_every_locale_as_frozen(answers: dict[str, Any]) -> None:
    for question_set in IN_EVERY_LOCALE:
        assert repr(check_answers(question_set, answers)) == repr(
            frozen_check_answers(question_set, answers)
        )
