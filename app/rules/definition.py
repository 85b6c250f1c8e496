"""What a rule set is: categories and factors, rules with certainty factors, embedded tests."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.core.fields import Integer, Number
from app.rules.conditions import within_depth
from app.rules.limits import (
    MAX_CATEGORIES,
    MAX_FACTORS,
    MAX_NEXT_STEPS,
    MAX_RULES,
    MAX_TEST_INPUTS,
    MAX_TESTS,
    MAX_TEXT,
)

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Text = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=MAX_TEXT, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
    ),
]


class NextStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Identifier
    priority: Integer = Field(ge=1, le=5, description="1 first.")
    text: Text


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Identifier
    category: Identifier
    factor: Identifier
    cf: Number = Field(ge=-1, le=1, description="Certainty factor; negative is evidence against.")
    when: Annotated[dict[str, Any], AfterValidator(within_depth)] = Field(
        description="A condition in the condition language."
    )
    because: Text = Field(
        description="Why, with `{answers.key}`-style placeholders filled from the inputs."
    )
    next_steps: list[NextStep] = Field(default_factory=list, max_length=MAX_NEXT_STEPS)


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Identifier
    label: Text
    factors: list[Identifier] = Field(min_length=1, max_length=MAX_FACTORS)


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_confidence: Number = Field(
        default=0.2, ge=0, le=1, description="Below this, the verdict is inconclusive."
    )
    mixed_margin: Number = Field(
        default=0.15, ge=0, le=1, description="Top two closer than this: mixed."
    )
    min_answers: Integer = Field(
        default=3, ge=0, le=100, description="Fewer answers than this: inconclusive."
    )


class Combination(StrEnum):
    """How the rules of a factor, and the factors of a category, add up to a score."""

    # MYCIN throughout: every rule that fires adds to its factor, every factor to its
    # category, so a category with more rules or factors can outvote a stronger one.
    CERTAINTY_FACTORS = "certainty_factors"
    # The strongest evidence for a factor, weakened by the strongest against it; a
    # category scores as its strongest factor. Counting more signals never adds up.
    STRONGEST_EVIDENCE = "strongest_evidence"


class TestInputs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any] = Field(default_factory=dict, max_length=MAX_TEST_INPUTS["answers"])
    feedback: dict[str, Any] = Field(default_factory=dict, max_length=MAX_TEST_INPUTS["feedback"])
    session: dict[str, Any] = Field(default_factory=dict, max_length=MAX_TEST_INPUTS["session"])
    history: dict[str, Any] = Field(default_factory=dict, max_length=MAX_TEST_INPUTS["history"])


class TestExpectation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    primary_category: str
    fired: list[Identifier] = Field(
        default_factory=list, max_length=MAX_RULES, description="Rules that must fire."
    )


class RuleTest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    inputs: TestInputs
    expect: TestExpectation


class RuleSetContent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text
    description: Text | None = None
    categories: list[Category] = Field(min_length=1, max_length=MAX_CATEGORIES)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    combination: Combination = Field(
        default=Combination.CERTAINTY_FACTORS,
        description="`certainty_factors`: MYCIN within factors and across them (the "
        "historical default). `strongest_evidence`: a factor is its strongest rule for, "
        "weakened by its strongest against; a category is its strongest factor.",
    )
    rules: list[Rule] = Field(min_length=1, max_length=MAX_RULES)
    tests: list[RuleTest] = Field(default_factory=list, max_length=MAX_TESTS)
