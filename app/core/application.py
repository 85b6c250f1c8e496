"""FastAPI with its per-request layers folded into one: app/core/request_pipeline.

FastAPI 0.165 builds, around the user's middleware, `ServerErrorMiddleware`,
`ExceptionTelemetryMiddleware` and `AppBodyLimitMiddleware` outside, `ExceptionMiddleware`
and `AsyncExitStackMiddleware` inside: five more calls and `send` wrappers per request.
Here the stack is the user's middleware (CORS, when configured), then the pipeline, which
does what our own layers and the inner two did, then the router.

Left out, because for Debrief they do nothing:
- `ServerErrorMiddleware` answers a 500 for an exception that leaves the layers inside it
  before a response began: the pipeline lets none out (it answers them itself), and an
  exception after the response began is let out by both alike. It stays when the app is
  traced (`install_tracing`): OpenTelemetry's FastAPI instrumentation wraps that very layer,
  and leaves an app without it untraced. (Or in debug mode, where it shows tracebacks.)
- `ExceptionTelemetryMiddleware` records an exception for FastAPI's native telemetry as it
  leaves, which the telemetry's own wrapper records too;
- `AppBodyLimitMiddleware` applies FastAPI's `max_body_size` (unset: the pipeline applies
  Debrief's own limit, as a problem).

`tests/core/test_request_pipeline.py` pins these lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi._body_limit import AppBodyLimitMiddleware
from starlette.applications import Starlette
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.types import ASGIApp, ExceptionHandler, Receive, Scope, Send

from app.core.request_pipeline import RequestPipeline
from app.core.telemetry_check import telemetry_enabled


@dataclass(frozen=True)
class PipelineOptions:
    max_body_bytes: int
    platform: bool  # metrics or rate limits on: their headers and counts
    count: bool  # metrics on


class DebriefApp(FastAPI):
    pipeline_options: PipelineOptions | None = None
    # Set by install_tracing: the OpenTelemetry instrumentation needs the outer error layer.
    server_error_layer: bool = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # FastAPI's own path for an HTTP request that native telemetry does not follow,
        # with its check made cheaply (app/core/telemetry_check.py).
        if (
            scope["type"] == "http"
            and "fastapi.telemetry" not in scope
            and not telemetry_enabled(self._native_telemetry)
        ):
            if self.root_path:
                scope["root_path"] = self.root_path
            await Starlette.__call__(self, scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def build_middleware_stack(self) -> ASGIApp:
        options = self.pipeline_options
        if options is None:
            return super().build_middleware_stack()
        error_handler: ExceptionHandler | None = None
        handlers: dict[Any, ExceptionHandler] = {}
        for key, value in self.exception_handlers.items():
            if key in (500, Exception):
                error_handler = value
            else:
                handlers[key] = value
        app: ASGIApp = RequestPipeline(
            self.router,
            handlers=handlers,
            debug=self.debug,
            max_body_bytes=options.max_body_bytes,
            platform=options.platform,
            count=options.count,
        )
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        if self.max_body_size is not None:
            app = AppBodyLimitMiddleware(app, max_body_size=self.max_body_size)
        if self.server_error_layer or self.debug or error_handler is not None:
            app = ServerErrorMiddleware(app, handler=error_handler, debug=self.debug)
        return app
