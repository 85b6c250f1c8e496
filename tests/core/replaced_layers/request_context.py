"""Pure ASGI middleware: request id, access log and last-resort errors; body size limit.

Frozen as they were in app/core/middleware.py when app/core/request_pipeline replaced
them with one layer.
"""

from __future__ import annotations

import logging
import time

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.database_faults import database_problem
from app.core.errors import BadRequest, ContentTooLarge, InternalError, ProblemError
from app.core.problem_responses import render_problem
from app.core.request_context import REQUEST_ID_HEADER, choose_request_id, request_id_var
from app.core.request_logs import CLIENT_CLOSED_REQUEST, access_logger, error_logger
from app.core.secret_paths import redacted

_REQUEST_ID_NAME = REQUEST_ID_HEADER.lower().encode("latin-1")


def _request_id_header(scope: Scope) -> str | None:
    """The first X-Request-ID, as `Headers.get` finds it, without building `Headers`."""
    for name, value in scope["headers"]:
        if name.lower() == _REQUEST_ID_NAME:
            return str(value.decode("latin-1"))
    return None


class RequestContextMiddleware:
    """Outermost layer: every response gets X-Request-ID, every request one access line,
    a database that cannot answer a 503 problem, and any other unhandled exception a 500
    problem without internals."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = choose_request_id(_request_id_header(scope))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        except ClientDisconnect:
            # The client left (or was cut off for sending its body too slowly) before the
            # app had read the request: nobody to answer, nothing went wrong here.
            status = CLIENT_CLOSED_REQUEST
        except Exception as error:
            problem: ProblemError | None = database_problem(error)
            if problem is None:
                error_logger.exception(
                    "unhandled error on %s %s", scope["method"], redacted(scope["path"])
                )
                problem = InternalError()
            if response_started:
                raise
            response = render_problem(problem, scope["path"])
            await response(scope, receive, send_with_request_id)
        finally:
            if access_logger.isEnabledFor(logging.INFO):
                method, path = scope["method"], redacted(scope["path"])
                access_logger.info(
                    "%s %s %s",
                    method,
                    path,
                    status,
                    extra={
                        "method": method,
                        "path": path,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )
            request_id_var.reset(token)


class RejectNulMiddleware:
    """A NUL in the path or query string is never meaningful, and PostgreSQL cannot even
    compare text with one: refuse it up front, whatever route it would reach."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope["query_string"]):
            problem = BadRequest("The request's path or query contains a NUL character (%00).")
            await render_problem(problem, scope["path"].replace("\x00", ""))(scope, receive, send)
            return
        await self.app(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """Refuses bodies over the limit with a 413 problem, without buffering them.

    A declared Content-Length over the limit is refused before the app runs; a streamed
    body is counted chunk by chunk and refused as soon as it crosses the limit.
    Starlette's own limiter answers in plain text, hence this one.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def _too_large(self, scope: Scope) -> ContentTooLarge:
        return ContentTooLarge(
            f"The request body exceeds the limit of {self.max_body_bytes} bytes.",
            extensions={"max_body_bytes": self.max_body_bytes},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await render_problem(self._too_large(scope), scope["path"])(scope, receive, send)
            return

        received = 0
        exceeded = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if exceeded:
                return  # whatever the app makes of the aborted read, the answer is 413
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not response_started:
            await render_problem(self._too_large(scope), scope["path"])(scope, receive, send)
