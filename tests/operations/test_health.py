from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from app.core import migrations
from app.core.config import Settings
from app.core.database import Database
from app.main import create_app

pytestmark = pytest.mark.anyio


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_when_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_readyz_is_a_503_problem_when_database_is_down(settings: Settings) -> None:
    unreachable = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none", pooled=False)
    app = create_app(settings, database=unreachable)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/readyz")
    await unreachable.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/database-unavailable"
    assert "nobody" not in response.text


@pytest.mark.parametrize("revision", [None, "0007"])
async def test_readyz_is_a_503_problem_when_the_schema_is_not_at_the_latest_migration(
    settings: Settings, tmp_path: Path, revision: str | None
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'behind.db'}"
    if revision is not None:
        await asyncio.to_thread(migrations.upgrade, url, revision)
    behind = Database(url, pooled=False)
    app = create_app(settings, database=behind)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/readyz")
    await behind.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/service-unavailable"
    assert "debrief migrate" in response.json()["detail"]
