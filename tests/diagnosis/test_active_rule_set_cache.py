"""The active rule set each diagnosis needs is cached per process: an activation through
this process is seen at once, through another within DEBRIEF_RULE_SET_CACHE_SECONDS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.core.config import Settings
from app.core.database import Database
from app.core.security import Principal
from app.diagnosis import active_rule_sets, rule_sets
from app.diagnosis.active_rule_sets import ActiveRuleSets
from app.diagnosis.builtin import DEFAULT_RULE_SET
from app.main import create_app
from tests.diagnosis.test_rule_sets import my_rule_set
from tests.tenants import Tenant, authed

pytestmark = pytest.mark.anyio

CACHE_SECONDS = 30.0
DEFAULT = {"key": "default", "version": DEFAULT_RULE_SET.version}
COACH = {"key": "coach-rules", "version": 1}


async def _active_in_preview(api: httpx.AsyncClient) -> dict[str, Any]:
    response = await api.post("/v1/diagnoses/preview", json={"answers": {"wanted_job": False}})
    assert response.status_code == 200, response.text
    ref = response.json()["rule_set"]
    return {"key": ref["key"], "version": ref["version"]}


async def _activate(api: httpx.AsyncClient, ref: dict[str, Any]) -> None:
    url = f"/v1/rule-sets/{ref['key']}/versions/{ref['version']}/activate"
    response = await api.post(url)
    assert response.status_code == 200, response.text


@pytest.fixture
async def published(api: httpx.AsyncClient) -> None:
    assert (await api.post("/v1/rule-sets", json=my_rule_set())).status_code == 201
    published = await api.post("/v1/rule-sets/coach-rules/versions/1/publish")
    assert published.status_code == 200, published.text


@pytest.fixture
async def other_process(
    settings: Settings, database: Database, tenant: Tenant
) -> AsyncIterator[httpx.AsyncClient]:
    """A second instance of the app on the same database, as another process would be."""
    other_settings = settings.model_copy(update={"rule_set_cache_seconds": CACHE_SECONDS})
    app: FastAPI = create_app(other_settings, database=database)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    async with client, authed(client, tenant) as api:
        yield api


@pytest.mark.parametrize(("first", "then"), [(DEFAULT, COACH), (COACH, DEFAULT)])
@pytest.mark.usefixtures("published")
async def test_an_activation_through_this_process_is_seen_at_once(
    api: httpx.AsyncClient, first: dict[str, Any], then: dict[str, Any]
) -> None:
    await _activate(api, first)
    assert await _active_in_preview(api) == first  # now cached
    await _activate(api, then)
    assert await _active_in_preview(api) == then


@pytest.mark.usefixtures("published")
async def test_another_process_sees_an_activation_within_the_cache_time(
    api: httpx.AsyncClient, other_process: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(active_rule_sets, "monotonic", lambda: now[0])
    assert await _active_in_preview(other_process) == DEFAULT
    await _activate(api, COACH)
    assert await _active_in_preview(api) == COACH
    now[0] += CACHE_SECONDS - 1
    assert await _active_in_preview(other_process) == DEFAULT  # still trusted
    now[0] += 1.5
    assert await _active_in_preview(other_process) == COACH  # the bound has passed


async def test_a_read_that_overlaps_an_activation_is_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = ActiveRuleSets(CACHE_SECONDS)
    caller = Principal(organization_id="org_1", api_key_id=None, scopes=frozenset())
    answers = iter([("default", 1), ("coach-rules", 1)])
    reads = 0

    async def active_ref(_session: Any, _caller: Principal) -> tuple[str, int]:
        nonlocal reads
        reads += 1
        read = next(answers)
        if reads == 1:
            cache.forget("org_1")  # an activation commits while this read is under way
        return read

    monkeypatch.setattr(rule_sets, "active_ref", active_ref)
    assert await cache.ref(None, caller) == ("default", 1)  # type: ignore[arg-type]
    assert await cache.ref(None, caller) == ("coach-rules", 1)  # type: ignore[arg-type]
    assert await cache.ref(None, caller) == ("coach-rules", 1)  # type: ignore[arg-type]
    assert reads == 2
