"""The function written out per rule set holds nothing of the rule set in its source:
field names, literals and rules reach it as arguments; the source is made of names made up
by the writer, fixed operators and punctuation. Proved on hostile rule sets (literals and,
with fields of the caller's choosing, field names written as code), which also evaluate as
the frozen engine does."""

from __future__ import annotations

import io
import re
import tokenize
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.rules.conditions import check_condition
from app.rules.definition import RuleSetContent
from app.rules.engine import CompiledRuleSet
from app.rules.explain import Wording
from app.rules.firing_code import SAFE_SOURCE, written_out
from app.rules.limits import RULE_LIMITS
from tests.rules.engines import Engines

CODE_LIKE = [
    "x'); __import__('os').system('touch /tmp/pwned'); ('",
    '"); import os; ("',
    "k0",
    "f1 or True",
    "c0(flat)",
    "\n        append(k0)\n",
    "0 if 1 else 2",
    "def",
    "lambda: None",
    "\\",
    "#",
]
FIELDS = ["answers.wanted_job", "answers.enthusiasm", *CODE_LIKE]
VOCABULARY = set(" ".join(__import__("app.rules.firing_code").rules.firing_code._WORDS).split())
GENERATED_NAME = re.compile(r"[kcf][0-9]+")
LITERALS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.sampled_from(CODE_LIKE)
    | st.text(max_size=12)
)
FIELD = st.sampled_from(FIELDS)
VARS = FIELD.map(lambda f: {"var": f}) | st.tuples(FIELD, LITERALS).map(lambda t: {"var": list(t)})
OPERATORS = st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "contains_any"])
LEAVES = (
    st.builds(lambda op, a, b: {op: [a, b]}, OPERATORS, VARS | LITERALS, VARS | LITERALS)
    | st.builds(lambda op, a, b: {op: [a, b]}, OPERATORS, VARS, st.lists(LITERALS, max_size=12))
    | st.builds(lambda op, a, n: {op: [{"count": a}, n]}, OPERATORS, VARS, LITERALS)
    | st.lists(FIELD, min_size=1, max_size=3).map(lambda names: {"missing": names})
)
CONDITIONS = st.recursive(
    LEAVES,
    lambda children: (
        st.builds(
            lambda op, parts: {op: parts},
            st.sampled_from(["and", "or"]),
            st.lists(children, min_size=1, max_size=3),
        )
        | children.map(lambda part: {"!": part})
    ),
    max_leaves=8,
).filter(lambda tree: not check_condition(tree, FIELDS, RULE_LIMITS))


def content_of(conditions: list[Any]) -> RuleSetContent:
    return RuleSetContent.model_validate(
        {
            "title": "Hostile",
            "categories": [
                {"key": "a", "label": "A", "factors": ["f"]},
                {"key": "b", "label": "B", "factors": ["f"]},
            ],
            "rules": [
                {"id": f"r{i}", "category": "ab"[i % 2], "factor": "f", "cf": 0.5, "when": when}
                | {"because": "{answers.wanted_job} because."}
                for i, when in enumerate(conditions)
            ],
        }
    )


def assert_only_made_up_names(source: str) -> None:
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        assert token.type not in (tokenize.STRING, tokenize.NUMBER, tokenize.COMMENT), token
        if token.type == tokenize.NAME:
            assert token.string in VOCABULARY or GENERATED_NAME.fullmatch(token.string), token
        if token.type == tokenize.OP:
            assert token.string in set("():,.=<>![]") | {"==", "!=", "<=", ">=", "[]"}, token


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    conditions=st.lists(CONDITIONS, min_size=1, max_size=5),
    inputs=st.lists(
        st.dictionaries(st.sampled_from(FIELDS), LITERALS | st.lists(LITERALS, max_size=3)),
        max_size=4,
    ),
)
def test_nothing_of_a_hostile_rule_set_is_written_into_the_source(
    conditions: list[Any], inputs: list[dict[str, Any]]
) -> None:
    content = content_of(conditions)
    compiled = CompiledRuleSet(content, FIELDS, screened=True)
    source, arguments = written_out(compiled.rules)
    assert SAFE_SOURCE.fullmatch(source)
    assert_only_made_up_names(source)
    assert not set(source) & set("'\"#;\\")
    assert all(rule in arguments for rule in compiled.rules)
    engines = Engines.build(content, FIELDS, {}, Wording())
    for facts in inputs:  # flat already: a root holding a dotted name is read as it is
        engines.compare(facts)


@pytest.mark.parametrize(
    "source",
    [
        "x = 'a'",
        'x = "a"',
        "x = 1",
        "import os",
        "k0.__class__",
        "exec(k0)",
        "getattr(k0, k1)",
        "k0 # a comment",
        "k0; k1",
        "lambda: k0",
        "k0[k1]",
    ],
)
def test_the_guard_refuses_what_the_writer_never_writes(source: str) -> None:
    assert SAFE_SOURCE.fullmatch(source) is None
