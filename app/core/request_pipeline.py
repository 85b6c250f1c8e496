"""Everything a request passes through on its way to its route, in one pure ASGI layer.

It does, in one call with at most one `send` and one `receive` wrapper, what these layers
did one inside the other (outermost first), and exactly as they did it:

- `PlatformMiddleware`, when metrics or rate limits are on:
  the rate-limit headers the request's check left in its scope, and the request counted
  and timed by its route template;
- `RequestContextMiddleware`: X-Request-ID, the access line, a
  503 problem for a database that cannot answer, a 500 problem for anything else, 499 in
  the log for a client that left;
- `BodySizeLimitMiddleware`: 413 from a declared length or counted from a streamed body;
- `RejectNulMiddleware`: 400 for a NUL in the path or query;
- `ConditionalGetMiddleware`: 304 for a matching
  If-None-Match;
- Starlette's `ExceptionMiddleware` and FastAPI's `AsyncExitStackMiddleware`: the
  exception handlers for what is raised outside a route (404, 405), the request's file
  stack.

Each of those was a coroutine frame and a `send` closure per message; here the headers are
read once, the `receive` wrapper exists only for a request that can carry a body, and the
`send` wrapper does only what the request needs. Those classes stay as they were in
tests/core/replaced_layers: the reference `tests/core/test_request_pipeline.py` compares
this layer against.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from contextlib import AsyncExitStack
from typing import Any

from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
from starlette._exception_handler import _lookup_exception_handler
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.routing import Router
from starlette.types import ExceptionHandler, Message, Receive, Scope, Send

from app.core.access_line import log_access
from app.core.database_faults import database_problem
from app.core.errors import BadRequest, ContentTooLarge, InternalError, ProblemError
from app.core.etags import DROPPED_ON_304, is_not_modified
from app.core.planned_route_app import send_handled
from app.core.problem_responses import render_problem
from app.core.request_context import choose_request_id, request_id_var
from app.core.request_logs import CLIENT_CLOSED_REQUEST, access_logger, error_logger
from app.core.secret_paths import redacted
from app.platform.rate_limits import STATE_KEY, Outcome, header_fields
from app.platform.route_series import children, route_template

FILE_STACK_KEY = "fastapi_middleware_astack"  # FastAPI's request handler asserts it
HANDLERS_KEY = "starlette.exception_handlers"  # read by each route's own exception handling
_INFO = logging.INFO
_FRAMED = ("1.1", "1.0")


class _BodyTooLarge(Exception):
    pass


class RequestPipeline:
    def __init__(
        self,
        router: Router,
        *,
        handlers: Mapping[Any, ExceptionHandler],
        debug: bool,
        max_body_bytes: int,
        platform: bool,
        count: bool,
    ) -> None:
        self.router = router
        # What is not HTTP (the lifespan, a websocket) goes through Starlette's own layers,
        # whose handler tables the HTTP path uses too.
        self.other = ExceptionMiddleware(
            AsyncExitStackMiddleware(router), handlers=handlers, debug=debug
        )
        self.exception_handlers: dict[Any, ExceptionHandler] = self.other._exception_handlers
        self.status_handlers: dict[int, ExceptionHandler] = self.other._status_handlers
        self.max_body_bytes = max_body_bytes
        self.platform = platform
        self.count = platform and count

    def _too_large(self) -> ContentTooLarge:
        return ContentTooLarge(
            f"The request body exceeds the limit of {self.max_body_bytes} bytes.",
            extensions={"max_body_bytes": self.max_body_bytes},
        )

    def _handler(self, exc: Exception) -> ExceptionHandler | None:
        handler = None
        if isinstance(exc, HTTPException):
            handler = self.status_handlers.get(exc.status_code)
        if handler is None:
            handler = _lookup_exception_handler(self.exception_handlers, exc)
        return handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.other(scope, receive, send)
            return
        started = time.perf_counter()
        # The headers, read once: X-Request-ID in any case (as RequestContextMiddleware
        # read it), the others as Starlette's `Headers.get` finds them (lower-case names).
        incoming_id: str | None = None
        declared: str | None = None
        if_none_match: str | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                if declared is None:
                    declared = value.decode("latin-1")
            elif name == b"if-none-match":
                if if_none_match is None:
                    if_none_match = value.decode("latin-1")
            elif name == b"transfer-encoding":
                chunked = True
            elif incoming_id is None and name.lower() == b"x-request-id":
                incoming_id = value.decode("latin-1")
        request_id = choose_request_id(incoming_id)
        token = request_id_var.set(request_id)
        request_id_bytes = request_id.encode("latin-1")
        platform = self.platform
        conditional = if_none_match is not None and scope["method"] in ("GET", "HEAD")
        # The status the platform layer counts (500 when nothing was sent), the one the
        # access log shows (499 for a client that left), whether a response has begun.
        sent_status = status = 500
        response_started = False
        exceeded = False  # the body crossed the limit: whatever the app sends is dropped
        swallowing = False  # a 304 went out: the 200's body is dropped

        async def send_on(message: Message) -> None:
            nonlocal sent_status, status, response_started, swallowing
            if exceeded:
                return
            if message["type"] == "http.response.start":
                if conditional and message["status"] == 200:
                    etag_headers = MutableHeaders(raw=list(message["headers"]))
                    etag = etag_headers.get("etag")
                    if etag is not None and is_not_modified(if_none_match, etag):
                        swallowing = True
                        for dropped in DROPPED_ON_304:
                            del etag_headers[dropped]
                        message = {**message, "status": 304, "headers": etag_headers.raw}
                response_started = True
                sent_status = status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", request_id_bytes))
                if platform:
                    outcomes: list[Outcome] | None = scope.get(STATE_KEY)
                    if outcomes and b"ratelimit" not in {k.lower() for k, _ in headers}:
                        headers += header_fields(outcomes)
                await send({**message, "headers": headers})
                if swallowing:  # the 304's empty body; the 200's own is dropped
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            if swallowing:
                return
            await send(message)

        try:
            try:
                if (
                    declared is not None
                    and declared.isdigit()
                    and int(declared) > self.max_body_bytes
                ):
                    await render_problem(self._too_large(), scope["path"])(scope, receive, send_on)
                elif "\x00" in scope["path"] or b"%00" in scope["query_string"]:
                    problem = BadRequest(
                        "The request's path or query contains a NUL character (%00)."
                    )
                    await render_problem(problem, scope["path"].replace("\x00", ""))(
                        scope, receive, send_on
                    )
                else:
                    if declared is not None or chunked or scope.get("http_version") not in _FRAMED:
                        # Counted as it arrives. (In HTTP/1.x a request with neither header
                        # has no body; HTTP/2 may send one without a length.)
                        limit = self.max_body_bytes
                        received = 0
                        receive_raw = receive

                        async def receive_counted() -> Message:
                            nonlocal received, exceeded
                            message = await receive_raw()
                            if message["type"] == "http.request":
                                received += len(message.get("body", b""))
                                if received > limit:
                                    exceeded = True
                                    raise _BodyTooLarge
                            return message

                        receive = receive_counted
                    scope[HANDLERS_KEY] = (self.exception_handlers, self.status_handlers)
                    try:
                        async with AsyncExitStack() as stack:
                            scope[FILE_STACK_KEY] = stack
                            await self.router.middleware_stack(scope, receive, send_on)
                    except Exception as exc:
                        # What Starlette's ExceptionMiddleware did for an exception raised
                        # outside a route (a route applies the same handlers itself).
                        handler = self._handler(exc)
                        if handler is None:
                            raise
                        if response_started:
                            raise RuntimeError(
                                "Caught handled exception, but response already started."
                            ) from exc
                        await send_handled(handler, Request(scope, receive, send_on), exc, send_on)
            except Exception:
                if not exceeded:
                    raise
            if exceeded and not response_started:
                exceeded = False
                await render_problem(self._too_large(), scope["path"])(scope, receive, send_on)
        except ClientDisconnect:
            # The client left (or was cut off for sending its body too slowly) before the
            # app had read the request: nobody to answer, nothing went wrong here.
            status = CLIENT_CLOSED_REQUEST
        except Exception as error:
            problem_found: ProblemError | None = database_problem(error)
            if problem_found is None:
                error_logger.exception(
                    "unhandled error on %s %s", scope["method"], redacted(scope["path"])
                )
                problem_found = InternalError()
            if response_started:
                raise
            swallowing = False
            await render_problem(problem_found, scope["path"])(scope, receive, send_on)
        finally:
            if access_logger.isEnabledFor(_INFO):
                method, path = scope["method"], redacted(scope["path"])
                duration_ms = round((time.perf_counter() - started) * 1000, 2)
                log_access(method, path, status, duration_ms)
            request_id_var.reset(token)
            if self.count:
                counter, latency = children(route_template(scope), scope["method"], sent_status)
                counter.inc()
                latency.observe(time.perf_counter() - started)
