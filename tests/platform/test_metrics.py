"""/metrics: off without its token, refused with another, and a scrape after a flow
parses and shows the counts the flow made."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from app.core.config import Settings
from app.core.database import Database
from app.main import create_app
from tests.sessions.conftest import SESSION
from tests.tenants import Tenant

pytestmark = pytest.mark.anyio

TOKEN = "metrics-token-for-tests"


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    return create_app(
        settings.model_copy(update={"metrics_token": SecretStr(TOKEN)}), database=database
    )


@pytest.fixture
async def scraper(client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=client._transport,
        base_url=client.base_url,
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as c:
        yield c


async def _samples(scraper: httpx.AsyncClient) -> dict[tuple[str, frozenset[Any]], float]:
    response = await scraper.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _delta(
    before: dict[tuple[str, frozenset[Any]], float],
    after: dict[tuple[str, frozenset[Any]], float],
    name: str,
    **labels: str,
) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


async def test_metrics_are_off_without_a_token(
    settings: Settings, database: Database, tenant: Tenant
) -> None:
    off = create_app(settings, database=database)
    transport = httpx.ASGITransport(app=off, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/metrics", headers=tenant.headers())
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Bearer dbr_notthetoken", TOKEN])
async def test_metrics_need_their_own_token(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.json()["type"] == "/problems/unauthorized"


async def test_a_scrape_shows_what_a_flow_did(
    api: httpx.AsyncClient, scraper: httpx.AsyncClient
) -> None:
    before = await _samples(scraper)
    candidate = await api.post("/v1/candidates", json={"external_ref": "m-1", "display_name": "Al"})
    assert candidate.status_code == 201, candidate.text
    created = await api.post(
        "/v1/sessions", json={**SESSION, "candidate_id": candidate.json()["id"]}
    )
    assert created.status_code == 201, created.text
    url = f"/v1/sessions/{created.json()['id']}"
    answers = {"wow_self_rating": 2, "wanted_job": True, "had_advocate": False}
    assert (await api.put(f"{url}/answers", json={"answers": answers})).status_code == 200
    diagnosis = await api.post(f"{url}/diagnoses", json={})
    assert diagnosis.status_code == 201, diagnosis.text
    verdict = diagnosis.json()["verdict"]["primary_category"] or "none"
    for kind in ("feedback_request_email", "call_script"):
        message = await api.post(f"{url}/messages", json={"kind": kind})
        assert message.status_code == 201, message.text
    assert (await api.get("/v1/sessions/ses_unknown")).status_code == 404
    after = await _samples(scraper)

    requests = "debrief_http_requests_total"
    assert _delta(before, after, requests, route="/v1/candidates", method="POST", status="201") == 1
    assert _delta(before, after, requests, route="/v1/sessions", method="POST", status="201") == 1
    sessions_one = "/v1/sessions/{session_id}"
    assert _delta(before, after, requests, route=sessions_one, method="GET", status="404") == 1
    messages = "/v1/sessions/{session_id}/messages"
    assert _delta(before, after, requests, route=messages, method="POST", status="201") == 2
    latency = "debrief_http_request_duration_seconds_count"
    assert _delta(before, after, latency, route=messages, method="POST") == 2
    assert _delta(before, after, "debrief_diagnoses_total", verdict=verdict) == 1
    for kind in ("feedback_request_email", "call_script"):
        assert _delta(before, after, "debrief_messages_total", kind=kind) == 1
    assert _delta(before, after, "debrief_database_pool_checkouts_total") >= 6
    assert ("debrief_database_connections_in_use", frozenset()) in after


def test_multiprocess_mode_sums_every_process(tmp_path: Path) -> None:
    """With PROMETHEUS_MULTIPROC_DIR, a scrape from one process counts the others' too."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = (
        "from app.platform import metrics; "
        "metrics.MESSAGES.labels('call_script').inc(); "
        "metrics.DATABASE_CONNECTIONS_IN_USE.inc()"
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True)
    scrape = "from app.platform.metrics import exposition; print(exposition()[0].decode())"
    done = subprocess.run(
        [sys.executable, "-c", scrape], env=env, check=True, capture_output=True, text=True
    )
    samples = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(done.stdout)
        for sample in family.samples
    }
    assert samples[("debrief_messages_total", frozenset({("kind", "call_script")}))] == 2
