"""What one rule set may hold and what one evaluation of it may produce.

`screen` checks the raw JSON (before any model is built) in order of cost: its size
first, then the length of each list, then one bounded walk of each condition and text.
A hostile rule set therefore costs the time to read its first offending part, never the
time to validate all of it. The explanation limits make an evaluation's output bounded
whatever the answers: each placeholder shows at most `MAX_VALUE_CHARS` characters, so the
longest a text can become is known before anything is evaluated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.rules.conditions import ConditionLimits
from app.rules.explain import MAX_VALUE_CHARS, PLACEHOLDER, PLURAL

MAX_RULE_SET_BYTES = 256 * 1024  # compact UTF-8 JSON
# A request carrying a rule set, refused unread above this: room for indentation and,
# in a preview, the answers.
MAX_RULE_SET_REQUEST_BYTES = 2 * MAX_RULE_SET_BYTES
MAX_RULES = 300
MAX_CATEGORIES = 10
MAX_FACTORS = 10
MAX_NEXT_STEPS = 5
MAX_TESTS = 50
MAX_TEXT = 1000
MAX_TEST_INPUTS = {"answers": 200, "feedback": 200, "session": 50, "history": 20}
MAX_PLACEHOLDERS = 5  # per explanation
MAX_EXPLANATION_CHARS = 2_000  # one filled explanation, at worst
MAX_EXPLANATIONS_CHARS = 100_000  # all of an evaluation's explanations, at worst
MAX_EVALUATION_BYTES = 1024 * 1024  # one evaluation's JSON, at worst
RULE_LIMITS = ConditionLimits(
    max_depth=10, max_nodes=100, max_list_items=100, max_string_length=200
)

# Serialised, a character takes at most 6 bytes (a control character as \u001f).
_JSON_BYTES_PER_CHAR = 6
# Keys and punctuation of one fired rule, one next step and one factor in a verdict.
_FIRED_RULE_OVERHEAD = 96
_STEP_OVERHEAD = 72
_FACTOR_OVERHEAD = 40
_VERDICT_OVERHEAD = 2048


@dataclass(frozen=True)
class LimitProblem:
    limit: str  # stable name, e.g. "placeholders"
    maximum: int
    pointer: str  # JSON pointer into the rule set
    message: str

    @property
    def too_large(self) -> bool:
        """The whole document is too big (a 413), rather than one part of it (a 422)."""
        return self.limit == "rule_set_bytes"


def json_bytes(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _too_many(value: Any, maximum: int, limit: str, pointer: str, noun: str) -> LimitProblem | None:
    if isinstance(value, list | dict) and len(value) > maximum:
        return LimitProblem(limit, maximum, pointer, f"at most {maximum} {noun}, not {len(value)}")
    return None


def condition_problem(
    tree: Any, pointer: str, limits: ConditionLimits = RULE_LIMITS
) -> LimitProblem | None:
    """Depth, node count, list lengths and text lengths of a condition; stops at the
    first one exceeded, so the walk visits at most `max_nodes` nodes. A node's pointer
    is only spelled out when it is at fault."""
    stack: list[tuple[Any, str, Any, int]] = [(tree, pointer, None, 1)]
    nodes = 0
    while stack:
        node, parent, key, depth = stack.pop()
        nodes += 1
        if nodes > limits.max_nodes or (isinstance(node, dict) and len(node) > limits.max_nodes):
            return LimitProblem(
                "condition_nodes",
                limits.max_nodes,
                pointer,
                f"a condition has at most {limits.max_nodes} parts",
            )
        if depth > limits.max_depth:
            return LimitProblem(
                "condition_depth",
                limits.max_depth,
                pointer,
                f"a condition is nested at most {limits.max_depth} levels deep",
            )
        if type(node) is str:
            if len(node) > limits.max_string_length:
                return LimitProblem(
                    "condition_text_chars",
                    limits.max_string_length,
                    _child(parent, key),
                    f"a text in a condition has at most {limits.max_string_length} characters",
                )
        elif isinstance(node, list):
            here = _child(parent, key)
            if len(node) > limits.max_list_items:
                return LimitProblem(
                    "condition_list_items",
                    limits.max_list_items,
                    here,
                    f"a list in a condition has at most {limits.max_list_items} items",
                )
            stack.extend((item, here, index, depth + 1) for index, item in enumerate(node))
        elif isinstance(node, dict):
            here = _child(parent, key)
            stack.extend((value, here, name, depth + 1) for name, value in node.items())
    return None


def _child(parent: str, key: Any) -> str:
    return parent if key is None else f"{parent}/{_escape(str(key))}"


def _placeholders(template: str) -> tuple[int, int]:
    """How many placeholders `template` has, and the length of its literal text."""
    literal, count = PLACEHOLDER.subn("", template)
    # A count's forms are literal text already; each `#` in them quotes the value.
    count += sum(forms.count("#") for _, forms in PLURAL.findall(template))
    return count, len(literal)


def explanation_chars(template: str) -> int:
    """The longest `template` can become once filled."""
    count, literal = _placeholders(template)
    return literal + count * MAX_VALUE_CHARS


def _explanation_problem(template: str, pointer: str) -> LimitProblem | int:
    """The limit the text exceeds, or the longest it can become once filled."""
    if len(template) > MAX_TEXT:
        return LimitProblem(
            "text_chars", MAX_TEXT, pointer, f"a text has at most {MAX_TEXT} characters"
        )
    count, literal = _placeholders(template)
    if count > MAX_PLACEHOLDERS:
        return LimitProblem(
            "placeholders",
            MAX_PLACEHOLDERS,
            pointer,
            f"an explanation quotes at most {MAX_PLACEHOLDERS} answers, not {count}",
        )
    worst = literal + count * MAX_VALUE_CHARS
    if worst > MAX_EXPLANATION_CHARS:
        return LimitProblem(
            "explanation_chars",
            MAX_EXPLANATION_CHARS,
            pointer,
            f"filled, this explanation could exceed {MAX_EXPLANATION_CHARS} characters",
        )
    return worst


def _rule_output_bytes(rule: dict[str, Any], explained: int) -> int:
    """At worst, what a fired rule and its next steps add to a verdict."""
    steps = rule.get("next_steps")
    echoes = len(str(rule.get("category", ""))) + len(str(rule.get("id", "")))
    step_bytes = (_STEP_OVERHEAD + echoes) * (len(steps) if isinstance(steps, list) else 0)
    return _FIRED_RULE_OVERHEAD + json_bytes(rule) + explained * _JSON_BYTES_PER_CHAR + step_bytes


def _counts_problem(content: dict[str, Any]) -> LimitProblem | None:
    categories = content.get("categories")
    rules = content.get("rules")
    tests = content.get("tests")
    found = (
        _too_many(categories, MAX_CATEGORIES, "categories", "/categories", "categories")
        or _too_many(rules, MAX_RULES, "rules", "/rules", "rules")
        or _too_many(tests, MAX_TESTS, "tests", "/tests", "tests")
    )
    if found or not isinstance(categories, list):
        return found
    for index, category in enumerate(categories):
        if isinstance(category, dict):
            factors = category.get("factors")
            pointer = f"/categories/{index}/factors"
            found = _too_many(factors, MAX_FACTORS, "factors", pointer, "factors")
            if found:
                return found
    return None


def _tests_problem(tests: Any) -> LimitProblem | None:
    if not isinstance(tests, list):
        return None
    for index, test in enumerate(tests):
        if not isinstance(test, dict):
            continue
        inputs = test.get("inputs")
        if isinstance(inputs, dict):
            for root, maximum in MAX_TEST_INPUTS.items():
                pointer = f"/tests/{index}/inputs/{root}"
                found = _too_many(inputs.get(root), maximum, "test_inputs", pointer, "entries")
                if found:
                    return found
        expect = test.get("expect")
        if isinstance(expect, dict):
            fired = expect.get("fired")
            pointer = f"/tests/{index}/expect/fired"
            found = _too_many(fired, MAX_RULES, "test_expected_rules", pointer, "rules")
            if found:
                return found
    return None


def _rules_problem(rules: Any, rule_set_bytes: int) -> LimitProblem | None:
    if not isinstance(rules, list):
        return None
    explained = 0
    output = _VERDICT_OVERHEAD + rule_set_bytes
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        base = f"/rules/{index}"
        found = _too_many(
            rule.get("next_steps"), MAX_NEXT_STEPS, "next_steps", f"{base}/next_steps", "steps"
        )
        found = found or condition_problem(rule.get("when"), f"{base}/when")
        if found:
            return found
        because = rule.get("because")
        worst = _explanation_problem(because, f"{base}/because") if type(because) is str else 0
        if isinstance(worst, LimitProblem):
            return worst
        explained += worst
        if explained > MAX_EXPLANATIONS_CHARS:
            return LimitProblem(
                "explanations_chars",
                MAX_EXPLANATIONS_CHARS,
                f"{base}/because",
                f"filled, the explanations up to this one could exceed "
                f"{MAX_EXPLANATIONS_CHARS} characters in all",
            )
        output += _rule_output_bytes(rule, worst)
        if output > MAX_EVALUATION_BYTES:
            return LimitProblem(
                "evaluation_bytes",
                MAX_EVALUATION_BYTES,
                base,
                f"an evaluation firing the rules up to this one could exceed "
                f"{MAX_EVALUATION_BYTES} bytes",
            )
    return None


def screen(content: Any) -> LimitProblem | None:
    """The first limit a raw rule set exceeds, cheapest check first; None if within all.

    Its size is measured as compact JSON (one pass of the C encoder), not as sent: white
    space does not count, and `1e5` counts as the `100000.0` it is stored as."""
    size = json_bytes(content)
    if size > MAX_RULE_SET_BYTES:
        return LimitProblem(
            "rule_set_bytes",
            MAX_RULE_SET_BYTES,
            "",
            f"a rule set holds at most {MAX_RULE_SET_BYTES} bytes of JSON, not {size}",
        )
    if not isinstance(content, dict):
        return None  # not a rule set at all: validation says so
    return (
        _counts_problem(content)
        or _rules_problem(content.get("rules"), size)
        or _tests_problem(content.get("tests"))
    )
