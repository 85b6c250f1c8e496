"""GET /metrics for Prometheus, behind a bearer token of its own."""

from __future__ import annotations

import hmac

from fastapi import Request, Response

from app.core.config import Settings
from app.core.errors import NotFound, Unauthorized
from app.core.routing import api_router
from app.platform.metrics import exposition

router = api_router(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
async def scrape_metrics(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if settings.metrics_token is None or not settings.metrics_enabled:
        raise NotFound("Metrics are off: set DEBRIEF_METRICS_TOKEN to serve them.")
    expected = f"Bearer {settings.metrics_token.get_secret_value()}"
    presented = request.headers.get("authorization", "")
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise Unauthorized(
            "Metrics need `Authorization: Bearer` with the metrics token.",
            headers={"WWW-Authenticate": 'Bearer realm="debrief-metrics"'},
        )
    body, media_type = exposition()
    return Response(body, media_type=media_type)
