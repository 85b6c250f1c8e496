"""The engine gives what the frozen engine of 652701a gave (`tests/rules/frozen/`), through
the rules' closures and through the function written out per rule set: on the embedded
tests of every built-in rule set in every locale with odd values put in, and on rule sets
and inputs hypothesis makes up (every operator, value-context operands, whole-number
weights, repeated factors and steps, plural forms, hostile literals)."""

from __future__ import annotations

import copy
import enum
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.diagnosis.builtin import BUILTIN_VERSIONS
from app.diagnosis.builtin_locales import in_locale
from app.diagnosis.variables import prepare_inputs
from app.i18n.locales import BUILTIN_LOCALES
from app.rules.conditions import check_condition
from app.rules.definition import RuleSetContent
from app.rules.explain import Wording
from app.rules.limits import RULE_LIMITS
from tests.rules.engines import Engines


class Stage(enum.StrEnum):  # a str that is not exactly a str, as a model may hand over
    FINAL = "final_interview"


ODD_VALUES: list[Any] = [
    None,
    "",
    [],
    {},
    0,
    -0.0,
    1,
    2.5,
    True,
    False,
    10**20,
    1e300,
    "bored",
    ["bored", "inspired"],
    ("bored",),
    [None, "", 3, ["x"]],
    {"deep": {"deeper": {"deepest": {"bottom": 1}}}},
    Stage.FINAL,
    "x" * 5_000,
]


def _odd_variants(inputs: dict[str, Any]) -> list[dict[str, Any]]:
    """Each given answer replaced by each odd value in turn, one field at a time."""
    variants = []
    for root in ("answers", "feedback", "session"):
        for key in list(inputs.get(root, {}))[:6]:
            for value in ODD_VALUES:
                variant = copy.deepcopy(inputs)
                variant[root][key] = value
                variants.append(variant)
    return variants


def test_builtin_rule_sets_in_every_locale_as_frozen() -> None:
    compared = 0
    for builtin in BUILTIN_VERSIONS.values():
        engines = [Engines.of(in_locale(builtin.compiled, locale)[0]) for locale in BUILTIN_LOCALES]
        fields = sorted(engines[0].closures.evidence_fields)
        for test in builtin.compiled.content.tests:
            raw = test.inputs.model_dump()
            for pair in engines:
                for inputs in (raw, prepare_inputs(raw)):
                    for askable in (None, set(fields), set(fields[::3]), ()):
                        compared += pair.compare(inputs, askable)
                for inputs in _odd_variants(prepare_inputs(raw)):
                    compared += pair.compare(inputs, set(fields[::2]))
    assert compared > 15_000


FIELDS = [
    "answers.wanted_job",
    "answers.enthusiasm",
    "answers.interviewer_signals",
    "answers.played_well",
    "feedback.hired_edge",
    "feedback.right_opportunities",
    "session.stage_rank",
    "session.posting.years_required",
    "history.in_person",
    "history.direction",
]
HOSTILE_TEXTS = ["", "a", "bored", "x'); __import__('os').system('true'); ('", "k0", "f0", "\n"]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 5)
    | st.sampled_from([0.0, -0.0, 1.5, -2.25, 2**70, 1e300])
    | st.sampled_from(HOSTILE_TEXTS)
)
FIELD = st.sampled_from(FIELDS)
VARS = (
    FIELD.map(lambda f: {"var": f})
    | FIELD.map(lambda f: {"var": [f]})
    | st.tuples(FIELD, SCALARS).map(lambda t: {"var": list(t)})
)
COUNTS = VARS.map(lambda v: {"count": v}) | VARS.map(lambda v: {"count": [v]})
LISTS = st.lists(SCALARS, max_size=10)
COMPARISONS = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])


def _operation(op: str, *args: Any) -> dict[str, Any]:
    return {op: list(args)}


def _leaves() -> st.SearchStrategy[Any]:
    operand = VARS | COUNTS | SCALARS
    return (
        st.builds(_operation, COMPARISONS, operand, operand)
        | st.builds(_operation, st.just("in"), SCALARS | VARS, VARS | LISTS)
        | st.builds(_operation, st.just("contains_any"), VARS, LISTS | VARS)
        | st.lists(FIELD, min_size=1, max_size=3).map(lambda names: {"missing": names})
        | VARS
    )


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return (
        st.builds(
            lambda op, parts: {op: parts},
            st.sampled_from(["and", "or"]),
            st.lists(children, min_size=1, max_size=4),
        )
        | st.builds(lambda op, part: {op: part}, st.sampled_from(["and", "or", "!"]), children)
        | children.map(lambda part: {"!": [part]})
        | st.builds(_operation, COMPARISONS, children, SCALARS | children)  # a value context
        | st.builds(_operation, st.just("in"), children, VARS | LISTS)
    )


