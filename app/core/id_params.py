"""Path parameters that name a resource. Whatever a client puts there, too long or
malformed included, the answer is the route's own 404 naming the noun, as for an id that
does not exist: the lookup refuses what cannot be an id before it reaches the database.

The OpenAPI document gives no pattern for them on purpose: with one, `GET
/v1/templates/variables` would no longer be a possible `GET /v1/templates/{template_id}`,
and clients (and schemathesis) would expect a 405 where the answer is a 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import Path

from app.core.ids import IdKind


def id_path(kind: IdKind, noun: str) -> Any:
    return Path(
        description=f"The {noun}'s id, `{kind.prefix}_…`; an unknown or malformed one is a 404."
    )


def key_path(noun: str) -> Any:
    return Path(description=f"The {noun}'s key; an unknown or malformed one is a 404.")
