"""JSON written straight to bytes (app/core/json_bytes), for routes that build their own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Response

from app.core.json_bytes import json_bytes


def json_response(
    content: Any, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        json_bytes(content), status_code=status_code, media_type="application/json", headers=headers
    )
