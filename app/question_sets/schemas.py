from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import MISSING, BaseModel, ConfigDict, Field, StringConstraints

from app.question_sets.answers import AnswerReport
from app.question_sets.definition import (
    HelpText,
    Label,
    LocaleTag,
    Purpose,
    QuestionSetContent,
    Section,
    Translation,
)

SET_KEY_PATTERN = r"^[a-z][a-z0-9-]{1,63}$"
MAX_ANSWERS = 200

SetKey = Annotated[
    str,
    StringConstraints(pattern=SET_KEY_PATTERN),
    Field(description="Lower case, digits and `-`; stable across versions.", examples=["my-set"]),
]


class QuestionSetStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class QuestionSetCreate(QuestionSetContent):
    """A new draft: version 1 of a new key, or the next version of one of yours."""

    key: SetKey


class QuestionSetUpdate(BaseModel):
    """A JSON Merge Patch of a draft. `sections` and `translations` replace the whole list
    or map given; the purpose of a key never changes."""

    model_config = ConfigDict(extra="forbid")

    title: Label | MISSING = MISSING
    description: HelpText | MISSING | None = MISSING
    default_locale: LocaleTag | MISSING = MISSING
    sections: list[Section] | MISSING = Field(default=MISSING, min_length=1, max_length=20)
    translations: dict[LocaleTag, Translation] | MISSING = Field(default=MISSING, max_length=20)


class QuestionSetSummary(BaseModel):
    id: str = Field(examples=["qs_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    key: str
    version: int
    status: QuestionSetStatus
    builtin: bool = Field(description="Shipped with Debrief, available to every organisation.")
    purpose: Purpose
    title: str
    description: str | None
    default_locale: str
    available_locales: list[str]
    question_count: int
    created_at: datetime
    published_at: datetime | None
    retired_at: datetime | None


class QuestionSetRead(QuestionSetSummary):
    locale: str = Field(description="The locale of the texts below (also Content-Language).")
    sections: list[Section]
    translations: dict[str, Translation] = Field(
        description="Texts in further locales, as stored (edit drafts through these)."
    )


class AnswersCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any] = Field(
        max_length=MAX_ANSWERS,
        description="Question key to answer; `null` means not answered.",
        examples=[{"wanted_job": True, "wow_self_rating": 3}],
    )


class AnswerProblemRead(BaseModel):
    pointer: str = Field(examples=["/answers/wow_self_rating"])
    detail: str
    code: str


class AnswerCheckResult(BaseModel):
    valid: bool = Field(description="No answer is wrong (some may still be missing).")
    complete: bool = Field(description="Valid, and every required question shown is answered.")
    problems: list[AnswerProblemRead]
    shown: list[str] = Field(description="Questions asked, given these answers, in order.")
    answered: list[str]
    missing_required: list[str]

    @classmethod
    def of(cls, report: AnswerReport, prefix: str = "/answers") -> AnswerCheckResult:
        return cls(
            valid=report.valid,
            complete=report.complete,
            problems=[
                AnswerProblemRead(pointer=prefix + p.pointer, detail=p.message, code=p.code)
                for p in report.problems
            ],
            shown=report.shown,
            answered=report.answered,
            missing_required=report.missing_required,
        )
