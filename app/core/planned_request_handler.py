"""FastAPI's request handler for a planned route, cut to what such a route can use.

`fastapi.routing.get_request_handler` builds one handler for every kind of route (forms,
streams, server-sent events, telemetry) and pays for that on every request: a telemetry
lookup before and around each step, the endpoint's error context worked out up front, the
Content-Type parsed with `email.message`. This handler does, for a route that returns one
response (no form body, no stream), the same steps in the same order with the same
results: the body read and parsed as JSON when its media type is JSON (`email.message`'s
reading of the header, without building a message), the plan solving the dependencies,
the endpoint, the response FastAPI would build. The error context is worked out only when
an error needs it. A request that native telemetry follows goes to FastAPI's own handler
(`fallback`), which reports each step. `tests/core/test_planned_request_handler.py` sends
every operation a matrix of requests through both and compares the answers byte for byte.

The body is parsed by orjson where it reads a body exactly as `json.loads` does, and by
`json.loads` itself everywhere else (`parse_json_body`), so every error stays FastAPI's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from typing import Any

import orjson
from fastapi import params
from fastapi._body_limit import get_body_limit_error
from fastapi._compat import Undefined, lenient_issubclass
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import (
    _is_async_gen_callable,
    _is_coroutine_callable,
    _is_gen_callable,
)
from fastapi.exceptions import EndpointContext, RequestValidationError
from fastapi.routing import (
    APIRoute,
    _build_response_args,
    _extract_endpoint_context,
    serialize_response,
)
from fastapi.sse import EventSourceResponse
from fastapi.telemetry._api import _get_request_telemetry, _run_sync_endpoint
from fastapi.utils import is_body_allowed_for_status_code
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from app.core.dependency_plan import DependencyPlan

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
# The planned handler, given the body when its caller has read it already.
BodyHandler = Callable[[Request, "bytes | None"], Coroutine[Any, Any, Response]]

_DIGITS = b"0123456789"
# orjson reads an integer beyond 64 bits as a float, json.loads as an int: any run of 19
# digits (the shortest such integer has 19) goes to json.loads.
_LONG_DIGIT_RUN = re.compile(rb"[0-9]{19}")
# json.loads raises RecursionError some way below orjson's nesting limit (1024), at a
# depth that depends on the stack: a body that may nest this deep goes to json.loads.
_MAX_OPENINGS = 256


def _orjson_reads_as_stdlib(body: bytes) -> bool:
    """Whether orjson, if it reads `body` at all, reads what `json.loads` reads. Elsewhere
    orjson refuses (NaN, infinities and overflowing floats, lone surrogates, invalid UTF-8,
    a BOM or any encoding but UTF-8, which needs a NUL in the first two bytes)."""
    if body.count(b"[") + body.count(b"{") > _MAX_OPENINGS:
        return False
    digits = len(body) - len(body.translate(None, _DIGITS))
    return digits < 19 or _LONG_DIGIT_RUN.search(body) is None


def parse_json_body(body: bytes) -> Any:
    """`json.loads(body)`: the same document, or the same exception."""
    if _orjson_reads_as_stdlib(body):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass  # json.loads raises its own error, or reads what orjson refuses
    return json.loads(body)


async def read_body(request: Request) -> bytes:
    """`await request.body()`: Starlette's reading, the same messages received and the same
    state left on the request, without the async generator (`stream`) it reads through."""
    try:
        return request._body
    except AttributeError:
        pass
    if request._stream_consumed:
        raise RuntimeError("Stream consumed")
    chunks: list[bytes] = []
    receive = request._receive
    while not request._stream_consumed:
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            if not message.get("more_body", False):
                request._stream_consumed = True
            if chunk:
                chunks.append(chunk)
        elif message["type"] == "http.disconnect":
            request._is_disconnected = True
            raise ClientDisconnect()
    body = request._body = b"".join(chunks)
    return body


def is_json_media_type(content_type: str) -> bool:
    """What FastAPI decides with `email.message.Message` (its `get_content_maintype()` is
    "application" and its subtype "json" or "…+json"), read as that class reads it."""
    media = content_type.partition(";")[0].strip().lower()
    if media.count("/") != 1:  # RFC 2045: an invalid type is text/plain
        return False
    main, subtype = media.split("/")
    return main == "application" and (subtype == "json" or subtype.endswith("+json"))


def unplanned_shape(route: APIRoute) -> str | None:
    """Why this handler leaves `route` to FastAPI's, or None."""
    call = route.dependant.call
    if route.body_field is not None and isinstance(route.body_field.field_info, params.Form):
        return "a form body"
    if route.stream_item_field is not None or route.is_json_stream:
        return "a JSON stream"
    response_class = route.response_class
    if isinstance(response_class, DefaultPlaceholder):
        response_class = response_class.value
    if lenient_issubclass(response_class, EventSourceResponse):
        return "server-sent events"
    if call is None or _is_gen_callable(call) or _is_async_gen_callable(call):
        return "a generator endpoint"
    return None


