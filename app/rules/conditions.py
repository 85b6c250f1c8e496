"""The condition language: a JSON tree such as ``{"==": [{"var": "wanted_job"}, true]}``.

An operation is an object with exactly one key, the operator, whose value is its list of
arguments (a single non-list argument may stand alone). Anything else is a literal.
`check_condition` validates a tree against the fields it may read and the limits below,
without recursion, so a hostile tree costs time in proportion to its size and no more.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

# operator -> (fewest, most) arguments; None: no upper bound
ARITY: dict[str, tuple[int, int | None]] = {
    "var": (1, 2),
    "and": (1, None),
    "or": (1, None),
    "!": (1, 1),
    "==": (2, 2),
    "!=": (2, 2),
    "<": (2, 2),
    "<=": (2, 2),
    ">": (2, 2),
    ">=": (2, 2),
    "in": (2, 2),
    "count": (1, 1),
    "contains_any": (2, 2),
    "missing": (1, None),
}
OPERATORS = frozenset(ARITY)


@dataclass(frozen=True)
class ConditionLimits:
    max_depth: int = 12
    max_nodes: int = 200
    max_list_items: int = 100
    max_string_length: int = 500


DEFAULT_LIMITS = ConditionLimits()


@dataclass(frozen=True)
class ConditionProblem:
    pointer: str  # JSON pointer inside the condition, "" for the whole tree
    message: str


class InvalidCondition(ValueError):
    def __init__(self, problems: list[ConditionProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.pointer or '/'}: {p.message}" for p in problems))


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def arguments(node: dict[str, Any]) -> list[Any]:
    (value,) = node.values()
    return value if isinstance(value, list) else [value]


def _check_var(args: list[Any], pointer: str, fields: Collection[str]) -> list[ConditionProblem]:
    path = args[0]
    if not isinstance(path, str) or not path:
        return [ConditionProblem(pointer, "`var` takes the name of a field")]
    if path not in fields:
        return [ConditionProblem(pointer, f"unknown field {path!r}")]
    return []


def _check_missing(
    args: list[Any], pointer: str, fields: Collection[str]
) -> list[ConditionProblem]:
    problems = []
    for index, name in enumerate(args):
        if not isinstance(name, str):
            problems.append(ConditionProblem(f"{pointer}/{index}", "`missing` takes field names"))
        elif name not in fields:
            problems.append(ConditionProblem(f"{pointer}/{index}", f"unknown field {name!r}"))
    return problems


def check_condition(
    tree: Any, fields: Collection[str], limits: ConditionLimits = DEFAULT_LIMITS
) -> list[ConditionProblem]:
    """Every problem with the tree, each with a JSON pointer into it; empty when valid."""
    problems: list[ConditionProblem] = []
    nodes = 0
    stack: list[tuple[Any, str, int]] = [(tree, "", 1)]
    while stack:
        node, pointer, depth = stack.pop()
        nodes += 1
        if nodes > limits.max_nodes:
            return [ConditionProblem("", f"more than {limits.max_nodes} nodes")]
        if depth > limits.max_depth:
            return [ConditionProblem(pointer, f"nested deeper than {limits.max_depth} levels")]
        if isinstance(node, str):
            if len(node) > limits.max_string_length:
                problems.append(
                    ConditionProblem(pointer, f"text longer than {limits.max_string_length}")
                )
            continue
        if node is None or isinstance(node, bool | int | float):
            continue
        if isinstance(node, list):
            if len(node) > limits.max_list_items:
                return [ConditionProblem(pointer, f"more than {limits.max_list_items} items")]
            for index, item in enumerate(node):
                if isinstance(item, dict | list):
                    problems.append(
                        ConditionProblem(f"{pointer}/{index}", "a list literal holds only values")
                    )
                else:
                    stack.append((item, f"{pointer}/{index}", depth + 1))
            continue
        if not isinstance(node, dict) or len(node) != 1:
            problems.append(ConditionProblem(pointer, "an operation has exactly one operator"))
            continue
        (operator,) = node
        here = f"{pointer}/{_escape(str(operator))}"
        if operator not in OPERATORS:
            problems.append(ConditionProblem(here, f"unknown operator {operator!r}"))
            continue
        args = arguments(node)
        fewest, most = ARITY[operator]
        if len(args) < fewest or (most is not None and len(args) > most):
            expected = str(fewest) if fewest == most else f"{fewest} or more"
            if most is not None and most != fewest:
                expected = f"{fewest} to {most}"
            problems.append(ConditionProblem(here, f"`{operator}` takes {expected} arguments"))
            continue
        if operator == "var":
            problems.extend(_check_var(args, here, fields))
            continue
        if operator == "missing":
            problems.extend(_check_missing(args, here, fields))
            continue
        is_list = isinstance(node[operator], list)
        for index, arg in enumerate(args):
            child = f"{here}/{index}" if is_list else here
            if isinstance(arg, list) and operator in ("in", "contains_any") and index == 1:
                stack.append((arg, child, depth + 1))
            elif isinstance(arg, list):
                problems.append(ConditionProblem(child, "a list is only allowed as a set to match"))
            else:
                stack.append((arg, child, depth + 1))
    return problems


def fields_read(tree: Any) -> set[str]:
    """The field names a (valid) tree reads."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict) and len(node) == 1:
            (operator,) = node
            args = arguments(node)
            if operator == "var" and isinstance(args[0], str):
                found.add(args[0])
            elif operator == "missing":
                found.update(a for a in args if isinstance(a, str))
            else:
                stack.extend(args)
        elif isinstance(node, list):
            stack.extend(node)
    return found


MAX_STORED_DEPTH = 32


def within_depth(tree: Any, limit: int = MAX_STORED_DEPTH) -> Any:
    """For model fields holding a condition: refuse absurd nesting before anything
    serialises it (the finer limits and their pointers come from `check_condition`)."""
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise ValueError(f"nested deeper than {limit} levels")
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return tree
