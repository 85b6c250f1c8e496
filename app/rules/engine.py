"""The diagnosis engine: rules with certainty factors, combined as the rule set says, explained.

Pure: a rule set is checked and compiled once into a plan (`rule_plan`): a closure per
condition, and what does not depend on the inputs worked out ahead. Once it has served
more evaluations than one request makes (`written_out_after`), which rules fire is said by
one function written out for it (`firing_code`).
Evaluating it visits each rule once, so the cost is bounded by the size of the rule set.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from operator import attrgetter, neg
from typing import Any

from app.rules.combination import COMBINERS, Evidence, combine, combine_all
from app.rules.conditions import ConditionLimits, check_condition
from app.rules.definition import Combination, RuleSetContent
from app.rules.explain import ENGLISH, MAX_FILLED_CHARS, Labels, Wording, template_problems
from app.rules.firing_code import firing_function
from app.rules.limits import MAX_EXPLANATIONS_CHARS, RULE_LIMITS, LimitProblem, screen
from app.rules.rule_plan import (
    EVIDENCE_ROOTS,
    CategoryPlan,
    RulePlan,
    plan_category,
    plan_rule,
    readers_of,
)
from app.rules.verdict import CategoryScore, FiredRule, Step, Verdict

__all__ = [
    "COMBINERS",
    "EVIDENCE_ROOTS",
    "CategoryScore",
    "CompiledRuleSet",
    "Evidence",
    "FiredRule",
    "InvalidRuleSet",
    "Step",
    "Verdict",
    "combine",
    "combine_all",
    "content_hash",
    "run_tests",
]

MIXED = "mixed"
INCONCLUSIVE = "inconclusive"
MAX_MISSING = 5
_score = attrgetter("score")


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
        if type(value) is dict:  # `_flatten_into(root, value, flat, 1)`, its first level inline
            for key, inner in value.items():
                name = f"{root}.{key}"
                if type(inner) is dict:
                    _flatten_into(name, inner, flat, 2)
                else:
                    flat[name] = inner
        else:
            flat[root] = value
    return flat


def _answered(flat: Mapping[str, Any]) -> int:
    """Answers given; an empty list is one ("no credentials missing")."""
    count = 0
    for name, value in flat.items():
        if name.startswith(EVIDENCE_ROOTS) and value is not None and value != "":
            count += 1
    return count


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
        combiners = COMBINERS[content.combination]
        self.combine_factor, self.combine_category = combiners
        self.thresholds = content.thresholds
        self.categories: tuple[CategoryPlan, ...] = tuple(
            plan_category(category, self.combine_category) for category in content.categories
        )
        by_key = {category.key: category for category in self.categories}
        self.rules: tuple[RulePlan, ...] = tuple(
            plan_rule(index, rule, fields, by_key[rule.category], combiners)
            for index, rule in enumerate(content.rules)
        )
        self.history_fields = {c.key: f"history.{c.key}" for c in content.categories}
        self.readers = readers_of(self.rules)
        self.evidence_fields = tuple(self.readers)
        self.evidence_set = frozenset(self.evidence_fields)
        self.reader_items = tuple(self.readers.items())
        self._evaluations = 0
        self._fired_rules: Callable[[Mapping[str, Any]], list[RulePlan]] = self._fired_by_closures

    # Evaluations through the rules' closures before the rule set is written out as one
    # function (up to ~40 ms for the largest rule set the limits allow): more than any one
    # request makes (a test run: 50 tests and 50 samples at most), so only a rule set kept
    # and used again by later requests, as an active one is, pays for it.
    written_out_after = 256

    def _fired_by_closures(self, flat: Mapping[str, Any]) -> list[RulePlan]:
        """The rules whose condition holds and whose explanation has its values, in order."""
        self._evaluations += 1
        if self._evaluations > self.written_out_after:
            self._fired_rules = firing_function(self.rules)
            return self._fired_rules(flat)
        get = flat.get
        fired = []
        for rule in self.rules:
            if rule.when(flat):
                for name in rule.needs:  # without a value the rule cannot explain itself
                    value = get(name)
                    if value is None or value == "":
                        break
                else:
                    fired.append(rule)
        return fired

    def evaluate(
        self, inputs: Mapping[str, Any], askable: Collection[str] | None = None
    ) -> Verdict:
        """`askable`: the answer fields a person could still be asked given the answers so
        far; only those are reported as missing (all fields read, when not given)."""
        flat = flatten(inputs)
        get = flat.get
        fired_plans = self._fired_rules(flat)
        fired: list[FiredRule] = []
        labels, wording = self.value_labels, self.wording
        budget = MAX_EXPLANATIONS_CHARS  # only a rule set published before the limits needs it
        for rule in fired_plans:
            if rule.held is not None:
                held = rule.held
            elif rule.clauses:
                held = [part for part, holds in rule.clauses if holds(flat)]
            else:
                held = [rule.tree]
            limit = budget if budget < MAX_FILLED_CHARS else MAX_FILLED_CHARS
            because = rule.because.fill(flat, labels, limit, wording)
            budget -= len(because)
            fired.append(FiredRule(rule.id, rule.category, rule.factor, rule.cf, because, held))
        categories = self._scores(fired_plans)
        steps = [step for rule in fired_plans for step in rule.steps]
        missing = self._missing(get, askable, {rule.index for rule in fired_plans})
        return self._verdict(flat, categories, fired, steps, missing)

    def _scores(self, fired: list[RulePlan]) -> list[CategoryScore]:
        """Each category's score, highest first; a factor's is its rules' combined."""
        by_category: dict[str, list[RulePlan]] = {}
        for rule in fired:
            group = by_category.get(rule.category)
            if group is None:
                by_category[rule.category] = [rule]
            else:
                group.append(rule)
        categories = []
        for category in self.categories:
            rules = by_category.get(category.key)
            factor_scores = category.zeros.copy()
            if rules is None:
                score = category.unmoved
            elif len(rules) == 1:
                (rule,) = rules
                factor_scores[rule.factor] = rule.alone
                score = rule.alone_in_category
            else:
                score = self._combined(rules, factor_scores)
            categories.append(CategoryScore(category.key, category.label, score, factor_scores))
        categories.sort(key=_score, reverse=True)  # stable, as sorting by -score is
        return categories

    def _combined(self, rules: list[RulePlan], factor_scores: dict[str, float]) -> float:
        """A category's score from its rules that fired, each factor's filled in."""
        by_factor: dict[str, list[RulePlan]] = {}
        for rule in rules:
            by_factor.setdefault(rule.factor, []).append(rule)
        for factor, group in by_factor.items():
            if len(group) == 1:
                factor_scores[factor] = group[0].alone
            else:
                evidence = [(rule.cf, rule.source) for rule in group]
                factor_scores[factor] = round(self.combine_factor(evidence), 4)
        return round(self.combine_category(list(factor_scores.values())), 4)

    def _missing(
        self, get: Callable[[str], Any], askable: Collection[str] | None, fired: set[int]
    ) -> dict[str, float]:
        """Each unanswered field a rule that did not fire reads (and a person could still
        be asked), with the weight of those rules summed in rule order."""
        missing: dict[str, float] = {}
        if askable is None:
            askable = self.evidence_set
        for name, readers in self.reader_items:
            if name not in askable or get(name) is not None:
                continue
            if fired.isdisjoint(readers.indices):
                missing[name] = readers.total
                continue
            total: float | None = None
            for index, weight in readers.weights:
                if index not in fired:
                    total = (0.0 if total is None else total) + weight
            if total is not None:
                missing[name] = total
        return missing

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
        next_steps = steps
        if steps:
            weight = {c.key: c.score for c in categories}
            unique: dict[str, Step] = {}
            for step in sorted(steps, key=lambda s: (s.priority, -weight.get(s.category, 0.0))):
                unique.setdefault(step.id, step)
            next_steps = list(unique.values())
        # By weight, heaviest first, then by name (names never tie).
        weights = map(neg, missing_weight.values())
        missing = [name for _, name in sorted(zip(weights, missing_weight, strict=True))]
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
            next_steps=next_steps,
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
