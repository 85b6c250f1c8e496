"""The middleware app/core/request_pipeline replaced, frozen as they were: the reference
tests/core/test_request_pipeline.py compares the pipeline against, and the "before" of
bench/request_overhead.py --ab and bench/platform_cost.py."""

from __future__ import annotations

from app.core.application import DebriefApp
from tests.core.replaced_layers.conditional_get import ConditionalGetMiddleware
from tests.core.replaced_layers.platform import PlatformMiddleware
from tests.core.replaced_layers.request_context import (
    BodySizeLimitMiddleware,
    RejectNulMiddleware,
    RequestContextMiddleware,
)


def install_replaced_layers(app: DebriefApp) -> DebriefApp:
    """The app as it was built before the pipeline: FastAPI's own stack around the five
    layers, inside whatever outer middleware (CORS) the app already has."""
    settings = app.state.settings
    app.pipeline_options = None
    outer = list(app.user_middleware)
    app.user_middleware.clear()
    app.add_middleware(ConditionalGetMiddleware)
    app.add_middleware(RejectNulMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    if settings.metrics_enabled or settings.rate_limits_enabled:
        app.add_middleware(PlatformMiddleware, count=settings.metrics_enabled)
    app.user_middleware[0:0] = outer
    return app
