from __future__ import annotations

from typing import Any

import pytest

from app.rules.compiler import compile_condition, holds
from app.rules.conditions import ConditionLimits, InvalidCondition, check_condition, fields_read

FIELDS = ["wanted_job", "enthusiasm", "signals", "role", "posting.years_required", "notes"]


@pytest.mark.parametrize(
    ("tree", "facts", "expected"),
    [
        ({"==": [{"var": "wanted_job"}, True]}, {"wanted_job": True}, True),
        ({"==": [{"var": "wanted_job"}, True]}, {}, False),
        ({"!=": [{"var": "wanted_job"}, True]}, {"wanted_job": False}, True),
        ({"!": {"var": "wanted_job"}}, {"wanted_job": False}, True),
        ({"<": [{"var": "enthusiasm"}, 3]}, {"enthusiasm": 2}, True),
        ({"<=": [{"var": "enthusiasm"}, 3]}, {"enthusiasm": 3}, True),
        ({">": [{"var": "enthusiasm"}, 3]}, {"enthusiasm": 3}, False),
        ({">=": [{"var": "enthusiasm"}, 3]}, {"enthusiasm": 3}, True),
        ({"<": [{"var": "enthusiasm"}, 3]}, {}, False),  # absent: no ordering
        ({"<": [{"var": "role"}, 3]}, {"role": "x"}, False),  # incomparable: false, no error
        ({">": [{"var": "wanted_job"}, 0]}, {"wanted_job": True}, False),  # bools don't order
        (
            {"and": [{"var": "wanted_job"}, {">": [{"var": "enthusiasm"}, 3]}]},
            {"wanted_job": True, "enthusiasm": 4},
            True,
        ),
        (
            {"or": [{"var": "wanted_job"}, {">": [{"var": "enthusiasm"}, 3]}]},
            {"wanted_job": False, "enthusiasm": 1},
            False,
        ),
        ({"in": [{"var": "role"}, ["engineer", "designer"]]}, {"role": "designer"}, True),
        ({"in": ["lead", {"var": "role"}]}, {"role": "team lead"}, True),
        ({"in": [{"var": "role"}, ["engineer"]]}, {}, False),
        ({">=": [{"count": {"var": "signals"}}, 2]}, {"signals": ["bored", "confused"]}, True),
        ({"==": [{"count": {"var": "signals"}}, 0]}, {}, True),
        (
            {"contains_any": [{"var": "signals"}, ["bored", "worried"]]},
            {"signals": ["bored"]},
            True,
        ),
        ({"contains_any": [{"var": "signals"}, ["bored"]]}, {"signals": ["engaged"]}, False),
        ({"contains_any": [{"var": "signals"}, ["bored"]]}, {}, False),
        ({"missing": ["wanted_job", "enthusiasm"]}, {"wanted_job": True}, True),
        ({"missing": "notes"}, {"notes": ""}, True),
        ({"missing": "wanted_job"}, {"wanted_job": False}, False),
        ({">": [{"var": "posting.years_required"}, 4]}, {"posting": {"years_required": 5}}, True),
        ({"==": [{"var": ["enthusiasm", 3]}, 3]}, {}, True),
    ],
)
def test_operators(tree: Any, facts: dict[str, Any], expected: bool) -> None:
    assert holds(compile_condition(tree, FIELDS), facts) is expected


@pytest.mark.parametrize(
    ("tree", "pointer", "message"),
    [
        ({"eval": ["__import__('os')"]}, "/eval", "unknown operator"),
        ({"var": "salary"}, "/var", "unknown field 'salary'"),
        ({"==": [{"var": "wanted_job"}]}, "/==", "takes 2 arguments"),
        ({"and": []}, "/and", "takes 1 or more arguments"),
        ({"==": [1, 2], "!=": [1, 2]}, "", "exactly one operator"),
        ({"and": [{"var": "wanted_job"}, {"var": "nope"}]}, "/and/1/var", "unknown field"),
        ({"missing": ["nope"]}, "/missing/0", "unknown field"),
        ({"==": [[1, 2], 1]}, "/==/0", "a list is only allowed"),
        ({"in": [1, [1, {"var": "role"}]]}, "/in/1/1", "holds only values"),
        ({"var": 3}, "/var", "takes the name of a field"),
        ("x" * 501, "", "text longer than 500"),
    ],
)
def test_invalid_trees_are_refused_with_a_pointer(tree: Any, pointer: str, message: str) -> None:
    problems = check_condition(tree, FIELDS)
    assert problems
    assert problems[0].pointer == pointer
    assert message in problems[0].message
    with pytest.raises(InvalidCondition):
        compile_condition(tree, FIELDS)


def test_deep_nesting_is_refused_without_recursing() -> None:
    tree: Any = {"var": "wanted_job"}
    for _ in range(100_000):
        tree = {"!": tree}
    problems = check_condition(tree, FIELDS)
    assert len(problems) == 1
    assert "deeper than 12" in problems[0].message


def test_wide_trees_and_huge_lists_are_refused() -> None:
    wide = {"or": [{"var": "wanted_job"}] * 100_000}
    assert "more than 200 nodes" in check_condition(wide, FIELDS)[0].message
    huge = {"in": [{"var": "role"}, list(range(1_000_000))]}
    assert "more than 100 items" in check_condition(huge, FIELDS)[0].message


def test_limits_are_configurable() -> None:
    tree = {"and": [{"var": "wanted_job"}, {"var": "enthusiasm"}]}
    assert check_condition(tree, FIELDS, ConditionLimits(max_nodes=2))
    assert not check_condition(tree, FIELDS, ConditionLimits(max_nodes=3))


def test_fields_read() -> None:
    tree = {"and": [{"var": "wanted_job"}, {"missing": ["notes"]}, {"in": ["a", ["b"]]}]}
    assert fields_read(tree) == {"wanted_job", "notes"}
