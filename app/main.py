"""The application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import __version__
from app.access.coach_routes import router as coaches_router
from app.access.cors import install_cors
from app.access.grant_cache import GrantCache
from app.access.grant_routes import router as grants_router
from app.access.routes import router as access_router
from app.access.subject_cache import SubjectCache
from app.access.tokens import TokenKeys
from app.candidates.routes import router as candidates_router
from app.core.application import DebriefApp, PipelineOptions
from app.core.config import Settings, get_settings
from app.core.database import Database
from app.core.docs import install_docs
from app.core.errors import ProblemError
from app.core.openapi import install_openapi
from app.core.problem_responses import (
    handle_http_exception,
    handle_problem,
    handle_validation_error,
)
from app.core.route_table import install_route_table
from app.diagnosis.active_rule_sets import ActiveRuleSets
from app.diagnosis.insight_routes import router as insights_router
from app.diagnosis.routes import router as diagnoses_router
from app.diagnosis.rule_set_routes import router as rule_sets_router
from app.events.routes import events_router
from app.events.routes import router as webhook_endpoints_router
from app.exports.routes import router as exports_router
from app.follow_ups.routes import cadence_router, feed_router
from app.follow_ups.routes import candidate_router as candidate_follow_ups_router
from app.follow_ups.routes import router as follow_ups_router
from app.mcp.mount import install_mcp, mcp_running
from app.messages.render_pool import RenderPool
from app.messages.routes import router as messages_router
from app.messages.template_routes import router as templates_router
from app.operations.routes import router as operations_router
from app.organizations.key_cache import KeyCache
from app.organizations.routes import router as organizations_router
from app.platform.database_metrics import watch_pool
from app.platform.rate_limits import RateLimiter
from app.platform.routes import router as platform_router
from app.platform.tracing import install_tracing
from app.question_sets.routes import router as question_sets_router
from app.sessions.action_item_routes import router as action_items_router
from app.sessions.candidate_routes import router as candidate_sessions_router
from app.sessions.routes import router as sessions_router
from app.worker.in_process import in_process_worker

DESCRIPTION = """\
Debrief turns a job rejection into a plan. A candidate works through a reflection
session; the service diagnoses the likely reasons with explainable rules, drafts the
feedback request to the interviewer and the script for the follow-up call, and tracks
what comes next.

Every error is an RFC 9457 `application/problem+json` document; `type` names the kind of
problem (see `GET /problems`) and `request_id` matches the `X-Request-ID` header.
"""


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> DebriefApp:
    settings = settings or get_settings()
    database = database or Database(
        settings.effective_database_url, timeouts=settings.database_timeouts
    )
    render_pool = RenderPool(
        settings.template_render_workers, settings.template_render_timeout_seconds
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # What is alive now (routes, schemas, compiled templates) lives as long as the
        # process: keep it out of the garbage collector's full passes, which otherwise
        # pause every request for tens of milliseconds as they walk it again.
        gc.collect()
        gc.freeze()
        render_pool.start()
        async with in_process_worker(settings, database), mcp_running(_app):
            yield
        render_pool.close()
        await database.dispose()

    app = DebriefApp(
        title="Debrief",
        version=__version__,
        summary="Learn from a job rejection: reflect, diagnose, ask for feedback, move on.",
        description=DESCRIPTION,
        contact={"name": "Debrief team", "email": "team@debrief.dev"},
        license_info={"name": "MIT", "identifier": "MIT"},
        servers=[{"url": settings.public_url}],
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.render_pool = render_pool
    app.state.key_cache = KeyCache(settings.auth_cache_seconds)
    app.state.active_rule_sets = ActiveRuleSets(settings.rule_set_cache_seconds)
    app.state.subject_cache = SubjectCache(settings.auth_cache_seconds)
    app.state.grant_cache = GrantCache(settings.auth_cache_seconds)
    app.state.token_keys = TokenKeys.from_settings(settings)
    app.state.rate_limiter = RateLimiter(settings)
    if settings.metrics_enabled:
        watch_pool(database.engine)

    app.add_exception_handler(ProblemError, handle_problem)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    # Request id, access log, last-resort problems, body limit, NUL check, conditional GET,
    # and (when on) rate-limit headers and request metrics: one layer (app/core/application).
    app.pipeline_options = PipelineOptions(
        max_body_bytes=settings.max_body_bytes,
        platform=settings.metrics_enabled or settings.rate_limits_enabled,
        count=settings.metrics_enabled,
    )
    install_cors(app, settings)

    # The routers' routes join the app's own list (their prefixes, tags and responses are
    # already on each route): FastAPI 0.165's include_router wraps every router, and then
    # matches each request against every router twice over, which cost a fifth of a
    # preview's time.
    for router in (
        operations_router,
        platform_router,
        organizations_router,
        access_router,
        coaches_router,
        candidates_router,
        grants_router,
        question_sets_router,
        candidate_sessions_router,
        sessions_router,
        action_items_router,
        rule_sets_router,
        diagnoses_router,
        insights_router,
        templates_router,
        messages_router,
        cadence_router,
        follow_ups_router,
        candidate_follow_ups_router,
        exports_router,
        feed_router,
        events_router,
        webhook_endpoints_router,
    ):
        app.router.routes.extend(router.routes)
    install_mcp(app)
    install_openapi(app)
    install_tracing(app, database)
    if settings.docs_enabled:
        install_docs(app)
    install_route_table(app)
    return app
