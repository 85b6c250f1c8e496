"""What an evaluation gives: the categories scored, the rules that fired and why, the
next steps, the answers that could still change it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class FiredRule:
    id: str
    category: str
    factor: str
    cf: float
    because: str
    held: list[Any]


@dataclass(slots=True)
class Step:
    id: str
    priority: int
    text: str
    category: str
    rule_id: str


@dataclass(slots=True)
class CategoryScore:
    key: str
    label: str
    score: float
    factors: dict[str, float]


@dataclass(slots=True)
class Verdict:
    primary_category: str
    confidence: float
    margin: float
    categories: list[CategoryScore]
    fired_rules: list[FiredRule]
    next_steps: list[Step]
    missing: list[str]
    answered: int = 0
    history_pattern: list[str] = field(default_factory=list)
