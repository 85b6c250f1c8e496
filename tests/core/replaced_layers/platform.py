"""One pure ASGI layer: counts and times every request by its route template, and adds
the rate-limit headers the request's check left in its scope. Frozen as it was in
app/platform/middleware.py when app/core/request_pipeline replaced it."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.platform.rate_limits import STATE_KEY, Outcome, headers_for
from app.platform.route_series import children, route_template


class PlatformMiddleware:
    def __init__(self, app: ASGIApp, *, count: bool = True) -> None:
        self.app = app
        self.count = count

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                outcomes: list[Outcome] | None = scope.get(STATE_KEY)
                if outcomes:
                    names = {name.lower() for name, _ in message.get("headers", [])}
                    if b"ratelimit" not in names:  # a 429 carries its own
                        extra = [
                            (name.lower().encode(), value.encode())
                            for name, value in headers_for(outcomes).items()
                        ]
                        message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        if not self.count:
            await self.app(scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            counter, latency = children(route_template(scope), scope["method"], status)
            counter.inc()
            latency.observe(time.perf_counter() - started)
