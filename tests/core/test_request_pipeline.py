"""The one request layer (app/core/request_pipeline) against the layers it replaced.

Every behaviour the old stack had (request id, access line, 413 declared and streamed,
NUL 400, 304, 404/405 problems, 499 for a client that left, 500 and 503 problems, an
error after the response began, rate-limit headers, request metrics, CORS) is driven
through both: the app as `create_app` builds it, and the same app built the old way
(FastAPI's own stack around `PlatformMiddleware`, `RequestContextMiddleware`,
`BodySizeLimitMiddleware`, `RejectNulMiddleware` and `ConditionalGetMiddleware`, frozen in
tests/core/replaced_layers). The
messages sent (status, every header in order, every body byte), the access and error log
lines, the exception let out and the metrics counted must be the same.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from fastapi._body_limit import AppBodyLimitMiddleware
from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
from fastapi.responses import StreamingResponse
from fastapi.telemetry._asgi import ExceptionTelemetryMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import Router

from app.core.application import DebriefApp
from app.core.config import Settings
from app.core.database import Database
from app.core.request_pipeline import RequestPipeline
from app.core.routing import api_router
from app.main import create_app
from app.platform import metrics
from app.platform.rate_limits import STATE_KEY, Outcome
from tests.core.probe_routes import router as probe_router
from tests.core.replaced_layers import install_replaced_layers

pytestmark = pytest.mark.anyio

extra = api_router(prefix="/pipeline")


@extra.get("/tagged")
async def tagged() -> Response:
    return Response(
        b"tagged body",
        media_type="text/plain",
        headers={"ETag": '"v1"', "Content-Language": "en", "X-Request-ID": "from-the-route"},
    )


@extra.get("/limited")
async def limited(request: Request) -> dict[str, str]:
    request.scope[STATE_KEY] = [Outcome("reads", 100, 60, 99, 42)]
    return {"ok": "yes"}


@extra.get("/limited-own")
async def limited_own(request: Request) -> Response:
    request.scope[STATE_KEY] = [Outcome("reads", 100, 60, 0, 42)]
    return Response(b"", status_code=429, headers={"RateLimit": '"reads";r=0;t=42'})


@extra.get("/database-down")
async def database_down() -> None:
    raise ConnectionRefusedError(111, "Connection refused")


@extra.get("/broken-stream")
async def broken_stream() -> StreamingResponse:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"first"
        raise RuntimeError("after the response began")

    return StreamingResponse(chunks(), media_type="text/plain")


def _with_routes(app: FastAPI) -> FastAPI:
    app.include_router(probe_router)
    app.include_router(extra)
    return app


def old_stack(settings: Settings, database: Database) -> FastAPI:
    """The app as it was built before the pipeline: FastAPI's stack and our five layers."""
    app = create_app(settings, database=database)
    assert isinstance(app, DebriefApp)
    return _with_routes(install_replaced_layers(app))


@dataclass
class Call:
    method: str
    path: str
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    # The request body as the server hands it over; None: the client goes away instead.
    chunks: list[bytes] | None = field(default_factory=list)
    query: bytes = b""
    http_version: str = "1.1"


ID = [(b"x-request-id", b"req-1")]
JSON = [(b"content-type", b"application/json")]
THING = b'{"name": "a", "size": 1}'


def _length(body: bytes) -> list[tuple[bytes, bytes]]:
    return [(b"content-length", str(len(body)).encode())]


