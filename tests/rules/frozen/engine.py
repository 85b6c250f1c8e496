"""FROZEN at 652701a (main before the engine was compiled into a plan): the reference the
differential tests compare the current code against. Do not edit.

The diagnosis engine: rules with certainty factors, combined as the rule set says, explained.

Pure: a rule set is checked and compiled once into closures; evaluating it walks each rule
once, so the cost is bounded by the size of the rule set.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.rules.conditions import (
    DEFAULT_LIMITS,
    ConditionLimits,
    arguments,
    check_condition,
    fields_read,
)
from app.rules.definition import Combination, RuleSetContent
from app.rules.limits import MAX_EXPLANATIONS_CHARS, RULE_LIMITS, LimitProblem, screen
from tests.rules.frozen.compiler import Evaluator, compile_condition
from tests.rules.frozen.explain import (
    ENGLISH,
    MAX_FILLED_CHARS,
    Labels,
    Template,
    Wording,
    template_problems,
)

MIXED = "mixed"
INCONCLUSIVE = "inconclusive"
EVIDENCE_ROOTS = ("answers.", "feedback.")
MAX_MISSING = 5


def combine(a: float, b: float) -> float:
    """MYCIN's combination of two certainty factors."""
    if a >= 0 and b >= 0:
        return a + b - a * b
    if a < 0 and b < 0:
        return a + b + a * b
    denominator = 1 - min(abs(a), abs(b))
    return (a + b) / denominator if denominator else 0.0  # certain for and against: no verdict


def combine_all(values: list[float]) -> float:
    result = 0.0
    for value in values:
        result = combine(result, value) if result or value else 0.0
    return result


def strongest(evidence: list[tuple[float, str]]) -> float:
    """Per source, the strongest evidence for and the strongest against; sources combine.

    A source is what a rule reads (`answers`, `feedback`, `history`, ...). Signals from one
    source are one observation seen several ways (a low self-rating, a bored interviewer
    and an unsaid pitch all come from the candidate's memory of one hour), so only the
    strongest counts; independent sources (the interviewer's word, earlier rejections)
    reinforce each other the MYCIN way.
    """
    for_: dict[str, float] = {}
    against: dict[str, float] = {}
    for cf, source in evidence:
        if cf > 0:
            for_[source] = max(cf, for_.get(source, 0.0))
        elif cf < 0:
            against[source] = min(cf, against.get(source, 0.0))
    return combine_all([combine_all(list(for_.values())), combine_all(list(against.values()))])


def _mycin_factor(evidence: list[tuple[float, str]]) -> float:
    return combine_all([cf for cf, _ in evidence])


def strongest_factor(values: list[float]) -> float:
    """A category is as strong as its strongest factor; with none for it, its strongest against."""
    return max((v for v in values if v > 0), default=min(values, default=0.0))


def mycin_category(values: list[float]) -> float:
    score = 0.0
    for value in values:
        if value:
            score = combine(score, value) if score else value
    return score


Evidence = list[tuple[float, str]]  # (certainty factor, source) of each rule that fired
COMBINERS: dict[Combination, tuple[Callable[[Evidence], float], Callable[[list[float]], float]]]
COMBINERS = {
    Combination.CERTAINTY_FACTORS: (_mycin_factor, mycin_category),
    Combination.STRONGEST_EVIDENCE: (strongest, strongest_factor),
}


def content_hash(content: RuleSetContent) -> str:
    dumped = content.model_dump(mode="json")
    if content.combination is Combination.CERTAINTY_FACTORS:
        # The historical default is left out, so rule sets written before the choice
        # existed keep the hash their published versions and diagnoses were stored with.
        del dumped["combination"]
    canonical = json.dumps(dumped, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class RuleProblem:
    pointer: str
    message: str
    limit: LimitProblem | None = None  # set when a documented limit is exceeded


class InvalidRuleSet(ValueError):
    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.pointer}: {p.message}" for p in problems))


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


_FLATTEN_DEPTH = 3


def _flatten_into(prefix: str, mapping: Mapping[str, Any], out: dict[str, Any], depth: int) -> None:
    for key, value in mapping.items():
        name = f"{prefix}.{key}"
        if type(value) is dict and depth < _FLATTEN_DEPTH:
            _flatten_into(name, value, out, depth + 1)
        else:
            out[name] = value


