"""Traces: off (and not even imported) without an OTLP endpoint; on, a request's span
holds its SQL, and its log lines carry the request id and the trace id together."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app.core import logging as debrief_logging
from app.core.config import Settings
from app.core.database import Database
from app.core.logging import RequestIdFilter, TextFormatter
from app.main import create_app
from app.platform.tracing import install_tracing
from tests.tenants import Tenant

pytestmark = pytest.mark.anyio


def test_without_an_endpoint_nothing_of_tracing_is_imported() -> None:
    script = (
        "import os, sys; os.environ.pop('OTEL_EXPORTER_OTLP_ENDPOINT', None); "
        "from app.main import create_app; from app.core.config import Settings; "
        "create_app(Settings(_env_file=None)); "
        "print(sorted(m for m in sys.modules if m.startswith(('opentelemetry.sdk', "
        "'opentelemetry.instrumentation', 'opentelemetry.exporter'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


@pytest.fixture
def traced(
    settings: Settings, database: Database, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FastAPI, InMemorySpanExporter]]:
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    monkeypatch.setattr(debrief_logging, "_trace_ids", False)
    app = create_app(settings, database=database)
    exporter = InMemorySpanExporter()
    assert install_tracing(app, database, exporter)
    yield app, exporter
    SQLAlchemyInstrumentor().uninstrument()
    HTTPXClientInstrumentor().uninstrument()


async def test_a_request_is_traced_and_its_log_line_names_both_ids(
    traced: tuple[FastAPI, InMemorySpanExporter], tenant: Tenant
) -> None:
    app, exporter = traced
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        TextFormatter("%(levelname)s [%(request_id)s%(trace)s] %(name)s: %(message)s")
    )
    access = logging.getLogger("debrief.access")
    access.addHandler(handler)
    previous_level = access.level
    access.setLevel(logging.INFO)
    try:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            response = await c.get(
                "/v1/candidates", headers={**tenant.headers(), "X-Request-ID": "trace-me-1"}
            )
    finally:
        access.removeHandler(handler)
        access.setLevel(previous_level)
    assert response.status_code == 200

    spans = exporter.get_finished_spans()
    server = [
        s for s in spans if s.attributes and s.attributes.get("http.route") == "/v1/candidates"
    ]
    assert server, [s.name for s in spans]
    trace_id = format(server[0].context.trace_id, "032x")
    sql = [s for s in spans if s.attributes and "db.statement" in s.attributes]
    assert sql, [s.name for s in spans]
    # The request's own statements are in its trace (others ran before, making the tenant).
    assert trace_id in {format(s.context.trace_id, "032x") for s in sql}
    assert (
        f"[trace-me-1 trace={trace_id}] debrief.access: GET /v1/candidates 200" in lines.getvalue()
    )
