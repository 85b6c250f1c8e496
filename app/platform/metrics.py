"""The Prometheus metrics: defined once here, counted where things happen.

With ``PROMETHEUS_MULTIPROC_DIR`` set (several uvicorn workers, or API and worker
processes on one host), prometheus_client keeps every process's values in that directory
and a scrape sums them.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess

HTTP_REQUESTS = Counter(
    "debrief_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "debrief_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DATABASE_CONNECTIONS_IN_USE = Gauge(
    "debrief_database_connections_in_use",
    "Database connections checked out of the pool.",
    multiprocess_mode="livesum",
)
DATABASE_POOL_WAITS = Counter(
    "debrief_database_pool_checkouts", "Connections taken from the database pool."
)
DIAGNOSES = Counter("debrief_diagnoses", "Diagnoses made, by verdict.", ["verdict"])
MESSAGES = Counter("debrief_messages", "Messages generated, by kind.", ["kind"])
RATE_LIMITED = Counter(
    "debrief_rate_limited_requests", "Requests refused with a 429, by budget.", ["policy"]
)
RATE_LIMIT_STORAGE_ERRORS = Counter(
    "debrief_rate_limit_storage_errors",
    "Requests served without a rate limit because its storage (Redis) did not answer.",
)
WEBHOOK_DELIVERIES = Counter(
    "debrief_webhook_deliveries", "Webhook delivery attempts, by outcome.", ["outcome"]
)
WORKER_LAG = Gauge(
    "debrief_worker_lag_seconds",
    "How late the oldest due work (an undispatched event or a due delivery) is, as a "
    "worker last measured it.",
    multiprocess_mode="max",
)


def exposition() -> tuple[bytes, str]:
    """The text a scrape answers: this process's metrics, or every process's in
    multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
