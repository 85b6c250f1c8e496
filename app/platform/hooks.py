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
    route_path: str | None = getattr(request.scope.get("route"), "path", None)
    if route_path is None:  # the URL is built only when needed (a default would build it)
        route_path = request.url.path
    request.scope[STATE_KEY] = await limiter.spend(principal, request.method, route_path)
