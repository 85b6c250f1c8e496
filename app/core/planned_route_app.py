"""The ASGI app of a route with a planned handler: FastAPI's `request_response` and
Starlette's `wrap_app_handling_exceptions` in one frame.

`request_response` builds, per request, an inner app and (through
`wrap_app_handling_exceptions`) a wrapper around it, each a closure and a frame. Here the
same steps run in the same order in one function: the request, the two exit stacks
FastAPI's handler and dependencies find in the scope, the handler, the response sent
through a `send` that notes its start, and an exception turned into the response of the
handler registered for it (unless the response had started). The route's answers are
compared with FastAPI's in `tests/core/test_planned_request_handler.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from typing import Any

from fastapi.exceptions import FastAPIError
from starlette._exception_handler import _lookup_exception_handler
from starlette._utils import is_async_callable
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, ExceptionHandler, Message, Receive, Scope, Send

Handler = Callable[[Request], Coroutine[Any, Any, Response]]

_NOT_AWAITED = (
    "Response not awaited. There's a high chance that the application code is raising an "
    "exception and a dependency with yield has a block with a bare except, or a block with "
    "except Exception, and is not raising the exception again. Read more about it in the "
    "docs: https://fastapi.tiangolo.com/tutorial/dependencies/dependencies-with-yield/"
    "#dependencies-with-yield-and-except"
)


def planned_route_app(handler: Handler) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            exception_handlers, status_handlers = scope["starlette.exception_handlers"]
        except KeyError:
            exception_handlers, status_handlers = {}, {}
        response_started = False

        async def sender(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            response_awaited = False
            async with AsyncExitStack() as request_stack:
                scope["fastapi_inner_astack"] = request_stack
                async with AsyncExitStack() as function_stack:
                    scope["fastapi_function_astack"] = function_stack
                    response = await handler(request)
                await response(scope, receive, sender)
                response_awaited = True
            if not response_awaited:
                raise FastAPIError(_NOT_AWAITED)
        except Exception as exc:
            handler_found = None
            if isinstance(exc, HTTPException):
                handler_found = status_handlers.get(exc.status_code)
            if handler_found is None:
                handler_found = _lookup_exception_handler(exception_handlers, exc)
            if handler_found is None:
                raise exc
            if response_started:
                raise RuntimeError(
                    "Caught handled exception, but response already started."
                ) from exc
            await send_handled(handler_found, request, exc, sender)

    return app


async def send_handled(
    handler: ExceptionHandler, request: Request, exc: Exception, send: Send
) -> None:
    """Starlette's handling of `exc` once its handler is found and no response has begun:
    the handler's answer (if any) sent, the exception's traceback dropped."""
    if is_async_callable(handler):
        answer = await handler(request, exc)  # type: ignore[arg-type]
    else:
        answer = await run_in_threadpool(handler, request, exc)
    if answer is not None:
        await answer(request.scope, request.receive, send)
    # Reused exception instances accumulate tracebacks across requests.
    exc.__traceback__ = None
