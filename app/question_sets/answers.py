"""Checking answers against a question set: pure, used by the API and by sessions."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.question_sets.compiled import CompiledQuestionSet
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


def _problem(pointer: str, message: str, code: str) -> list[AnswerProblem]:
    return [AnswerProblem(pointer, message, code)]


def _check_yes_no(question: YesNoQuestion, value: Any, pointer: str) -> list[AnswerProblem]:
    return [] if isinstance(value, bool) else _problem(pointer, "answer true or false", "type")


def _check_scale(question: ScaleQuestion, value: Any, pointer: str) -> list[AnswerProblem]:
    if isinstance(value, bool) or not isinstance(value, int):
        message = f"choose a whole number from {question.min} to {question.max}"
        return _problem(pointer, message, "type")
    if not question.min <= value <= question.max:
        return _problem(pointer, f"choose from {question.min} to {question.max}", "range")
    return []


def _check_choice(question: SingleChoiceQuestion, value: Any, pointer: str) -> list[AnswerProblem]:
    if not isinstance(value, str) or value not in {o.key for o in question.options}:
        return _problem(pointer, f"choose one of: {_keys(question.options)}", "choice")
    return []


def _check_text(question: TextQuestion, value: Any, pointer: str) -> list[AnswerProblem]:
    if not isinstance(value, str) or not value.strip():
        return _problem(pointer, "write some text, or leave the question out", "type")
    if len(value) > question.max_length:
        return _problem(pointer, f"keep it to {question.max_length} characters", "too_long")
    return []


def _check_date(question: DateQuestion, value: Any, pointer: str) -> list[AnswerProblem]:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return _problem(pointer, "give a date as YYYY-MM-DD", "date")
    try:
        date.fromisoformat(value)
    except ValueError:
        return _problem(pointer, "give a real date as YYYY-MM-DD", "date")
    return []


def _check_value(question: Question, value: Any, pointer: str) -> list[AnswerProblem]:
    check = _CHECKS.get(type(question))
    if check is None:  # a kind of question made from one of these
        check = next((c for kind, c in _CHECKS.items() if isinstance(question, kind)), None)
        if check is None:
            raise AssertionError(f"unhandled question kind {question.kind}")
    return check(question, value, pointer)


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


def check_answers(question_set: CompiledQuestionSet, answers: Mapping[str, Any]) -> AnswerReport:
    """Every problem with a set of answers; `null` stands for "not answered"."""
    plan = question_set.answer_plan
    position = plan.position
    report = AnswerReport()
    problems = report.problems
    given = {key: value for key, value in answers.items() if value is not None}
    present = []
    for key in given:
        if key in position:
            present.append(key)
        else:
            problems.append(
                AnswerProblem(f"/{key}", "this set has no such question", "unknown_question")
            )
    hidden = set()
    for key, conditions in plan.conditional:  # a question is shown when all of them hold
        for condition in conditions:
            if not condition(given):
                hidden.add(key)
                break
    if hidden:
        report.shown = [key for key in plan.keys if key not in hidden]
    else:
        report.shown = list(plan.keys)
    # The questions answered, in the set's order: their problems come in that order.
    present.sort(key=position.__getitem__)
    answered, by_key, checks = report.answered, question_set.by_key, _CHECKS
    for key in present:
        if key in hidden:
            problems.append(
                AnswerProblem(
                    f"/{key}",
                    "this question is not asked given your other answers; leave it out",
                    "not_shown",
                )
            )
            continue
        answered.append(key)
        question = by_key[key].question
        check = checks.get(type(question))
        value, pointer = given[key], f"/{key}"
        found = (
            _check_value(question, value, pointer)
            if check is None
            else check(question, value, pointer)
        )
        if found:
            problems += found
    if plan.required:
        report.missing_required = [
            key for key in plan.required if key not in given and key not in hidden
        ]
    return report


_CHECKS: dict[type[Any], Callable[[Any, Any, str], list[AnswerProblem]]] = {
    YesNoQuestion: _check_yes_no,
    ScaleQuestion: _check_scale,
    SingleChoiceQuestion: _check_choice,
    MultiChoiceQuestion: _check_choices,
    TextQuestion: _check_text,
    ListQuestion: _check_list,
    NumberQuestion: _check_number,
    DateQuestion: _check_date,
}


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
