"""A checked rule set laid out for evaluation, once: each rule's condition compiled, the
explanation split, and everything that does not depend on the inputs worked out ahead
(which rules read which unanswered field and how much they weigh, the score of a factor
or a category that only one rule or no rule speaks for)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from app.rules.combination import Evidence
from app.rules.compiler import Evaluator, compile_condition
from app.rules.conditions import DEFAULT_LIMITS, arguments, fields_read
from app.rules.definition import Category, Rule
from app.rules.explain import Template
from app.rules.limits import RULE_LIMITS
from app.rules.verdict import Step

EVIDENCE_ROOTS = ("answers.", "feedback.")


@dataclass(frozen=True, slots=True)
class RulePlan:
    index: int
    id: str
    category: str
    factor: str
    cf: float
    when: Evaluator
    tree: Any  # the condition: what held, when it is not an `and` or an `or`
    held: list[Any] | None  # an `and`'s parts: all of them hold whenever the rule fires
    clauses: tuple[tuple[Any, Evaluator], ...]  # an `or`'s parts, to say which held
    because: Template
    needs: tuple[str, ...]  # fields `because` names: without a value the rule cannot explain itself
    steps: tuple[Step, ...]  # shared, never changed
    evidence: tuple[str, ...]  # answers./feedback. fields it reads
    weight: float  # |cf|: how much an unanswered field it reads could move the verdict
    source: str  # the roots it reads: evidence from one source is not independent
    alone: float  # its factor's score when it is the only rule of the factor that fired
    alone_in_category: float  # its category's score when it is the only rule of it that fired


@dataclass(frozen=True, slots=True)
class CategoryPlan:
    key: str
    label: str
    zeros: dict[str, float]  # each factor's score when no rule of it fired; copied, never changed
    unmoved: float  # its score when no rule of it fired


@dataclass(frozen=True, slots=True)
class Readers:
    """The rules that read an answer field, for the weight its absence carries."""

    indices: frozenset[int]
    weights: tuple[tuple[int, float], ...]  # (rule index, weight) in rule order
    total: float  # the weights summed in rule order: when none of the rules fired


def _clauses(tree: dict[str, Any], fields: Collection[str]) -> tuple[tuple[Any, Evaluator], ...]:
    return tuple(
        (part, compile_condition(part, fields, DEFAULT_LIMITS, flat=True))
        for part in arguments(tree)
    )


def plan_rule(
    index: int,
    rule: Rule,
    fields: Collection[str],
    category: CategoryPlan,
    combiners: tuple[Callable[[Evidence], float], Callable[[list[float]], float]],
) -> RulePlan:
    combine_factor, combine_category = combiners
    (operator,) = rule.when
    read = fields_read(rule.when)
    source = "+".join(sorted({f.split(".", 1)[0] for f in read}))
    because = Template(rule.because)
    alone = round(combine_factor([(rule.cf, source)]), 4)
    factor_scores = category.zeros | {rule.factor: alone}
    return RulePlan(
        index=index,
        id=rule.id,
        category=rule.category,
        factor=rule.factor,
        cf=rule.cf,
        when=compile_condition(rule.when, fields, RULE_LIMITS, flat=True),
        tree=rule.when,
        held=arguments(rule.when) if operator == "and" else None,
        clauses=_clauses(rule.when, fields) if operator == "or" else (),
        because=because,
        needs=because.fields,
        steps=tuple(
            Step(s.id, s.priority, s.text, rule.category, rule.id) for s in rule.next_steps
        ),
        evidence=tuple(sorted(f for f in read if f.startswith(EVIDENCE_ROOTS))),
        weight=abs(rule.cf),
        source=source,
        alone=alone,
        alone_in_category=round(combine_category(list(factor_scores.values())), 4),
    )


def plan_category(
    category: Category, combine_category: Callable[[list[float]], float]
) -> CategoryPlan:
    zeros = dict.fromkeys(category.factors, 0.0)
    unmoved = round(combine_category(list(zeros.values())), 4)
    return CategoryPlan(category.key, category.label, zeros, unmoved)


def readers_of(rules: tuple[RulePlan, ...]) -> dict[str, Readers]:
    weights: dict[str, list[tuple[int, float]]] = {}
    for rule in rules:
        for name in rule.evidence:
            weights.setdefault(name, []).append((rule.index, rule.weight))
    readers = {}
    for name in sorted(weights):
        total = 0.0
        for _, weight in weights[name]:
            total = total + weight
        readers[name] = Readers(
            frozenset(index for index, _ in weights[name]), tuple(weights[name]), total
        )
    return readers