def flatten(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """`{"session": {"posting": {"url": u}}}` becomes `{"session.posting.url": u}`."""
    flat: dict[str, Any] = {}
    for root, value in inputs.items():
        if type(value) is dict:
            _flatten_into(root, value, flat, 1)
        else:
            flat[root] = value
    return flat


def _answered(flat: Mapping[str, Any]) -> int:
    """Answers given; an empty list is one ("no credentials missing")."""
    return sum(
        1
        for name, value in flat.items()
        if name.startswith(EVIDENCE_ROOTS) and value is not None and value != ""
    )


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    id: str
    category: str
    factor: str
    cf: float
    when: Evaluator
    clauses: tuple[tuple[Any, Evaluator], ...]  # top-level parts, to say which held
    held: list[Any] | None  # when all of them hold whenever the rule fires (an `and`)
    because: Template
    needs: tuple[str, ...]  # fields `because` names: without a value the rule cannot explain itself
    steps: tuple[Step, ...]  # shared, never changed
    evidence: tuple[str, ...]  # answers./feedback. fields it reads
    weight: float  # |cf|: how much an unanswered field it reads could move the verdict
    source: str  # the roots it reads: evidence from one source is not independent
    key: tuple[str, str]  # (category, factor): the evidence it adds to


def limit_problems(content: RuleSetContent) -> list[RuleProblem]:
    exceeded = screen(content.model_dump(mode="json"))
    return [] if exceeded is None else [RuleProblem(exceeded.pointer, exceeded.message, exceeded)]


def rule_set_problems(
    content: RuleSetContent, fields: Collection[str], limits: ConditionLimits = RULE_LIMITS
) -> list[RuleProblem]:
    problems: list[RuleProblem] = []
    categories: dict[str, set[str]] = {}
    for index, category in enumerate(content.categories):
        if category.key in categories:
            problems.append(RuleProblem(f"/categories/{index}/key", "categories repeat"))
        categories[category.key] = set(category.factors)
    if content.categories and len(categories) < 2:
        problems.append(RuleProblem("/categories", "a verdict needs at least two categories"))
    seen: set[str] = set()
    for index, rule in enumerate(content.rules):
        base = f"/rules/{index}"
        if rule.id in seen:
            problems.append(RuleProblem(f"{base}/id", "rule ids repeat"))
        seen.add(rule.id)
        if rule.category not in categories:
            problems.append(
                RuleProblem(f"{base}/category", f"undeclared category {rule.category!r}")
            )
        elif rule.factor not in categories[rule.category]:
            problems.append(
                RuleProblem(f"{base}/factor", f"{rule.factor!r} is not a factor of {rule.category}")
            )
        problems += [
            RuleProblem(f"{base}/when{p.pointer}", p.message)
            for p in check_condition(rule.when, fields, limits)
        ]
        problems += [
            RuleProblem(f"{base}/because", message)
            for message in template_problems(rule.because, fields)
        ]
    expected = set(categories) | {MIXED, INCONCLUSIVE}
    for index, test in enumerate(content.tests):
        if test.expect.primary_category not in expected:
            problems.append(
                RuleProblem(f"/tests/{index}/expect/primary_category", "no such outcome")
            )
        for rule_id in test.expect.fired:
            if rule_id not in seen:
                problems.append(RuleProblem(f"/tests/{index}/expect/fired", f"no rule {rule_id!r}"))
    return problems


def _clauses(tree: dict[str, Any], fields: Collection[str]) -> tuple[tuple[Any, Evaluator], ...]:
    (operator,) = tree
    parts = arguments(tree) if operator in ("and", "or") else [tree]
    return tuple(
        (part, compile_condition(part, fields, DEFAULT_LIMITS, flat=True)) for part in parts
    )


class CompiledRuleSet:
    """`labels` maps a field to the words for its values (`final_interview` to "final
    interview"), so explanations never show a code."""

    def __init__(
        self,
        content: RuleSetContent,
        fields: Collection[str],
        labels: Labels | None = None,
        *,
        screened: bool = False,
        wording: Wording = ENGLISH,
    ) -> None:
        """`screened`: its limits were checked already (or, for a version published
        before a limit existed, are not to be held against it: filling stays bounded)."""
        problems = ([] if screened else limit_problems(content)) or rule_set_problems(
            content, fields
        )
        if problems:
            raise InvalidRuleSet(problems)
        self.content = content
        self.hash = content_hash(content)
        self.value_labels: Labels = labels or {}
        self.wording = wording
        self.combine_factor, self.combine_category = COMBINERS[content.combination]
        self.labels = {c.key: c.label for c in content.categories}
        self.factors = {c.key: tuple(c.factors) for c in content.categories}
        self.history_fields = {c.key: f"history.{c.key}" for c in content.categories}
        self.thresholds = content.thresholds
        self.rules = tuple(
            _CompiledRule(
                rule.id,
                rule.category,
                rule.factor,
                rule.cf,
                compile_condition(rule.when, fields, RULE_LIMITS, flat=True),
                _clauses(rule.when, fields),
                arguments(rule.when) if "and" in rule.when else None,
                Template(rule.because),
                Template(rule.because).fields,
                tuple(
                    Step(s.id, s.priority, s.text, rule.category, rule.id) for s in rule.next_steps
                ),
                tuple(sorted(f for f in fields_read(rule.when) if f.startswith(EVIDENCE_ROOTS))),
                abs(rule.cf),
                "+".join(sorted({f.split(".", 1)[0] for f in fields_read(rule.when)})),
                (rule.category, rule.factor),
            )
            for rule in content.rules
        )
        self.evidence_fields = tuple(sorted({f for rule in self.rules for f in rule.evidence}))

    def evaluate(
        self, inputs: Mapping[str, Any], askable: Collection[str] | None = None
    ) -> Verdict:
        """`askable`: the answer fields a person could still be asked given the answers so
        far; only those are reported as missing (all fields read, when not given)."""
        flat = flatten(inputs)
        get = flat.get
        fired: list[FiredRule] = []
        steps: list[Step] = []
        by_factor: dict[tuple[str, str], Evidence] = {}
        missing_weight: dict[str, float] = {}
        budget = MAX_EXPLANATIONS_CHARS  # only a rule set published before the limits needs it
        # The answers a rule that does not fire could still be waiting for.
        unanswered = {
            name
            for name in self.evidence_fields
            if get(name) is None and (askable is None or name in askable)
        }
        for rule in self.rules:
            fires = bool(rule.when(flat))
            if fires:
                for name in rule.needs:  # without a value the rule cannot explain itself
                    value = get(name)
                    if value is None or value == "":
                        fires = False
                        break
            if fires:
                held = (
                    rule.held
                    if rule.held is not None
                    else [part for part, holds in rule.clauses if holds(flat)]
                )
                because = rule.because.fill(
                    flat, self.value_labels, min(MAX_FILLED_CHARS, budget), self.wording
                )
                budget -= len(because)
                fired.append(FiredRule(rule.id, rule.category, rule.factor, rule.cf, because, held))
                evidence = by_factor.get(rule.key)
                if evidence is None:
                    by_factor[rule.key] = [(rule.cf, rule.source)]
                else:
                    evidence.append((rule.cf, rule.source))
                steps.extend(rule.steps)
            else:
                for name in rule.evidence:
                    if name in unanswered:
                        missing_weight[name] = missing_weight.get(name, 0.0) + rule.weight
        categories = []
        for key, factors in self.factors.items():
            factor_scores: dict[str, float] = {}
            for factor in factors:
                cfs = by_factor.get((key, factor))
                factor_scores[factor] = round(self.combine_factor(cfs), 4) if cfs else 0.0
            score = self.combine_category(list(factor_scores.values()))
            categories.append(CategoryScore(key, self.labels[key], round(score, 4), factor_scores))
        categories.sort(key=lambda c: -c.score)
        return self._verdict(flat, categories, fired, steps, missing_weight)

    def _verdict(
        self,
        flat: Mapping[str, Any],
        categories: list[CategoryScore],
        fired: list[FiredRule],
        steps: list[Step],
        missing_weight: dict[str, float],
    ) -> Verdict:
        top = categories[0]
        second = categories[1] if len(categories) > 1 else None
        margin = round(top.score - (second.score if second else 0.0), 4)
        answered = _answered(flat)
        thresholds = self.thresholds
        if answered < thresholds.min_answers or top.score < thresholds.min_confidence:
            primary = INCONCLUSIVE
        elif (
            second is not None
            and second.score >= thresholds.min_confidence
            and (margin < thresholds.mixed_margin)
        ):
            primary = MIXED
        else:
            primary = top.key
        weight = {c.key: c.score for c in categories}
        unique: dict[str, Step] = {}
        for step in sorted(steps, key=lambda s: (s.priority, -weight.get(s.category, 0.0))):
            unique.setdefault(step.id, step)
        missing = sorted(missing_weight, key=lambda name: (-missing_weight[name], name))
        history = self.history_fields
        pattern = [
            c.key for c in categories if c.score > 0 and (flat.get(history[c.key]) or 0) >= 2
        ]
        return Verdict(
            primary_category=primary,
            confidence=max(top.score, 0.0),
            margin=margin,
            categories=categories,
            fired_rules=fired,
            next_steps=list(unique.values()),
            missing=missing[:MAX_MISSING],
            answered=answered,
            history_pattern=pattern,
        )


@dataclass(frozen=True)
class TestResult:
    name: str
    passed: bool
    expected: str
    actual: str
    missing_rules: list[str]


def run_tests(
    compiled: CompiledRuleSet,
    tests: list[Any] | None = None,
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> list[TestResult]:
    """Run embedded (or given) tests; `prepare` derives facts as diagnoses do."""
    results = []
    for test in compiled.content.tests if tests is None else tests:
        inputs = test.inputs.model_dump()
        verdict = compiled.evaluate(prepare(inputs) if prepare else inputs)
        fired = {rule.id for rule in verdict.fired_rules}
        missing_rules = [rule_id for rule_id in test.expect.fired if rule_id not in fired]
        results.append(
            TestResult(
                name=test.name,
                passed=verdict.primary_category == test.expect.primary_category
                and not missing_rules,
                expected=test.expect.primary_category,
                actual=verdict.primary_category,
                missing_rules=missing_rules,
            )
        )
    return results
