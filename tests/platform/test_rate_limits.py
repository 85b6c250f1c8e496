"""Rate limits in one process: budgets, the headers counting down, the 429, and Redis
going away (served without limits, said in a log line and a metric)."""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st

from app.core.config import Settings
from app.core.database import Database
from app.core.security import Scope
from app.main import create_app
from app.platform import metrics
from app.platform.rate_limits import (
    Budget,
    Outcome,
    RateLimiter,
    budget_for,
    header_fields,
    headers_for,
)
from tests.tenants import Tenant, make_key, make_tenant

pytestmark = pytest.mark.anyio

STATE = re.compile(r'^"(?P<policy>[a-z-]+)";r=(?P<r>\d+);t=(?P<t>\d+)$')


def _limited_app(settings: Settings, database: Database, **limits: object) -> FastAPI:
    return create_app(settings.model_copy(update=limits), database=database)


@pytest.fixture
async def limited(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = _limited_app(
        settings,
        database,
        rate_limit_reads=3,
        rate_limit_writes=2,
        rate_limit_diagnoses=1,
        rate_limit_renders=1,
        rate_limit_organization_factor=2,
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def _states(response: httpx.Response) -> dict[str, tuple[int, int]]:
    states = {}
    for item in response.headers["RateLimit"].split(", "):
        match = STATE.match(item)
        assert match, item
        states[match["policy"]] = (int(match["r"]), int(match["t"]))
    return states


@pytest.mark.parametrize(
    ("method", "route", "budget"),
    [
        ("GET", "/v1/candidates", Budget.READS),
        ("HEAD", "/v1/sessions/{session_id}", Budget.READS),
        ("POST", "/v1/candidates", Budget.WRITES),
        ("PATCH", "/v1/sessions/{session_id}", Budget.WRITES),
        ("DELETE", "/v1/candidates/{candidate_id}", Budget.WRITES),
        ("POST", "/v1/sessions/{session_id}/diagnoses", Budget.DIAGNOSES),
        ("POST", "/v1/diagnoses/preview", Budget.DIAGNOSES),
        ("POST", "/v1/sessions/{session_id}/messages", Budget.RENDERS),
        ("POST", "/v1/messages/preview", Budget.RENDERS),
        ("POST", "/v1/templates/preview", Budget.RENDERS),
    ],
)
def test_every_kind_of_request_spends_its_own_budget(
    method: str, route: str, budget: Budget
) -> None:
    assert budget_for(method, route) is budget


@pytest.mark.parametrize("who", ["key_01JD6Z3K8Q2W5X7Y9A1B3C5D7E", "org_1/cand_2", "é/ü"])
def test_counter_keys_are_the_keys_limits_names(settings: Settings, who: str) -> None:
    """Counters shared through Redis keep their names whatever the process's version."""
    limiter = RateLimiter(settings.model_copy(update={"rate_limit_organization_factor": 3}))
    for budget in Budget:
        for item in limiter._items[budget]:
            for policy in (budget.value, f"{budget.value}-organization"):
                assert limiter.counter_key(policy, item, who) == item.key_for(policy, who)


async def test_the_headers_count_down_and_the_next_request_is_a_429(
    limited: httpx.AsyncClient, tenant: Tenant
) -> None:
    seen = []
    for _ in range(3):
        response = await limited.get("/v1/candidates", headers=tenant.headers())
        assert response.status_code == 200
        assert response.headers["RateLimit-Policy"] == (
            '"reads";q=3;w=60, "reads-organization";q=6;w=60'
        )
        seen.append(_states(response))
    assert [state["reads"][0] for state in seen] == [2, 1, 0]
    assert [state["reads-organization"][0] for state in seen] == [5, 4, 3]
    assert all(0 <= state["reads"][1] <= 60 for state in seen)

    refused = await limited.get("/v1/candidates", headers=tenant.headers())
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"] == "/problems/too-many-requests"
    assert "`reads`" in problem["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert _states(refused)["reads"][0] == 0

    # Writes have a budget of their own, untouched by the reads.
    write = await limited.post(
        "/v1/candidates",
        headers=tenant.headers(),
        json={"external_ref": "c-1", "display_name": "Alex"},
    )
    assert write.status_code == 201, write.text
    assert _states(write)["writes"][0] == 1


async def test_an_organisation_budget_holds_across_its_keys(
    limited: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    other_key = await make_key(database, tenant, Scope.READ)
    for _ in range(3):
        assert (await limited.get("/v1/candidates", headers=tenant.headers())).status_code == 200
    for _ in range(3):
        response = await limited.get("/v1/candidates", headers=tenant.headers(other_key))
        assert response.status_code == 200
    # A third key has its own budget left, but not its organisation's.
    third_key = await make_key(database, tenant, Scope.READ)
    refused = await limited.get("/v1/candidates", headers=tenant.headers(third_key))
    assert refused.status_code == 429
    assert "`reads-organization`" in refused.json()["detail"]

    # Another organisation has budgets of its own.
    stranger = await make_tenant(database, "Elsewhere")
    assert (await limited.get("/v1/candidates", headers=stranger.headers())).status_code == 200


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again: nothing listens there


async def test_a_redis_outage_serves_requests_without_limits(
    settings: Settings, database: Database, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    app = _limited_app(
        settings,
        database,
        redis_url=f"redis://127.0.0.1:{_dead_port()}/0",
        rate_limit_reads=1,
    )
    before = metrics.RATE_LIMIT_STORAGE_ERRORS._value.get()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        with caplog.at_level(logging.ERROR, logger="app.platform.rate_limits"):
            for _ in range(3):
                response = await client.get("/v1/candidates", headers=tenant.headers())
                assert response.status_code == 200
                assert "RateLimit" not in response.headers
    assert metrics.RATE_LIMIT_STORAGE_ERRORS._value.get() - before == 3
    # One line when it starts, not one per request.
    lines = [r for r in caplog.records if "rate-limit storage unavailable" in r.getMessage()]
    assert len(lines) == 1


_OUTCOMES = st.lists(
    st.builds(
        Outcome,
        st.sampled_from([b.value for b in Budget] + [f"{b.value}-organization" for b in Budget]),
        st.integers(0, 10**6),
        st.integers(1, 3600),
        st.integers(0, 10**6),
        st.integers(0, 3600),
    ),
    min_size=1,
    max_size=3,
)


@given(_OUTCOMES)
def test_header_fields_are_the_headers_as_raw_fields(outcomes: list[Outcome]) -> None:
    written = [(k.lower().encode(), v.encode()) for k, v in headers_for(outcomes).items()]
    assert header_fields(outcomes) == written
