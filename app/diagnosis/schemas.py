from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import MISSING, BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from app.candidates.schemas import Locale
from app.core.fields import Integer
from app.rules.definition import (
    Category,
    Combination,
    Rule,
    RuleSetContent,
    RuleTest,
    TestInputs,
    Text,
    Thresholds,
)
from app.rules.engine import Verdict
from app.rules.limits import MAX_CATEGORIES, MAX_RULES, MAX_TESTS

RULE_SET_KEY_PATTERN = r"^[a-z][a-z0-9-]{1,63}$"
RuleSetKey = Annotated[str, StringConstraints(pattern=RULE_SET_KEY_PATTERN)]


class RuleSetStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class RuleSetCreate(RuleSetContent):
    key: RuleSetKey = Field(examples=["coach-rules"])


class RuleSetUpdate(BaseModel):
    """A JSON Merge Patch of a draft; lists (rules, tests, categories) are replaced whole."""

    model_config = ConfigDict(extra="forbid")

    title: Text | MISSING = MISSING
    description: Text | MISSING | None = MISSING
    categories: list[Category] | MISSING = Field(
        default=MISSING, min_length=1, max_length=MAX_CATEGORIES
    )
    thresholds: Thresholds | MISSING = MISSING
    combination: Combination | MISSING = MISSING
    rules: list[Rule] | MISSING = Field(default=MISSING, min_length=1, max_length=MAX_RULES)
    tests: list[RuleTest] | MISSING = Field(default=MISSING, max_length=MAX_TESTS)


class RuleSetSummary(BaseModel):
    id: str
    key: str
    version: int
    status: RuleSetStatus
    builtin: bool
    active: bool = Field(description="The organisation's diagnoses use this version.")
    title: str
    rule_count: int
    content_hash: str | None = Field(description="Set when published; never changes after.")
    created_at: datetime
    published_at: datetime | None


class RuleSetRead(RuleSetSummary):
    content: RuleSetContent


class ProblemItem(BaseModel):
    pointer: str
    detail: str


class RuleSetCheck(BaseModel):
    valid: bool
    problems: list[ProblemItem]


class SampleInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    inputs: TestInputs


class RuleSetTestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    samples: list[SampleInput] = Field(default_factory=list, max_length=50)


class TestOutcome(BaseModel):
    name: str
    passed: bool
    expected: str
    actual: str
    missing_rules: list[str]


class SampleOutcome(BaseModel):
    name: str
    primary_category: str
    active_primary_category: str = Field(description="What the active version says.")
    changed: bool


class RuleSetTestReport(BaseModel):
    passed: bool
    tests: list[TestOutcome]
    samples: list[SampleOutcome]
    active: str = Field(description="`key@version` of the version compared against.")


class FactorScore(BaseModel):
    factor: str
    score: float


class CategoryRead(BaseModel):
    key: str
    label: str
    score: float
    factors: list[FactorScore]


class FiredRuleRead(BaseModel):
    id: str
    category: str
    factor: str
    cf: float
    because: str
    held: list[Any] = Field(description="The conditions that held.")


class NextStepRead(BaseModel):
    id: str
    priority: int
    text: str
    category: str
    rule_id: str


class RuleSetRef(BaseModel):
    key: str
    version: int
    content_hash: str


class VerdictRead(BaseModel):
    primary_category: str = Field(
        description="`in_person`, `on_paper`, `direction`, `mixed` or `inconclusive`."
    )
    confidence: float
    margin: float
    categories: list[CategoryRead]
    fired_rules: list[FiredRuleRead]
    next_steps: list[NextStepRead]
    missing: list[str] = Field(description="Unanswered questions that would most change it.")
    pattern: list[str] = Field(description="Categories that recur across earlier diagnoses.")
    rule_set: RuleSetRef

    @classmethod
    def of(cls, verdict: Verdict, rule_set: RuleSetRef) -> VerdictRead:
        return cls(
            primary_category=verdict.primary_category,
            confidence=verdict.confidence,
            margin=verdict.margin,
            categories=[
                CategoryRead(
                    key=c.key,
                    label=c.label,
                    score=c.score,
                    factors=[FactorScore(factor=f, score=s) for f, s in c.factors.items()],
                )
                for c in verdict.categories
            ],
            fired_rules=[
                FiredRuleRead(
                    id=f.id,
                    category=f.category,
                    factor=f.factor,
                    cf=f.cf,
                    because=f.because,
                    held=f.held,
                )
                for f in verdict.fired_rules
            ],
            next_steps=[
                NextStepRead(
                    id=s.id,
                    priority=s.priority,
                    text=s.text,
                    category=s.category,
                    rule_id=s.rule_id,
                )
                for s in verdict.next_steps
            ],
            missing=verdict.missing,
            pattern=verdict.history_pattern,
            rule_set=rule_set,
        )


class PreviewSession(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company: Annotated[str, StringConstraints(max_length=200)] | None = None
    role_title: Annotated[str, StringConstraints(max_length=200)] | None = None
    stage_reached: str | None = Field(default=None, max_length=32)
    outcome: str | None = Field(default=None, max_length=32)
    posting: dict[str, Any] = Field(default_factory=dict, max_length=10)


class PreviewHistory(BaseModel):
    model_config = ConfigDict(extra="forbid")

    diagnoses: Integer = Field(default=0, ge=0, le=100_000)
    in_person: Integer = Field(default=0, ge=0, le=100_000)
    on_paper: Integer = Field(default=0, ge=0, le=100_000)
    direction: Integer = Field(default=0, ge=0, le=100_000)


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any] = Field(default_factory=dict, max_length=200)
    feedback: dict[str, Any] = Field(default_factory=dict, max_length=200)
    session: PreviewSession = Field(default_factory=PreviewSession)
    history: PreviewHistory = Field(default_factory=PreviewHistory)
    rule_set: RuleSetContent | None = Field(
        default=None, description="An inline rule set to try; default: your active one."
    )
    locale: Locale | None = Field(
        default=None, description="The language of the explanations; overrides Accept-Language."
    )


class DiagnosisCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule_set: (
        Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,63}@[0-9]{1,7}$")] | None
    ) = Field(default=None, description="`key@version` to use instead of your active rule set.")
    create_action_items: StrictBool = Field(
        default=False, description="Turn next steps into action items (never twice)."
    )
    locale: Locale | None = Field(
        default=None,
        description="The language of the explanations; default: the session's, then the "
        "candidate's, then Accept-Language.",
    )


class DiagnosisRead(BaseModel):
    id: str = Field(examples=["dgn_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    session_id: str
    inputs_hash: str
    created_at: datetime
    verdict: VerdictRead
    locale: str = Field(description="The language its texts are written in (Content-Language).")
    action_items_created: list[str] = Field(default_factory=list)