CONDITIONS = st.recursive(_leaves(), _extend, max_leaves=10).filter(
    lambda tree: isinstance(tree, dict) and not check_condition(tree, FIELDS, RULE_LIMITS)
)
TEMPLATE_PARTS = (
    st.sampled_from(["Because ", " and ", ".", "x"])
    | FIELD.map(lambda f: "{" + f + "}")
    | FIELD.map(lambda f: "{" + f + ", plural, one {# time} other {# times}}")
)
CATEGORIES = [
    {
        "key": "in_person",
        "label": "In person",
        "factors": ["impression", "impression", "enthusiasm"],
    },
    {"key": "on_paper", "label": "On paper", "factors": ["credentials"]},
    {"key": "direction", "label": "Direction", "factors": ["targeting", "fit"]},
]
FACTORS = st.sampled_from(
    [(c["key"], f) for c in CATEGORIES for f in c["factors"]]  # type: ignore[union-attr]
)
STEPS = st.lists(
    st.builds(
        lambda i, p: {"id": f"s{i}", "priority": p, "text": f"Step {i}"},
        st.integers(0, 3),
        st.integers(1, 5),
    ),
    max_size=2,
    unique_by=lambda s: s["id"],
)
RULES = st.builds(
    lambda factor, cf, when, because, steps: {
        "category": factor[0],
        "factor": factor[1],
        "cf": cf,
        "when": when,
        "because": "".join(because) or "x",
        "next_steps": steps,
    },
    FACTORS,
    st.sampled_from([-1, -0.7, -0.3, 0, 0.2, 0.5, 0.5, 1, 1.0, 0.95]),
    CONDITIONS,
    st.lists(TEMPLATE_PARTS, max_size=4),
    STEPS,
)
CONTENTS = st.builds(
    lambda rules, combination, thresholds: {
        "title": "Generated",
        "categories": CATEGORIES,
        "combination": combination,
        "thresholds": thresholds,
        "rules": [{"id": f"r{i}", **rule} for i, rule in enumerate(rules)],
    },
    st.lists(RULES, min_size=1, max_size=8),
    st.sampled_from(["certainty_factors", "strongest_evidence"]),
    st.builds(
        lambda c, m, a: {"min_confidence": c, "mixed_margin": m, "min_answers": a},
        st.sampled_from([0, 0.2, 0.5]),
        st.sampled_from([0, 0.15, 1]),
        st.integers(0, 4),
    ),
)
VALUES = SCALARS | st.lists(SCALARS, max_size=4) | st.sampled_from(ODD_VALUES[15:])
INPUTS = st.fixed_dictionaries(
    {},
    optional={
        "answers": st.dictionaries(
            st.sampled_from(["wanted_job", "enthusiasm", "interviewer_signals", "played_well"]),
            VALUES,
        ),
        "feedback": st.dictionaries(st.sampled_from(["hired_edge", "right_opportunities"]), VALUES),
        "session": st.dictionaries(
            st.sampled_from(["stage_rank", "posting"]),
            VALUES | st.fixed_dictionaries({"years_required": VALUES}),
        ),
        "history": st.dictionaries(
            st.sampled_from(["in_person", "direction"]), st.integers(0, 3) | VALUES
        ),
    },
)
LABELS = {"answers.interviewer_signals": {"bored": "bored-looking", 3: "three"}}
WORDINGS = [Wording(), Wording("fr", "oui", "non", "rien"), Wording("de", "ja", "nein", "nichts")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    content=CONTENTS,
    wording=st.sampled_from(WORDINGS),
    cases=st.lists(st.tuples(INPUTS, st.none() | st.sets(FIELD)), min_size=1, max_size=6),
)
def test_generated_rule_sets_as_frozen(
    content: dict[str, Any], wording: Wording, cases: list[tuple[dict[str, Any], Any]]
) -> None:
    engines = Engines.build(RuleSetContent.model_validate(content), FIELDS, LABELS, wording)
    for inputs, askable in cases:
        engines.compare(inputs, askable)


ROOTS = ["answers", "feedback", "session", "history"]
ODD_ROOTS = ["answers.wanted_job", "answers.x", "answersx", "feedback.hired_edge", "answer", ""]
KEYS = ["wanted_job", "enthusiasm", "interviewer_signals", "hired_edge", "in_person"]
ODD_KEYS = ["x.y", "wanted_job.more", "", "stage_rank", "posting", "years_required"]
KEY_NAMES = st.sampled_from(KEYS) | st.sampled_from(ODD_KEYS) | st.integers(0, 2)
ROOT_VALUES = st.recursive(
    VALUES | st.sampled_from(["", Stage.FINAL, ()]),
    lambda inner: st.dictionaries(KEY_NAMES, inner, max_size=4),
    max_leaves=6,
)
ODD_INPUTS = st.dictionaries(
    st.sampled_from(ROOTS) | st.sampled_from(ODD_ROOTS) | st.integers(0, 2),
    st.dictionaries(KEY_NAMES, ROOT_VALUES, max_size=6) | ROOT_VALUES,
    max_size=6,
)
FLAT_INPUTS = st.dictionaries(  # the usual shape: one level, text keys, nulls and empty texts
    st.sampled_from(ROOTS),
    st.dictionaries(st.sampled_from(KEYS), VALUES | st.sampled_from(["", None]), max_size=5),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    content=CONTENTS,
    cases=st.lists(st.tuples(ODD_INPUTS | FLAT_INPUTS, st.none() | st.sets(FIELD)), max_size=6),
)
def test_odd_shaped_inputs_as_frozen(
    content: dict[str, Any], cases: list[tuple[dict[Any, Any], Any]]
) -> None:
    """Roots and keys with dots or not text, names that collide, nested and empty objects,
    nulls and empty texts: the answers counted, the fields missing, all as before."""
    engines = Engines.build(RuleSetContent.model_validate(content), FIELDS, LABELS, Wording())
    for inputs, askable in cases:
        engines.compare(inputs, askable)
