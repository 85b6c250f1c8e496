"""How a localised answer documents its language: `Content-Language` on the success answer,
and `Vary` where the language was negotiated from `Accept-Language`."""

from __future__ import annotations

from typing import Any

CONTENT_LANGUAGE_DOC: dict[str, Any] = {
    "Content-Language": {
        "description": "The language the texts are written in (several, comma-separated, "
        "for a list whose items differ).",
        "schema": {"type": "string"},
    }
}
VARY_DOC: dict[str, Any] = {
    "Vary": {
        "description": "`Accept-Language` where the language was negotiated.",
        "schema": {"type": "string"},
    }
}


def localised(
    status: int = 200, *headers: dict[str, Any], vary: bool = False
) -> dict[int | str, dict[str, Any]]:
    """The `responses` entry of a route whose answer a person reads."""
    merged: dict[str, Any] = {}
    for more in headers:
        merged |= more
    merged |= CONTENT_LANGUAGE_DOC
    if vary:
        merged |= VARY_DOC
    return {status: {"headers": merged}}
