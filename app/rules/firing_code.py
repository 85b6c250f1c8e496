"""One Python function per rule set that says which rules fire: every condition written
out inline, each field read once, and a rule's explanation checked to have its values.
It does what the rules' closures do, without a call per condition and per operand.

Nothing from a rule set is ever written into the source. Its field names, literals, the
rules themselves and, for the shapes not written out, their closures reach the function
as arguments of the function that makes it (`k…`, `c…`); the source holds only names
made up here, operators from fixed tables and punctuation. `SAFE_SOURCE` holds it to
that before it is compiled: no quote (so no string literal) and no number can appear,
and no word but the ones below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.rules.compiler import build
from app.rules.conditions import arguments
from app.rules.fast_paths import (
    NUMBERS,
    SEQUENCES,
    counted_var,
    is_literal,
    is_number,
    plain_var,
)
from app.rules.rule_plan import RulePlan

Facts = Mapping[str, Any]
_WORDS = (
    "def return if else not and or in is None",
    "make fired_rules flat get fired append type len empty numbers sequences lists texts any_in",
)
SAFE_SOURCE = re.compile(
    r"(?:[ \n():,.=<>!]|\[\]|\b[kcf][0-9]+\b|\b(?:" + "|".join(" ".join(_WORDS).split()) + r")\b)*"
)
_COMPARISONS = {"==": " == ", "!=": " != ", "<": " < ", "<=": " <= ", ">": " > ", ">=": " >= "}
_ORDERINGS = ("<", "<=", ">", ">=")
_JOINERS = {"and": " and ", "or": " or "}
_UNROLLED = 8  # items of a `contains_any` list written out; longer ones go through `any_in`


def _any_in(have: Any, wanted: tuple[Any, ...]) -> bool:
    return any(item in have for item in wanted)


class _Writer:
    def __init__(self) -> None:
        self.constants: list[Any] = []
        self.closures: list[Callable[[Facts], Any]] = []
        self.fields: dict[str, str] = {}  # field name: the local it is read into

    def constant(self, value: Any) -> str:
        self.constants.append(value)
        return f"k{len(self.constants) - 1}"

    def field(self, name: str) -> str:
        local = self.fields.get(name)
        if local is None:
            local = self.fields[name] = f"f{len(self.fields)}"
        return local

    def closure(self, node: Any) -> str:
        self.closures.append(build(node, True))
        return f"c{len(self.closures) - 1}(flat)"

    def truth(self, node: Any) -> str:
        """An expression as true as the closure of `node` is (its value may differ)."""
        if isinstance(node, dict) and len(node) == 1:
            (op,) = node
            args = arguments(node)
            if op in _JOINERS:
                return "(" + _JOINERS[op].join(self.truth(arg) for arg in args) + ")"
            if op == "!" and len(args) == 1:
                return f"(not {self.truth(args[0])})"
            path = plain_var(node, True)
            if path is not None:
                return self.field(path)
            shape = self.shape(op, args)
            if shape is not None:
                return shape
        return self.closure(node)

    def shape(self, op: str, args: list[Any]) -> str | None:
        """The shapes `fast_paths.specialize` knows, tried in its order, written out."""
        if len(args) != 2:
            return None
        left, right = args
        path = plain_var(left, True)
        if path is not None and is_literal(right):
            value = self.field(path)
            if op in ("==", "!="):
                return f"({value}{_COMPARISONS[op]}{self.constant(right)})"
            if op in _ORDERINGS and is_number(right):
                compared = f"{value}{_COMPARISONS[op]}{self.constant(right)}"
                return f"(type({value}) in numbers and {compared})"
        counted = counted_var(left, True)
        if counted is not None and op in _ORDERINGS and is_number(right):
            value = self.field(counted)
            length = f"(len({value}) if type({value}) in sequences else {self.constant(0)})"
            return f"({length}{_COMPARISONS[op]}{self.constant(right)})"
        if op == "contains_any" and path is not None and isinstance(right, list):
            value = self.field(path)
            if len(right) > _UNROLLED:
                return (
                    f"(type({value}) in lists and any_in({value}, {self.constant(tuple(right))}))"
                )
            found = " or ".join(f"{self.constant(item)} in {value}" for item in right)
            return f"(type({value}) in lists and ({found or 'None'}))"
        container = plain_var(right, True)
        if op == "in" and container is not None and is_literal(left):
            value = self.field(container)
            kinds = "texts" if type(left) is str else "lists"
            return f"(type({value}) in {kinds} and {self.constant(left)} in {value})"
        return None


class UnsafeSource(RuntimeError):
    """The source written holds something it must not: a bug here, never the rule set's."""


def written_out(rules: Sequence[RulePlan]) -> tuple[str, list[Any]]:
    """The source of `make(...)` for `rules`, and the arguments to call it with."""
    writer = _Writer()
    body = []
    for rule in rules:
        condition = writer.truth(rule.tree)
        plan = writer.constant(rule)
        body.append(f"        if {condition}:")
        values = [writer.field(name) for name in rule.needs]
        if values:
            given = " and ".join(f"not ({value} is None or {value} == empty)" for value in values)
            body.append(f"            if {given}:")
            body.append(f"                append({plan})")
        else:
            body.append(f"            append({plan})")
    reads = [
        f"        {local} = get({writer.constant(name)})" for name, local in writer.fields.items()
    ]
    parameters = [f"k{index}" for index in range(len(writer.constants))]
    parameters += [f"c{index}" for index in range(len(writer.closures))]
    parameters += ["empty", "numbers", "sequences", "lists", "texts", "any_in"]
    source = "\n".join(
        [
            f"def make({', '.join(parameters)}):",
            "    def fired_rules(flat):",
            "        get = flat.get",
            *reads,
            "        fired = []",
            "        append = fired.append",
            *body,
            "        return fired",
            "    return fired_rules",
            "",
        ]
    )
    arguments = [*writer.constants, *writer.closures]
    arguments += ["", NUMBERS, SEQUENCES, (list, tuple), (str, list, tuple), _any_in]
    return source, arguments


def firing_function(rules: Sequence[RulePlan]) -> Callable[[Facts], list[RulePlan]]:
    """`fired_rules(flat)`: the `RulePlan`s of `rules` whose condition holds and whose
    explanation has a value for every field it names, in order."""
    source, arguments = written_out(rules)
    if not SAFE_SOURCE.fullmatch(source):
        raise UnsafeSource("the source written for a rule set holds an unexpected token")
    namespace: dict[str, Any] = {"__builtins__": {"type": type, "len": len}}
    exec(compile(source, "<rule set>", "exec"), namespace)  # noqa: S102 (see the docstring)
    make: Callable[..., Callable[[Facts], list[RulePlan]]] = namespace["make"]
    return make(*arguments)
