"""JSON written straight to bytes by pydantic-core, for routes that build their own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Response
from pydantic_core import to_json


def json_response(
    content: Any, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        to_json(content), status_code=status_code, media_type="application/json", headers=headers
    )
