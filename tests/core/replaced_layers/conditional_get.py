"""If-None-Match on every GET that answers an ETag: a 304 without a body (RFC 9110 13.1.2).

In one place rather than in each route, so that no route that sends an ETag can forget it.
Routes that can tell before they build the body (e.g. a candidate) answer 304 themselves.
Frozen as it was in app/core/conditional_get.py when app/core/request_pipeline replaced it.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.etags import DROPPED_ON_304, is_not_modified


class ConditionalGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        if if_none_match is None:
            await self.app(scope, receive, send)
            return
        swallowing = False

        async def send_conditionally(message: Message) -> None:
            nonlocal swallowing
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = MutableHeaders(raw=list(message["headers"]))
                etag = headers.get("etag")
                if etag is not None and is_not_modified(if_none_match, etag):
                    swallowing = True
                    for name in DROPPED_ON_304:
                        del headers[name]
                    await send({**message, "status": 304, "headers": headers.raw})
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                    return
            if swallowing:
                return
            await send(message)

        await self.app(scope, receive, send_conditionally)
