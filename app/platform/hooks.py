"""The small calls other features make into the platform layer."""

from __future__ import annotations

from fastapi import Request

from app.core.security import Principal
from app.platform.rate_limits import STATE_KEY, RateLimiter


async def spend_rate_limit(request: Request, principal: Principal) -> None:
    """Once the caller is known: spend its budget, or raise the 429 problem."""
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None:
        return
    route = request.scope.get("route")
    request.scope[STATE_KEY] = await limiter.spend(
        principal, request.method, getattr(route, "path", request.url.path)
    )