CALLS: dict[str, Call] = {
    "a plain GET": Call("GET", "/healthz", ID),
    "a generated request id": Call("GET", "/healthz"),
    "an unusable request id": Call("GET", "/healthz", [(b"X-Request-Id", b"bad id\n")]),
    "a request id in another case": Call("GET", "/healthz", [(b"X-REQUEST-ID", b"Upper-1")]),
    "a route's own request id header": Call("GET", "/pipeline/tagged", ID),
    "a body": Call("POST", "/probe/things", ID + JSON + _length(THING), [THING]),
    "a body in pieces": Call(
        "POST",
        "/probe/things",
        ID + JSON + [(b"transfer-encoding", b"chunked")],
        [THING[:5], THING[5:]],
    ),
    "a validation problem": Call(
        "POST", "/probe/things", ID + JSON + _length(b'{"name": ""}'), [b'{"name": ""}']
    ),
    "a declared body over the limit": Call(
        "POST", "/probe/things", ID + JSON + [(b"content-length", b"2000000")], [b"{}"]
    ),
    "a streamed body over the limit": Call(
        "POST",
        "/probe/things",
        ID + JSON + [(b"transfer-encoding", b"chunked")],
        [b"x" * 700_000, b"x" * 700_000, b"x" * 10],
    ),
    "a body longer than declared, over the limit": Call(
        "POST", "/probe/things", ID + JSON + _length(b"{}"), [b"x" * 600_000, b"x" * 600_000]
    ),
    "an HTTP/2 body over the limit, of no declared length": Call(
        "POST", "/probe/things", [*ID, *JSON], [b"x" * 700_000] * 2, http_version="2"
    ),
    "an HTTP/2 body of no declared length": Call(
        "POST", "/probe/things", [*ID, *JSON], [THING], http_version="2"
    ),
    "a NUL in the path": Call("GET", "/v1/question-sets/a\x00b", ID),
    "a NUL in the query": Call("GET", "/v1/candidates", ID, query=b"external_ref=a%00b"),
    "a NUL and a body over the limit": Call(
        "POST", "/v1/x\x00", [*ID, (b"content-length", b"2000000")]
    ),
    "an unknown path": Call("GET", "/v1/no-such-thing", ID),
    "a wrong method": Call("DELETE", "/healthz", ID),
    "a slash too many": Call("GET", "/healthz/", ID),
    "a matching If-None-Match": Call("GET", "/pipeline/tagged", [*ID, (b"if-none-match", b'"v1"')]),
    "a matching If-None-Match on HEAD": Call(
        "HEAD", "/pipeline/tagged", [*ID, (b"if-none-match", b'W/"v1"')]
    ),
    "If-None-Match: *": Call("GET", "/pipeline/tagged", [*ID, (b"if-none-match", b"*")]),
    "another ETag": Call("GET", "/pipeline/tagged", [*ID, (b"if-none-match", b'"v2"')]),
    "If-None-Match on a 404": Call("GET", "/v1/nothing", [*ID, (b"if-none-match", b"*")]),
    "rate-limit headers": Call("GET", "/pipeline/limited", ID),
    "a 429's own rate-limit headers": Call("GET", "/pipeline/limited-own", ID),
    "a client that left": Call("POST", "/probe/things", ID + JSON + _length(THING), None),
    "a crash": Call("GET", "/probe/crash", ID),
    "a database that cannot answer": Call("GET", "/pipeline/database-down", ID),
    "an error after the response began": Call("GET", "/pipeline/broken-stream", ID),
    "a CORS request": Call("GET", "/healthz", [*ID, (b"origin", b"https://app.example")]),
    "a CORS preflight": Call(
        "OPTIONS",
        "/v1/candidates",
        [*ID, (b"origin", b"https://app.example"), (b"access-control-request-method", b"POST")],
    ),
}

_GENERATED_ID = re.compile(rb"\b[0-9a-f]{32}\b")


@dataclass
class Seen:
    messages: list[Any]
    raised: str | None
    access: list[tuple[str, object]]
    errors: list[tuple[str, str | None]]
    counted: dict[tuple[str, ...], float]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _counts() -> dict[tuple[str, ...], float]:
    found = {}
    for family in (metrics.HTTP_REQUESTS, metrics.HTTP_LATENCY):
        for metric in family.collect():
            for sample in metric.samples:
                if sample.name.endswith(("_total", "_count")):
                    found[(sample.name, *sorted(sample.labels.items()))] = sample.value  # type: ignore[arg-type]
    return found


def _normalised(value: Any) -> Any:
    """A generated request id is random: the same placeholder in both runs."""
    if isinstance(value, bytes):
        return _GENERATED_ID.sub(b"<generated>", value)
    if isinstance(value, str):
        return _GENERATED_ID.sub(b"<generated>", value.encode()).decode()
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_normalised(v) for v in value)
    return value


