"""A question set checked as a whole and compiled once: keys, branching, translations."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.question_sets.definition import (
    MAX_QUESTIONS,
    NumberQuestion,
    Question,
    QuestionSetContent,
    ScaleQuestion,
)
from app.rules.compiler import Evaluator, compile_condition
from app.rules.conditions import check_condition


@dataclass(frozen=True)
class DefinitionProblem:
    pointer: str  # JSON pointer into the set's content
    message: str


class InvalidDefinition(ValueError):
    def __init__(self, problems: list[DefinitionProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.pointer}: {p.message}" for p in problems))


@dataclass(frozen=True)
class CompiledQuestion:
    question: Question
    section_key: str
    pointer: str
    conditions: tuple[Evaluator, ...]  # section's then question's; all must hold


@dataclass(frozen=True)
class AnswerPlan:
    """What checking answers needs of a question set, worked out once: only the questions
    with a condition can be hidden, and only those given an answer need a check."""

    keys: tuple[str, ...]  # every question's, in order
    position: dict[str, int]  # a question's place in that order, by its key
    conditional: tuple[tuple[str, tuple[Evaluator, ...]], ...]  # in order
    required: tuple[str, ...]  # in order


def answer_plan(questions: tuple[CompiledQuestion, ...]) -> AnswerPlan:
    keys = tuple(compiled.question.key for compiled in questions)
    return AnswerPlan(
        keys=keys,
        position={key: index for index, key in enumerate(keys)},
        conditional=tuple((c.question.key, c.conditions) for c in questions if c.conditions),
        required=tuple(c.question.key for c in questions if c.question.required),
    )


@dataclass(frozen=True)
class CompiledQuestionSet:
    content: QuestionSetContent
    questions: tuple[CompiledQuestion, ...]
    by_key: dict[str, CompiledQuestion] = field(repr=False)
    answer_plan: AnswerPlan = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "answer_plan", answer_plan(self.questions))


def _condition_problems(tree: object, fields: list[str], pointer: str) -> list[DefinitionProblem]:
    return [
        DefinitionProblem(pointer + problem.pointer, problem.message)
        for problem in check_condition(tree, fields)
    ]


def _question_problems(question: Question, pointer: str) -> list[DefinitionProblem]:
    problems = []
    options = getattr(question, "options", None)
    if options is not None:
        seen: set[str] = set()
        for index, option in enumerate(options):
            if option.key in seen:
                problems.append(
                    DefinitionProblem(f"{pointer}/options/{index}/key", "option keys repeat")
                )
            seen.add(option.key)
    if isinstance(question, ScaleQuestion) and question.min >= question.max:
        problems.append(DefinitionProblem(f"{pointer}/max", "must be greater than min"))
    if (
        isinstance(question, NumberQuestion)
        and question.min is not None
        and question.max is not None
        and question.min > question.max
    ):
        problems.append(DefinitionProblem(f"{pointer}/max", "must not be less than min"))
    return problems


def _translation_problems(
    content: QuestionSetContent, questions: dict[str, Question]
) -> list[DefinitionProblem]:
    problems = []
    section_keys = {section.key for section in content.sections}
    for locale, translation in content.translations.items():
        base = f"/translations/{locale}"
        if locale == content.default_locale:
            problems.append(DefinitionProblem(base, "is the default locale: edit the texts"))
        for key in translation.sections:
            if key not in section_keys:
                problems.append(DefinitionProblem(f"{base}/sections/{key}", "no such section"))
        for key, texts in translation.questions.items():
            question = questions.get(key)
            if question is None:
                problems.append(DefinitionProblem(f"{base}/questions/{key}", "no such question"))
                continue
            option_keys = {o.key for o in getattr(question, "options", [])}
            for option_key in texts.options:
                if option_key not in option_keys:
                    problems.append(
                        DefinitionProblem(
                            f"{base}/questions/{key}/options/{option_key}", "no such option"
                        )
                    )
            if (texts.min_label or texts.max_label) and not isinstance(question, ScaleQuestion):
                problems.append(
                    DefinitionProblem(f"{base}/questions/{key}", "only a scale has end labels")
                )
    return problems


def definition_problems(content: QuestionSetContent) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    earlier: list[str] = []
    questions: dict[str, Question] = {}
    section_keys: set[str] = set()
    for s_index, section in enumerate(content.sections):
        s_pointer = f"/sections/{s_index}"
        if section.key in section_keys:
            problems.append(DefinitionProblem(f"{s_pointer}/key", "section keys repeat"))
        section_keys.add(section.key)
        if section.show_if is not None:
            problems += _condition_problems(section.show_if, earlier, f"{s_pointer}/show_if")
        for q_index, question in enumerate(section.questions):
            q_pointer = f"{s_pointer}/questions/{q_index}"
            if question.key in questions:
                problems.append(DefinitionProblem(f"{q_pointer}/key", "question keys repeat"))
            problems += _question_problems(question, q_pointer)
            if question.show_if is not None:
                problems += _condition_problems(question.show_if, earlier, f"{q_pointer}/show_if")
            questions[question.key] = question
            earlier.append(question.key)
    if len(questions) > MAX_QUESTIONS:
        problems.append(DefinitionProblem("/sections", f"more than {MAX_QUESTIONS} questions"))
    return problems + _translation_problems(content, questions)


def compile_question_set(content: QuestionSetContent) -> CompiledQuestionSet:
    """Raises InvalidDefinition with every problem, each with its pointer."""
    problems = definition_problems(content)
    if problems:
        raise InvalidDefinition(problems)
    compiled: list[CompiledQuestion] = []
    earlier: list[str] = []
    for s_index, section in enumerate(content.sections):
        section_condition = (
            (compile_condition(section.show_if, earlier),) if section.show_if else ()
        )
        for q_index, question in enumerate(section.questions):
            own = (compile_condition(question.show_if, earlier),) if question.show_if else ()
            compiled.append(
                CompiledQuestion(
                    question,
                    section.key,
                    f"/sections/{s_index}/questions/{q_index}",
                    section_condition + own,
                )
            )
            earlier.append(question.key)
    return CompiledQuestionSet(content, tuple(compiled), {c.question.key: c for c in compiled})
