"""A `because` template fills as the frozen one of 652701a (`tests/rules/frozen/explain.py`)
does, a template naming no field (returned as it is written) included, at every limit."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.rules.explain import Template, Wording
from tests.rules.frozen.explain import Template as FrozenTemplate
from tests.rules.frozen.explain import Wording as FrozenWording

PLURAL = "{a.b, plural, one {# x} other {# y}}"
PARTS = st.sampled_from(["Because ", "", "x" * 250, "plural", "{", "}", " {a.b} ", PLURAL])
PARTS |= st.text(max_size=5)
FACTS: dict[str, Any] = {"a.b": 3}
WORDINGS = [
    (Wording(), FrozenWording()),
    (Wording("fr", "oui", "non", "rien"), FrozenWording("fr", "oui", "non", "rien")),
]


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(PARTS, max_size=6), limit=st.integers(0, 1600) | st.sampled_from([1, 2]))
def test_templates_fill_as_frozen(parts: list[str], limit: int) -> None:
    text = "".join(parts)
    for wording, frozen_wording in WORDINGS:
        filled = Template(text).fill(FACTS, {}, limit, wording)
        assert filled == FrozenTemplate(text).fill(FACTS, {}, limit, frozen_wording)
        assert type(filled) is str


def test_a_template_naming_no_field_is_its_text() -> None:
    for text in ["", "Plain.", "no plural here, plural", "{Not a field}", "x" * 3000]:
        template = Template(text)
        assert template.literal == text
        for limit in (0, 1, 5, 2000, 5000):
            assert template.fill({}, None, limit) == FrozenTemplate(text).fill({}, None, limit)
    assert Template("{a.b}").literal is None