async def run(app: FastAPI, call: Call) -> Seen:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": call.http_version,
        "method": call.method,
        "scheme": "http",
        "path": call.path,
        "raw_path": call.path.encode(),
        "query_string": call.query,
        "root_path": "",
        "headers": [(b"host", b"testserver"), *call.headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    pending = list(call.chunks) if call.chunks is not None else None

    async def receive() -> dict[str, Any]:
        if pending is None:
            return {"type": "http.disconnect"}
        if pending:
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
        return {"type": "http.request", "body": b"", "more_body": False}

    sent: list[Any] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    handler = _Records()
    loggers = [logging.getLogger("debrief.access"), logging.getLogger("debrief.error")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    before = _counts()
    raised = None
    try:
        await app(scope, receive, send)
    except Exception as error:
        raised = type(error).__name__
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
    after = _counts()
    return Seen(
        messages=_normalised(sent),
        raised=raised,
        access=[
            (_normalised(r.getMessage()), r.status)  # type: ignore[attr-defined]
            for r in handler.records
            if r.name == "debrief.access"
        ],
        errors=[
            (r.getMessage(), r.exc_info[0].__name__ if r.exc_info and r.exc_info[0] else None)
            for r in handler.records
            if r.name == "debrief.error"
        ],
        counted={k: v - before.get(k, 0.0) for k, v in after.items() if v != before.get(k, 0.0)},
    )


SETTINGS_VARIANTS: dict[str, dict[str, Any]] = {
    "defaults (metrics and rate limits on)": {},
    "metrics off": {"metrics_enabled": False},
    "platform off": {"metrics_enabled": False, "rate_limits_enabled": False},
    "CORS on": {"cors_origins": ["https://app.example"]},
}


@pytest.mark.parametrize("variant", list(SETTINGS_VARIANTS))
async def test_the_pipeline_does_what_the_old_layers_did(
    settings: Settings, database: Database, variant: str
) -> None:
    configured = settings.model_copy(update=SETTINGS_VARIANTS[variant])
    new = _with_routes(create_app(configured, database=database))
    old = old_stack(configured, database)
    for name, call in CALLS.items():
        expected = await run(old, call)
        got = await run(new, call)
        assert got == expected, name


async def test_every_behaviour_shows_through_the_pipeline(
    settings: Settings, database: Database
) -> None:
    """What each behaviour looks like, so the differential test cannot pass on two stacks
    that both lost one."""
    app = _with_routes(create_app(settings, database=database))

    async def status_of(name: str) -> tuple[int | None, Seen]:
        outcome = await run(app, CALLS[name])
        starts = [m for m in outcome.messages if m["type"] == "http.response.start"]
        return (starts[0]["status"] if starts else None), outcome

    def header(outcome: Seen, name: bytes) -> list[bytes]:
        start = next(m for m in outcome.messages if m["type"] == "http.response.start")
        return [v for k, v in start["headers"] if k == name]

    status, outcome = await status_of("a plain GET")
    assert (status, header(outcome, b"x-request-id")) == (200, [b"req-1"])
    assert outcome.access == [("GET /healthz 200", 200)]
    assert (
        outcome.counted[
            (
                "debrief_http_requests_total",
                ("method", "GET"),
                ("route", "/healthz"),
                ("status", "200"),
            )
        ]
        == 1
    )
    status, outcome = await status_of("a route's own request id header")
    assert header(outcome, b"x-request-id") == [b"req-1"]
    assert (await status_of("a declared body over the limit"))[0] == 413
    assert (await status_of("a streamed body over the limit"))[0] == 413
    assert (await status_of("a NUL in the path"))[0] == 400
    assert (await status_of("a NUL in the query"))[0] == 400
    assert (await status_of("an unknown path"))[0] == 404
    assert (await status_of("a wrong method"))[0] == 405
    status, outcome = await status_of("a matching If-None-Match")
    assert status == 304
    assert [m.get("body") for m in outcome.messages[1:]] == [b""]
    assert header(outcome, b"etag") == [b'"v1"']
    assert not header(outcome, b"content-type")
    assert (await status_of("another ETag"))[0] == 200
    status, outcome = await status_of("rate-limit headers")
    assert header(outcome, b"ratelimit") == [b'"reads";r=99;t=42']
    status, outcome = await status_of("a client that left")
    assert status is None
    assert outcome.access == [("POST /probe/things 499", 499)]
    status, outcome = await status_of("a crash")
    assert status == 500
    assert outcome.errors == [("unhandled error on GET /probe/crash", "RuntimeError")]
    assert (await status_of("a database that cannot answer"))[0] == 503
    status, outcome = await status_of("an error after the response began")
    assert status == 200
    assert outcome.raised == "RuntimeError"


def _layers(app: Any) -> list[type]:
    found = []
    while app is not None and not isinstance(app, Router):
        found.append(type(app))
        app = getattr(app, "app", None)
    return found


def test_fastapis_own_stack_is_the_one_the_pipeline_replaces() -> None:
    """If FastAPI changes its layers, app/core/application must be looked at again."""
    assert _layers(FastAPI().build_middleware_stack()) == [
        ServerErrorMiddleware,
        ExceptionTelemetryMiddleware,
        AppBodyLimitMiddleware,
        ExceptionMiddleware,
        AsyncExitStackMiddleware,
    ]


@pytest.mark.parametrize(
    ("update", "traced", "layers"),
    [
        ({}, False, [RequestPipeline]),
        ({"cors_origins": ["https://app.example"]}, False, [CORSMiddleware, RequestPipeline]),
        # OpenTelemetry's instrumentation wraps the outer error layer: kept when traced.
        ({}, True, [ServerErrorMiddleware, RequestPipeline]),
    ],
)
async def test_the_layers_between_server_and_router(
    settings: Settings,
    database: Database,
    update: dict[str, Any],
    traced: bool,
    layers: list[type],
) -> None:
    app = create_app(settings.model_copy(update=update), database=database)
    app.server_error_layer = traced
    stack = app.build_middleware_stack()
    assert _layers(stack) == layers
    pipeline: Any = stack
    while not isinstance(pipeline, RequestPipeline):
        pipeline = pipeline.app
    # What is not HTTP still goes through Starlette's own two inner layers.
    assert _layers(pipeline.other) == [ExceptionMiddleware, AsyncExitStackMiddleware]
    assert pipeline.router is app.router
    # Starlette's handler tables, whose private names this module reads.
    assert pipeline.exception_handlers is pipeline.other._exception_handlers
    assert set(app.exception_handlers) - {500, Exception} <= set(pipeline.exception_handlers)
