"""Diagnoses per second on one core: the default rule set, and a generated 100-rule set.

    .venv/bin/python bench/engine.py [--seconds 3] [--smoke]

Every diagnosis includes its explanations (filled `because` texts, held conditions, next
steps, missing evidence). Targets: 30,000/s for the default set, 5,000/s for 100 rules.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

# Run as a script, the repository, not bench/, goes first: bench/http.py must not shadow
# the standard library. Imported (`bench.engine`, as the tests do), the path stays as it is.
if not __package__:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from app.diagnosis.builtin import DEFAULT_RULE_SET
from app.diagnosis.variables import KNOWN_FIELDS, prepare_inputs
from app.rules.definition import RuleSetContent
from app.rules.engine import CompiledRuleSet

TARGETS = {"default": 30_000, "generated-100": 5_000}


def generated_rule_set(count: int = 100) -> CompiledRuleSet:
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


def sample_inputs() -> list[dict[str, Any]]:
    """The default set's own test inputs: a spread of verdicts, from one to many rules."""
    return [prepare_inputs(t.inputs.model_dump()) for t in DEFAULT_RULE_SET.compiled.content.tests]


def measure(compiled: CompiledRuleSet, seconds: float) -> tuple[float, int]:
    cases = sample_inputs()
    done = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for case in cases:
            verdict = compiled.evaluate(case)
            assert verdict.primary_category
        done += len(cases)
    return done / (time.perf_counter() - started), done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per case (default 3)")
    parser.add_argument(
        "--smoke", action="store_true", help="CI: a moment per case, no judging of the figures"
    )
    args = parser.parse_args()
    if args.smoke:
        args.seconds = 0.2
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    failed = False
    print(f"{'rule set':<16}{'rules':>7}{'diagnoses/s':>14}{'target':>10}  result")
    for name, compiled in (
        ("default", DEFAULT_RULE_SET.compiled),
        ("generated-100", generated_rule_set()),
    ):
        rate, _ = measure(compiled, args.seconds)
        ok = rate >= TARGETS[name]
        failed |= not ok
        print(
            f"{name:<16}{len(compiled.rules):>7}{rate:>14,.0f}{TARGETS[name]:>10,}  "
            f"{'ok' if ok else 'BELOW TARGET'}"
        )
    return 1 if failed and not args.smoke else 0


if __name__ == "__main__":
    sys.exit(main())