def planned_request_handler(
    route: APIRoute, plan: DependencyPlan, fallback: Handler
) -> BodyHandler:
    """`route`'s handler, solving with `plan`; `unplanned_shape(route)` must be None. Its
    second argument is the request's body when the caller has read it (else None)."""
    dependant = route.dependant
    call = dependant.call
    assert call is not None
    is_coroutine = _is_coroutine_callable(call)
    body_field = route.body_field
    status_code = route.status_code
    response_class = route.response_class
    actual_response_class: type[Response] = (
        response_class.value if isinstance(response_class, DefaultPlaceholder) else response_class
    )
    strict = route.strict_content_type
    strict_content_type: bool = strict.value if isinstance(strict, DefaultPlaceholder) else strict
    response_field = route.response_field
    use_dump_json = response_field is not None and isinstance(response_class, DefaultPlaceholder)
    overrides_provider = route.dependency_overrides_provider
    embed_body_fields = route._embed_body_fields
    solve = plan.solve_dependencies

    def endpoint_context(request: Request) -> EndpointContext:
        context = _extract_endpoint_context(call)
        if dependant.path:
            mount_path = request.scope.get("root_path", "").rstrip("/")
            context["path"] = f"{request.method} {mount_path}{dependant.path}"
        return context

    async def app(request: Request, given_body: bytes | None = None) -> Response:
        if _get_request_telemetry() is not None:
            return await fallback(request)
        scope = request.scope
        assert isinstance(scope.get("fastapi_middleware_astack"), AsyncExitStack), (
            "fastapi_middleware_astack not found in request scope"
        )
        body: Any = Undefined
        if body_field is not None:
            try:
                body_bytes = await read_body(request) if given_body is None else given_body
                if body_bytes:
                    content_type = request.headers.get("content-type")
                    if (
                        not strict_content_type
                        if not content_type
                        else is_json_media_type(content_type)
                    ):
                        body = parse_json_body(body_bytes)
                        # What `request.json()` answers from now on, as after FastAPI's
                        # own reading (a dependency may read the body again).
                        request._json = body
                    else:
                        body = body_bytes
            except json.JSONDecodeError as e:
                raise RequestValidationError(
                    [
                        {
                            "type": "json_invalid",
                            "loc": ("body", e.pos),
                            "msg": "JSON decode error",
                            "input": {},
                            "ctx": {"error": e.msg},
                        }
                    ],
                    body=e.doc,
                    endpoint_ctx=endpoint_context(request),
                ) from e
            except HTTPException:
                raise
            except Exception as e:
                if MAX_BODY_SIZE_SCOPE_KEY in scope and (error := get_body_limit_error(e)):
                    raise error from e
                raise HTTPException(
                    status_code=400, detail="There was an error parsing the body"
                ) from e
        async_exit_stack = scope.get("fastapi_inner_astack")
        assert isinstance(async_exit_stack, AsyncExitStack), (
            "fastapi_inner_astack not found in request scope"
        )
        solved = await solve(
            request=request,
            dependant=dependant,
            body=body,
            dependency_overrides_provider=overrides_provider,
            async_exit_stack=async_exit_stack,
            embed_body_fields=embed_body_fields,
        )
        if solved.errors:
            raise RequestValidationError(
                solved.errors,
                body=None if body is Undefined else body,
                endpoint_ctx=endpoint_context(request),
            )
        if is_coroutine:
            raw_response = await call(**solved.values)
        else:
            raw_response = await run_in_threadpool(
                _run_sync_endpoint, function=call, arguments=solved.values
            )
        if isinstance(raw_response, Response):
            if raw_response.background is None:
                raw_response.background = solved.background_tasks
            return raw_response
        response_args = _build_response_args(status_code=status_code, solved_result=solved)
        content = await serialize_response(
            field=response_field,
            response_content=raw_response,
            include=route.response_model_include,
            exclude=route.response_model_exclude,
            by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none,
            is_coroutine=is_coroutine,
            endpoint_ctx=endpoint_context(request),
            dump_json=use_dump_json,
        )
        if use_dump_json:
            response = Response(content=content, media_type="application/json", **response_args)
        else:
            response = actual_response_class(content, **response_args)
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
        response.headers.raw.extend(solved.response.headers.raw)
        return response

    return app
