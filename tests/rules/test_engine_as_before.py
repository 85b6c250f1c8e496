"""`CompiledRuleSet.evaluate` gives what it gave before it was compiled into a plan and one
generated function per rule set (the engine of 652701a is kept frozen under
`tests/rules/frozen/` as the reference): every verdict, explanation and missing answer
alike, types included, over the default rule set in every locale and a generated 100-rule
set, for varied, partial and odd answers, with and without `askable`, through the rules'
closures and through the function written out."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

from app.diagnosis.builtin import DEFAULT_RULE_SET
from app.diagnosis.builtin_locales import in_locale
from app.diagnosis.variables import prepare_inputs
from app.i18n.locales import BUILTIN_LOCALES
from bench.engine import generated_rule_set
from tests.diagnosis.personas import PERSONAS
from tests.rules.engines import Engines


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
    rule_sets.append(generated_rule_set())
    engines = [Engines.of(compiled) for compiled in rule_sets]
    fields = sorted({f for rs in rule_sets for f in rs.evidence_fields})
    rng = random.Random(41)  # noqa: S311 (test data)
    compared = 0
    for raw in _inputs():
        inputs = prepare_inputs(raw)
        for pair in engines:
            for askable in (None, set(fields), set(rng.sample(fields, len(fields) // 2)), set()):
                compared += pair.compare(inputs, askable)
    assert compared > 5_000
