"""FROZEN at 652701a (main before the engine was compiled into a plan): the reference the
differential tests compare the current code against. Do not edit.

Compiles a checked condition tree into nested closures, once; evaluation never parses."""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Mapping
from typing import Any

from app.rules.conditions import (
    DEFAULT_LIMITS,
    ConditionLimits,
    InvalidCondition,
    arguments,
    check_condition,
)
from tests.rules.frozen.fast_paths import specialize

Facts = Mapping[str, Any]
Evaluator = Callable[[Facts], Any]


def lookup(facts: Facts, path: str) -> Any:
    """A dotted path into nested mappings; None when any step is absent."""
    value = facts.get(path)
    if value is not None or "." not in path:
        return value
    current: Any = facts
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            return None
        current = current[part]
    return current


def _is_missing(value: Any) -> bool:
    return value is None or value == "" or value == []


def _compare(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """Ordering of absent or incomparable values is false, never an error."""

    def compare(left: Any, right: Any) -> bool:
        if left is None or right is None or isinstance(left, bool) != isinstance(right, bool):
            return False
        try:
            return test(left, right)
        except TypeError:
            return False

    return compare


_ORDERINGS = {
    "<": _compare(operator.lt),
    "<=": _compare(operator.le),
    ">": _compare(operator.gt),
    ">=": _compare(operator.ge),
}


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    if isinstance(container, list | tuple | set | frozenset):
        return item in container
    return False


def _build(node: Any, flat: bool) -> Evaluator:
    if isinstance(node, list):
        values = tuple(node)
        return lambda _facts: values
    if not isinstance(node, dict):
        return lambda _facts: node
    (op,) = node
    args = arguments(node)
    if op == "var":
        path = args[0]
        default = args[1] if len(args) > 1 else None

        if flat or "." not in path:
            if default is None:
                return lambda facts: facts.get(path)

            def var_or_default(facts: Facts) -> Any:
                value = facts.get(path)
                return default if value is None else value

            return var_or_default

        def var(facts: Facts) -> Any:
            value = lookup(facts, path)
            return default if value is None else value

        return var
    fast = specialize(op, args, flat)
    if fast is not None:
        return fast
    if op == "missing":
        names = tuple(args)
        return lambda facts: any(_is_missing(lookup(facts, name)) for name in names)
    parts = [_build(arg, flat) for arg in args]
    if op == "and":
        if len(parts) == 2:
            first, second = parts
            return lambda facts: bool(first(facts)) and bool(second(facts))
        return lambda facts: all(part(facts) for part in parts)
    if op == "or":
        if len(parts) == 2:
            first, second = parts
            return lambda facts: bool(first(facts)) or bool(second(facts))
        return lambda facts: any(part(facts) for part in parts)
    if op == "!":
        (inner,) = parts
        return lambda facts: not inner(facts)
    if op == "count":
        (inner,) = parts

        def count(facts: Facts) -> int:
            value = inner(facts)
            return len(value) if isinstance(value, list | tuple | str) else 0

        return count
    left, right = parts
    if op == "==":
        return lambda facts: left(facts) == right(facts)
    if op == "!=":
        return lambda facts: left(facts) != right(facts)
    if op == "in":
        return lambda facts: _contains(right(facts), left(facts))
    if op == "contains_any":

        def contains_any(facts: Facts) -> bool:
            have, wanted = left(facts), right(facts)
            if not isinstance(have, list | tuple) or not isinstance(wanted, list | tuple):
                return False
            return any(item in have for item in wanted)

        return contains_any
    order = _ORDERINGS[op]
    return lambda facts: order(left(facts), right(facts))


def compile_condition(
    tree: Any,
    fields: Collection[str],
    limits: ConditionLimits = DEFAULT_LIMITS,
    *,
    flat: bool = False,
) -> Evaluator:
    """Check, then compile. Raises InvalidCondition listing every problem.

    With ``flat``, facts come with dotted names as keys (``{"answers.x": 1}``), so a
    variable is one dictionary look-up."""
    problems = check_condition(tree, fields, limits)
    if problems:
        raise InvalidCondition(problems)
    return _build(tree, flat)


def holds(evaluator: Evaluator, facts: Facts) -> bool:
    return bool(evaluator(facts))
