"""The fill-time caps hold whatever the answers; the worst-case estimates bound them."""

from __future__ import annotations

from typing import Any

import pytest

from app.rules.explain import MAX_FILLED_CHARS, MAX_VALUE_CHARS, Template
from app.rules.limits import explanation_chars, screen


@pytest.mark.parametrize(
    "value",
    [
        "w" * 100_000,
        ["item " * 50] * 10_000,
        [[[["deep"] * 1000] * 10] * 10],
        {f"k{i}": i for i in range(5000)},
        1.5e300,
    ],
    ids=["long text", "long list", "nested lists", "object", "number"],
)
def test_a_placeholder_shows_at_most_its_share(value: Any) -> None:
    filled = Template("{answers.x}").fill({"answers.x": value})
    assert len(filled) <= MAX_VALUE_CHARS


def test_a_filled_text_never_exceeds_its_worst_case() -> None:
    template = "Because: " + " and ".join(["{answers.x}"] * 5)
    filled = Template(template).fill({"answers.x": "a" * 10_000})
    assert len(filled) <= explanation_chars(template) <= MAX_FILLED_CHARS
    crowded = Template("{answers.x}" * 40).fill({"answers.x": "a" * 10_000})
    assert len(crowded) == MAX_FILLED_CHARS  # the hard cap, for texts never screened


def test_screen_passes_ordinary_content_and_ignores_what_is_not_a_rule_set() -> None:
    assert (
        screen({"rules": [{"because": "{answers.x} " * 5, "when": {"var": "answers.x"}}]}) is None
    )
    assert screen("not a rule set") is None
