"""FROZEN at 652701a: `check_answers` as it was, the reference of
tests/question_sets/test_answers_as_frozen.py. Do not edit.

Checking answers against a question set: pure, used by the API and by sessions."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.question_sets.compiled import CompiledQuestion, CompiledQuestionSet
from app.question_sets.definition import (
    DateQuestion,
    ListQuestion,
    MultiChoiceQuestion,
    NumberQuestion,
    Question,
    ScaleQuestion,
    SingleChoiceQuestion,
    TextQuestion,
    YesNoQuestion,
)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class AnswerProblem:
    pointer: str  # relative to the answers object: "/wanted_job", "/skills_to_work_on/2"
    message: str
    code: str


@dataclass
class AnswerReport:
    problems: list[AnswerProblem] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def complete(self) -> bool:
        return not self.problems and not self.missing_required


def _keys(options: list[Any]) -> str:
    return ", ".join(option.key for option in options)


def _check_value(question: Question, value: Any, pointer: str) -> list[AnswerProblem]:
    def problem(message: str, code: str, where: str = pointer) -> list[AnswerProblem]:
        return [AnswerProblem(where, message, code)]

    if isinstance(question, YesNoQuestion):
        return [] if isinstance(value, bool) else problem("answer true or false", "type")
    if isinstance(question, ScaleQuestion):
        if isinstance(value, bool) or not isinstance(value, int):
            return problem(f"choose a whole number from {question.min} to {question.max}", "type")
        if not question.min <= value <= question.max:
            return problem(f"choose from {question.min} to {question.max}", "range")
        return []
    if isinstance(question, SingleChoiceQuestion):
        if not isinstance(value, str) or value not in {o.key for o in question.options}:
            return problem(f"choose one of: {_keys(question.options)}", "choice")
        return []
    if isinstance(question, MultiChoiceQuestion):
        return _check_choices(question, value, pointer)
    if isinstance(question, TextQuestion):
        if not isinstance(value, str) or not value.strip():
            return problem("write some text, or leave the question out", "type")
        if len(value) > question.max_length:
            return problem(f"keep it to {question.max_length} characters", "too_long")
        return []
    if isinstance(question, ListQuestion):
        return _check_list(question, value, pointer)
    if isinstance(question, NumberQuestion):
        return _check_number(question, value, pointer)
    if isinstance(question, DateQuestion):
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            return problem("give a date as YYYY-MM-DD", "date")
        try:
            date.fromisoformat(value)
        except ValueError:
            return problem("give a real date as YYYY-MM-DD", "date")
        return []
    raise AssertionError(f"unhandled question kind {question.kind}")


def _check_choices(question: MultiChoiceQuestion, value: Any, pointer: str) -> list[AnswerProblem]:
    if not isinstance(value, list):
        return [AnswerProblem(pointer, "give a list of the options that apply", "type")]
    allowed = {o.key for o in question.options}
    problems = [
        AnswerProblem(f"{pointer}/{i}", f"choose from: {_keys(question.options)}", "choice")
        for i, item in enumerate(value)
        if not isinstance(item, str) or item not in allowed
    ]
    if len({item for item in value if isinstance(item, str)}) != len(value) and not problems:
        problems.append(AnswerProblem(pointer, "each option once", "duplicate"))
    return problems


def _check_list(question: ListQuestion, value: Any, pointer: str) -> list[AnswerProblem]:
    if not isinstance(value, list):
        return [AnswerProblem(pointer, "give a list of short texts", "type")]
    if len(value) > question.max_items:
        return [AnswerProblem(pointer, f"list at most {question.max_items} items", "too_many")]
    problems = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            problems.append(AnswerProblem(f"{pointer}/{index}", "write some text", "type"))
        elif len(item) > question.item_max_length:
            problems.append(
                AnswerProblem(
                    f"{pointer}/{index}",
                    f"keep each item to {question.item_max_length} characters",
                    "too_long",
                )
            )
    return problems


def _check_number(question: NumberQuestion, value: Any, pointer: str) -> list[AnswerProblem]:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return [AnswerProblem(pointer, "give a number", "type")]
    if question.integer and value != int(value):
        return [AnswerProblem(pointer, "give a whole number", "type")]
    low, high = question.min, question.max
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = " to ".join(f"{b:g}" for b in (low, high) if b is not None)
        if low is not None and high is not None:
            word = "from"
        else:
            word = "at least" if low is not None else "at most"
        return [AnswerProblem(pointer, f"give a number {word} {bounds}", "range")]
    return []


def _is_shown(compiled: CompiledQuestion, answers: Mapping[str, Any]) -> bool:
    # Most questions have no condition: no generator for them.
    return not compiled.conditions or all(condition(answers) for condition in compiled.conditions)


def check_answers(question_set: CompiledQuestionSet, answers: Mapping[str, Any]) -> AnswerReport:
    """Every problem with a set of answers; `null` stands for "not answered"."""
    report = AnswerReport()
    given = {key: value for key, value in answers.items() if value is not None}
    for key in given:
        if key not in question_set.by_key:
            report.problems.append(
                AnswerProblem(f"/{key}", "this set has no such question", "unknown_question")
            )
    for compiled in question_set.questions:
        question = compiled.question
        if not _is_shown(compiled, given):
            if question.key in given:
                report.problems.append(
                    AnswerProblem(
                        f"/{question.key}",
                        "this question is not asked given your other answers; leave it out",
                        "not_shown",
                    )
                )
            continue
        report.shown.append(question.key)
        if question.key in given:
            report.answered.append(question.key)
            report.problems += _check_value(question, given[question.key], f"/{question.key}")
        elif question.required:
            report.missing_required.append(question.key)
    return report


def visible_report(
    question_set: CompiledQuestionSet, answers: Mapping[str, Any]
) -> tuple[dict[str, Any], AnswerReport]:
    """The answers to questions shown given the others, and their check (whose `shown` is
    every shown question's key): `check_answers` of those answers, found on the way.

    An answer to a question a changed answer now hides is kept by sessions but counts for
    nothing; dropping it can hide more, so this repeats until nothing changes. The last
    round checked exactly the answers it returns.
    """
    current = {key: value for key, value in answers.items() if value is not None}
    while True:
        report = check_answers(question_set, current)
        shown = set(report.shown)
        kept = {key: value for key, value in current.items() if key in shown}
        if kept == current:
            return kept, report
        current = kept


def visible_answers(
    question_set: CompiledQuestionSet, answers: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The answers to questions shown given the others, and the keys of every shown question."""
    visible, report = visible_report(question_set, answers)
    return visible, report.shown
