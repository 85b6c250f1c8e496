"""What a question set is: sections of typed questions, with branching and translations.

Pure pydantic: used by the API, the answer checker and the built-in data files alike.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
)
from typing_extensions import TypeAliasType

from app.core.fields import NUMBER_ONLY, Integer, PlainText, SingleLine
from app.rules.conditions import within_depth

MAX_SECTIONS = 20
MAX_QUESTIONS = 100
MAX_QUESTIONS_PER_SECTION = 40
MAX_OPTIONS = 30
MAX_TRANSLATIONS = 20
MAX_PROMPT_LENGTH = 500
MAX_HELP_LENGTH = 2000
MAX_LABEL_LENGTH = 200
MAX_TEXT_ANSWER_LENGTH = 10_000
MAX_LIST_ITEMS = 50
MAX_LIST_ITEM_LENGTH = 500

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
LOCALE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"

KeyText = Annotated[
    str,
    StringConstraints(pattern=KEY_PATTERN),
    Field(
        description="Stable across versions: lower case, digits and `_`.", examples=["wanted_job"]
    ),
]
# Named, so that the published document defines it once and refers to it.
Key = TypeAliasType("Key", KeyText)
LocaleTag = Annotated[str, StringConstraints(max_length=35, pattern=LOCALE_PATTERN)]
Label = Annotated[SingleLine, StringConstraints(min_length=1, max_length=MAX_LABEL_LENGTH)]
Prompt = Annotated[SingleLine, StringConstraints(min_length=1, max_length=MAX_PROMPT_LENGTH)]
HelpText = Annotated[PlainText, StringConstraints(min_length=1, max_length=MAX_HELP_LENGTH)]
Condition = TypeAliasType(
    "Condition",
    Annotated[
        dict[str, Any],
        AfterValidator(within_depth),
        Field(
            description="A condition over earlier answers, e.g. "
            '`{"==": [{"var": "wanted_job"}, true]}`. Operators: `var`, `and`, `or`, `!`, '
            "`==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `count`, `contains_any`, `missing`.",
            examples=[{"==": [{"var": "wanted_job"}, True]}],
        ),
    ],
)


class Purpose(StrEnum):
    SELF_REFLECTION = "self_reflection"
    INTERVIEWER_FEEDBACK = "interviewer_feedback"


# How a person reads each purpose, with its article, before "question set".
PURPOSE_NAMES: dict[Purpose, str] = {
    Purpose.SELF_REFLECTION: "a self-reflection",
    Purpose.INTERVIEWER_FEEDBACK: "an interviewer-feedback",
}


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key
    label: Label


class _Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key
    prompt: Prompt
    help: HelpText | None = None
    required: StrictBool = False
    show_if: Condition | None = None


class YesNoQuestion(_Question):
    kind: Literal["yes_no"]


class ScaleQuestion(_Question):
    kind: Literal["scale"]
    min: Integer = Field(default=1, ge=0, le=10)
    max: Integer = Field(default=5, ge=1, le=10)
    min_label: Label | None = None
    max_label: Label | None = None


class SingleChoiceQuestion(_Question):
    kind: Literal["single_choice"]
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)


class MultiChoiceQuestion(_Question):
    kind: Literal["multi_choice"]
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)


class TextQuestion(_Question):
    kind: Literal["text"]
    max_length: Integer = Field(default=2000, ge=1, le=MAX_TEXT_ANSWER_LENGTH)


class ListQuestion(_Question):
    kind: Literal["list"]
    max_items: Integer = Field(default=10, ge=1, le=MAX_LIST_ITEMS)
    item_max_length: Integer = Field(default=200, ge=1, le=MAX_LIST_ITEM_LENGTH)


class NumberQuestion(_Question):
    kind: Literal["number"]
    min: Annotated[float, Field(ge=-1e9, le=1e9), NUMBER_ONLY] | None = None
    max: Annotated[float, Field(ge=-1e9, le=1e9), NUMBER_ONLY] | None = None
    integer: StrictBool = Field(default=True, description="Whole numbers only.")


class DateQuestion(_Question):
    kind: Literal["date"]


Question = Annotated[
    YesNoQuestion
    | ScaleQuestion
    | SingleChoiceQuestion
    | MultiChoiceQuestion
    | TextQuestion
    | ListQuestion
    | NumberQuestion
    | DateQuestion,
    Field(discriminator="kind"),
]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key
    title: Label
    description: HelpText | None = None
    show_if: Condition | None = Field(
        default=None, description="Shows the whole section only when it holds."
    )
    questions: list[Question] = Field(min_length=1, max_length=MAX_QUESTIONS_PER_SECTION)


class QuestionTranslation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: Prompt | None = None
    help: HelpText | None = None
    min_label: Label | None = None
    max_label: Label | None = None
    options: dict[KeyText, Label] = Field(default_factory=dict, max_length=MAX_OPTIONS)


class SectionTranslation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Label | None = None
    description: HelpText | None = None


class Translation(BaseModel):
    """Texts in one more locale; anything left out falls back to the default locale."""

    model_config = ConfigDict(extra="forbid")

    title: Label | None = None
    description: HelpText | None = None
    sections: dict[KeyText, SectionTranslation] = Field(
        default_factory=dict, max_length=MAX_SECTIONS
    )
    questions: dict[KeyText, QuestionTranslation] = Field(
        default_factory=dict, max_length=MAX_QUESTIONS
    )


class QuestionSetContent(BaseModel):
    """Everything about a set but its identity and lifecycle."""

    model_config = ConfigDict(extra="forbid")

    purpose: Purpose
    title: Label
    description: HelpText | None = None
    default_locale: LocaleTag = "en"
    sections: list[Section] = Field(min_length=1, max_length=MAX_SECTIONS)
    translations: dict[LocaleTag, Translation] = Field(
        default_factory=dict, max_length=MAX_TRANSLATIONS
    )
