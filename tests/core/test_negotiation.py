from __future__ import annotations

import pytest

from app.core.negotiation import negotiate

OFFERED = ["application/json", "text/plain", "text/markdown", "message/rfc822"]


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("text/plain", "text/plain"),
        ("text/*", "text/plain"),
        ("text/markdown, text/plain;q=0.5", "text/markdown"),
        ("text/plain;q=0.4, text/markdown;q=0.9", "text/markdown"),
        ("message/rfc822, */*;q=0.1", "message/rfc822"),
        ("text/*;q=0.5, text/plain;q=0", "text/markdown"),
        ("TEXT/PLAIN", "text/plain"),
        ("text/calendar", None),
        ("application/json;q=0", None),  # nothing else was accepted
        ("text/plain;q=abc", None),
        ("image/png, ,", None),
    ],
)
def test_the_preferred_offer_wins(accept: str | None, chosen: str | None) -> None:
    assert negotiate(accept, OFFERED) == chosen
