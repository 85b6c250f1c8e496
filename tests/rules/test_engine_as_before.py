"""`CompiledRuleSet.evaluate` gives what it gave before its loop was tightened (the
previous loop is kept here as the reference): every verdict, explanation and missing
answer alike, over the default rule set in every locale and a generated 100-rule set,
for varied, partial and odd answers, with and without `askable`."""

from __future__ import annotations

import copy
import random
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from app.diagnosis.builtin import DEFAULT_RULE_SET
from app.diagnosis.builtin_locales import in_locale
from app.diagnosis.variables import KNOWN_FIELDS, prepare_inputs
from app.i18n.locales import BUILTIN_LOCALES
from app.rules.definition import RuleSetContent
from app.rules.engine import (
    MAX_EXPLANATIONS_CHARS,
    CategoryScore,
    CompiledRuleSet,
    Evidence,
    FiredRule,
    Step,
    Verdict,
    flatten,
)
from app.rules.explain import MAX_FILLED_CHARS
from tests.diagnosis.personas import PERSONAS


def _has_value(value: Any) -> bool:
    return value is not None and value != ""


def previous_evaluate(
    self: CompiledRuleSet, inputs: Mapping[str, Any], askable: Collection[str] | None = None
) -> Verdict:
    flat = flatten(inputs)
    fired: list[FiredRule] = []
    steps: list[Step] = []
    by_factor: dict[tuple[str, str], Evidence] = {}
    missing_weight: dict[str, float] = {}
    budget = MAX_EXPLANATIONS_CHARS
    for rule in self.rules:
        if rule.when(flat) and all(_has_value(flat.get(name)) for name in rule.needs):
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
            by_factor.setdefault((rule.category, rule.factor), []).append((rule.cf, rule.source))
            steps.extend(rule.steps)
        else:
            for name in rule.evidence:
                if flat.get(name) is None and (askable is None or name in askable):
                    missing_weight[name] = missing_weight.get(name, 0.0) + rule.weight
    categories = []
    for key, factors in self.factors.items():
        factor_scores: dict[str, float] = {}
        for factor in factors:
            cfs = by_factor.get((key, factor))
            factor_scores[factor] = round(self.combine_factor(cfs) if cfs else 0.0, 4)
        score = self.combine_category(list(factor_scores.values()))
        categories.append(CategoryScore(key, self.labels[key], round(score, 4), factor_scores))
    categories.sort(key=lambda c: -c.score)
    verdict = self._verdict(flat, categories, fired, steps, missing_weight)
    verdict.history_pattern = [
        c.key for c in categories if c.score > 0 and (flat.get(f"history.{c.key}") or 0) >= 2
    ]
    return verdict


def _generated(count: int = 100) -> CompiledRuleSet:
    base = DEFAULT_RULE_SET.compiled.content
    templates = [rule.model_dump(mode="json") for rule in base.rules]
    rules = []
    for index in range(count):
        rule = dict(templates[index % len(templates)])
        rule["id"] = f"{rule['id']}_{index}"
        rule["cf"] = round(max(-1.0, min(1.0, rule["cf"] * (0.5 + (index % 5) / 10))), 2)
        rules.append(rule)
    content = base.model_dump(mode="json") | {"rules": rules, "tests": []}
    return CompiledRuleSet(RuleSetContent.model_validate(content), KNOWN_FIELDS)


def _inputs() -> Iterator[dict[str, Any]]:
    seeds = [t.inputs.model_dump() for t in DEFAULT_RULE_SET.compiled.content.tests]
    seeds += [persona.inputs() for persona in PERSONAS]
    values: dict[tuple[str, str], list[Any]] = {}
    for seed in seeds:
        for root in ("answers", "feedback"):
            for key, value in seed.get(root, {}).items():
                values.setdefault((root, key), []).append(value)
    yield from copy.deepcopy(seeds)
    rng = random.Random(14)  # noqa: S311 (test data)
    for _ in range(400):
        case = copy.deepcopy(rng.choice(seeds))
        for (root, key), seen in values.items():
            roll = rng.random()
            if roll < 0.2:
                case.setdefault(root, {}).pop(key, None)
            elif roll < 0.3:
                case.setdefault(root, {})[key] = rng.choice([None, "", [], 0])
            elif roll < 0.6:
                case.setdefault(root, {})[key] = copy.deepcopy(rng.choice(seen))
        case["history"] = {
            "diagnoses": rng.randint(0, 5),
            **{c: rng.randint(0, 3) for c in ("in_person", "on_paper", "direction")},
        }
        yield case


def test_evaluate_as_before() -> None:
    rule_sets = [in_locale(DEFAULT_RULE_SET.compiled, locale)[0] for locale in BUILTIN_LOCALES]
    rule_sets.append(_generated())
    fields = sorted({f for rs in rule_sets for rule in rs.rules for f in rule.evidence})
    rng = random.Random(41)  # noqa: S311 (test data)
    compared = 0
    for raw in _inputs():
        inputs = prepare_inputs(raw)
        for compiled in rule_sets:
            for askable in (None, set(fields), set(rng.sample(fields, len(fields) // 2)), set()):
                expected = previous_evaluate(compiled, inputs, askable)
                assert compiled.evaluate(inputs, askable) == expected
                compared += 1
    assert compared > 5_000
