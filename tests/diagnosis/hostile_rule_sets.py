"""Hostile rule sets, each with the refusal it must get: what an outside probe sent, and
the rest of the family (huge counts, deep nesting, many placeholders, long literals)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from app.diagnosis.builtin import DEFAULT_RULE_SET

LIMIT_EXCEEDED = "/problems/limit-exceeded"
TOO_LARGE = "/problems/content-too-large"
INVALID = "/problems/validation-error"


def base() -> dict[str, Any]:
    content = copy.deepcopy(DEFAULT_RULE_SET.compiled.content.model_dump(mode="json"))
    content["tests"] = []  # they name the default's rules, which the cases replace
    return content


def a_rule(index: int = 0, **changes: Any) -> dict[str, Any]:
    return {
        "id": f"r{index}",
        "category": "in_person",
        "factor": "impression",
        "cf": 0.5,
        "when": {"==": [{"var": "answers.wanted_job"}, True]},
        "because": "You wanted it.",
        **changes,
    }


def with_rules(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {**base(), "rules": rules}


def with_when(when: Any) -> dict[str, Any]:
    return with_rules([a_rule(when=when)])


def nested(depth: int, leaf: Any, wrap: Any) -> Any:
    tree = leaf
    for _ in range(depth):
        tree = wrap(tree)
    return tree


def sized(target_bytes: int) -> dict[str, Any]:
    """A rule set of about `target_bytes` of JSON: long texts over few enough rules."""
    steps = [{"id": f"s{i}", "priority": 1, "text": "y" * 1000} for i in range(4)]
    rule = a_rule(because="x" * 1000, next_steps=steps)
    per_rule = len(json.dumps(rule, separators=(",", ":")))
    count = target_bytes // per_rule
    return with_rules([{**rule, "id": f"r{i}"} for i in range(count)])


def tiny_rules(count: int) -> dict[str, Any]:
    return with_rules(
        [
            {"id": f"r{i}", "category": "in_person", "factor": "impression", "cf": 0, "when": 1}
            | {"because": "x"}
            for i in range(count)
        ]
    )


def amplifier(rules: int, placeholders: int) -> dict[str, Any]:
    """The probe's preview: a `because` quoting a long answer many times, over many rules."""
    because = "{answers.played_well} " * placeholders
    return with_rules([a_rule(i, because=because.strip()) for i in range(rules)])


def with_test(**test: Any) -> dict[str, Any]:
    content = base()
    content["tests"] = [
        {
            "name": "t",
            "inputs": test.get("inputs", {}),
            "expect": test.get("expect", {"primary_category": "in_person"}),
        }
    ]
    return content


@dataclass(frozen=True)
class Case:
    name: str
    content: dict[str, Any]
    status: int
    type: str
    # Inside the rule set; "/body": the whole request; None: the service's body limit
    # answers before the application runs.
    pointer: str | None
    limit: str | None = None

    @property
    def is_a_limit(self) -> bool:
        """A draft may be stored with other problems (validate lists them), never this."""
        return self.type != INVALID


def cases() -> list[Case]:
    duplicates = with_rules([a_rule(0) for _ in range(300)])
    return [
        Case("705 KB rule set", sized(705 * 1024), 413, TOO_LARGE, "/body", "body_bytes"),
        Case("300 KB rule set", sized(300 * 1024), 413, TOO_LARGE, "", "rule_set_bytes"),
        Case("5 MB rule set", sized(5 * 1024 * 1024), 413, TOO_LARGE, None),
        Case("10,000 rules", tiny_rules(10_000), 413, TOO_LARGE, "/body", "body_bytes"),
        Case("2,000 small rules", tiny_rules(2_000), 422, LIMIT_EXCEEDED, "/rules", "rules"),
        Case(
            "200-deep nesting",
            with_when(nested(200, {"var": "answers.wanted_job"}, lambda t: {"!": t})),
            422,
            LIMIT_EXCEEDED,
            "/rules/0/when",
            "condition_depth",
        ),
        Case(
            "200-deep list literal",
            with_when({"in": [{"var": "answers.wanted_job"}, nested(200, [1], lambda t: [t])]}),
            422,
            LIMIT_EXCEEDED,
            "/rules/0/when",
            "condition_depth",
        ),
        Case(
            "5,000-clause `and`",
            with_when({"and": [{"var": "answers.wanted_job"}] * 5_000}),
            422,
            LIMIT_EXCEEDED,
            "/rules/0/when/and",
            "condition_list_items",
        ),
        Case(
            "100 comparisons in a condition",
            with_when({"or": [{"==": [{"var": "answers.feeling"}, i]} for i in range(100)]}),
            422,
            LIMIT_EXCEEDED,
            "/rules/0/when",
            "condition_nodes",
        ),
        Case(
            "30,000-item `in` list",
            with_when({"in": [{"var": "answers.feeling"}, list(range(30_000))]}),
            422,
            LIMIT_EXCEEDED,
            "/rules/0/when/in/1",
            "condition_list_items",
        ),
        Case(
            "10,000-key object as a condition",
            with_when({f"k{i}": i for i in range(10_000)}),
            422,
            LIMIT_EXCEEDED,
            "/rules/0/when",
            "condition_nodes",
        ),
        Case(
            "200,000-character literal in a condition",
            with_when({"==": [{"var": "answers.played_well"}, "a" * 200_000]}),
            422,
            LIMIT_EXCEEDED,
            "/rules/0/when/==/1",
            "condition_text_chars",
        ),
        Case(
            "34 placeholders on 200 rules (the 230 KB amplifier)",
            amplifier(200, 34),
            422,
            LIMIT_EXCEEDED,
            "/rules/0/because",
            "placeholders",
        ),
        Case(
            "5 placeholders on each of 300 rules",
            amplifier(300, 5),
            422,
            LIMIT_EXCEEDED,
            "/rules/99/because",
            "explanations_chars",
        ),
        Case(
            "100,000-character explanation",
            with_rules([a_rule(because="{" + "a" * 100_000)]),
            422,
            LIMIT_EXCEEDED,
            "/rules/0/because",
            "text_chars",
        ),
        Case(
            "1,000 next steps in a rule",
            with_rules(
                [
                    a_rule(
                        next_steps=[
                            {"id": f"s{i}", "priority": 1, "text": "t"} for i in range(1_000)
                        ]
                    )
                ]
            ),
            422,
            LIMIT_EXCEEDED,
            "/rules/0/next_steps",
            "next_steps",
        ),
        Case(
            "1,000 categories",
            {**base(), "categories": [{"key": "c", "label": "c", "factors": ["f"]}] * 1_000},
            422,
            LIMIT_EXCEEDED,
            "/categories",
            "categories",
        ),
        Case(
            "2,000 embedded tests",
            {**with_test(), "tests": with_test()["tests"] * 2_000},
            422,
            LIMIT_EXCEEDED,
            "/tests",
            "tests",
        ),
        Case(
            "40,000 rule ids a test expects",
            with_test(expect={"primary_category": "in_person", "fired": ["r0"] * 40_000}),
            422,
            LIMIT_EXCEEDED,
            "/tests/0/expect/fired",
            "test_expected_rules",
        ),
        Case(
            "10,000 answers in a test",
            with_test(inputs={"answers": {f"q{i}": i for i in range(10_000)}}),
            422,
            LIMIT_EXCEEDED,
            "/tests/0/inputs/answers",
            "test_inputs",
        ),
        Case("300 rules with one id", duplicates, 422, INVALID, "/rules/1/id"),
    ]
