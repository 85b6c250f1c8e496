"""OpenTelemetry traces of requests, SQL statements and outgoing HTTP (webhooks), exported
over OTLP/HTTP, only when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set; otherwise nothing of the
SDK, the exporter or the instrumentations is imported. The standard ``OTEL_*`` variables
(service name, headers, sampler) configure the rest."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

    from app.core.application import DebriefApp
    from app.core.database import Database

ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_ENDPOINT"
_UNTRACED_URLS = "healthz,readyz,metrics"


def tracing_configured() -> bool:
    return bool(os.environ.get(ENDPOINT_VARIABLE))


def install_tracing(
    app: DebriefApp, database: Database, exporter: SpanExporter | None = None
) -> bool:
    """Instruments this app and its engine when an endpoint (or, in tests, an exporter) is
    given; answers whether it did."""
    if exporter is None and not tracing_configured():
        return False
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    from app import __version__
    from app.core.logging import include_trace_ids

    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": os.environ.get("OTEL_SERVICE_NAME", "debrief"),
                "service.version": __version__,
            }
        )
    )
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    app.server_error_layer = True  # what the instrumentation wraps (app/core/application)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=_UNTRACED_URLS)
    # Its declared range stops below SQLAlchemy 2.1, whose engine events it uses unchanged.
    SQLAlchemyInstrumentor().instrument(
        engine=database.engine.sync_engine, tracer_provider=provider, skip_dep_check=True
    )
    instrumentor = HTTPXClientInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider)
    include_trace_ids()
    return True
