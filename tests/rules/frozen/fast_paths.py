"""FROZEN at 652701a (main before the engine was compiled into a plan): the reference the
differential tests compare the current code against. Do not edit.

Closures for the shapes most conditions take (a field against a literal), with the
same meaning as the general ones but without a closure call per operand."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

Evaluator = Callable[[Mapping[str, Any]], Any]
_NUMBERS = (int, float)
_SEQUENCES = (list, tuple, str)
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _plain_var(node: Any, flat: bool) -> str | None:
    """The path of `{"var": "x"}` when one dictionary look-up reads it, else None."""
    if not (isinstance(node, dict) and len(node) == 1 and "var" in node):
        return None
    path = node["var"]
    if isinstance(path, list):
        if len(path) != 1:
            return None
        path = path[0]
    if not isinstance(path, str) or not (flat or "." not in path):
        return None
    return path


def _counted_var(node: Any, flat: bool) -> str | None:
    if isinstance(node, dict) and len(node) == 1 and "count" in node:
        inner = node["count"]
        if isinstance(inner, list) and len(inner) == 1:
            inner = inner[0]
        return _plain_var(inner, flat)
    return None


def _is_literal(node: Any) -> bool:
    return not isinstance(node, dict | list)


def _is_number(node: Any) -> bool:
    return type(node) in _NUMBERS


def specialize(op: str, args: list[Any], flat: bool) -> Evaluator | None:
    if len(args) != 2:
        return None
    left, right = args
    path = _plain_var(left, flat)
    if path is not None and _is_literal(right):
        if op == "==":
            return lambda facts: facts.get(path) == right
        if op == "!=":
            return lambda facts: facts.get(path) != right
        if op in _ORDER and _is_number(right):
            order = _ORDER[op]

            def ordered(facts: Mapping[str, Any]) -> bool:
                value = facts.get(path)
                return type(value) in _NUMBERS and order(value, right)

            return ordered
    counted = _counted_var(left, flat)
    if counted is not None and op in _ORDER and _is_number(right):
        order = _ORDER[op]

        def ordered_count(facts: Mapping[str, Any]) -> bool:
            value: Any = facts.get(counted)
            return order(len(value) if type(value) in _SEQUENCES else 0, right)

        return ordered_count
    if op == "contains_any" and path is not None and isinstance(right, list):
        wanted = tuple(right)

        def contains_any(facts: Mapping[str, Any]) -> bool:
            have: Any = facts.get(path)
            return type(have) in (list, tuple) and any(item in have for item in wanted)

        return contains_any
    container = _plain_var(right, flat)
    if op == "in" and container is not None and _is_literal(left):

        def contains(facts: Mapping[str, Any]) -> bool:
            have: Any = facts.get(container)
            if type(have) is str:
                return type(left) is str and left in have
            return type(have) in (list, tuple) and left in have

        return contains
    return None
