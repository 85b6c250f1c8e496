"""A write that waits on a lock gets a 503 problem in bounded time, never a 500 or a hang.

On SQLite another process holds the file's write lock (the busy timeout ends the wait),
or this process's own writer queue is full for too long; on PostgreSQL another
transaction holds the row (statement_timeout cancels the wait).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from app.core.config import Settings
from app.core.database import SQLITE_BEGIN_OPTION, Database
from app.main import create_app
from tests.tenants import Tenant

pytestmark = pytest.mark.anyio

POOL_TIMEOUT = 0.5
STATEMENT_TIMEOUT = 0.5
MARGIN = 2.0  # room for a loaded machine


@pytest.fixture
def short_settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        database_pool_timeout=POOL_TIMEOUT,
        database_statement_timeout=STATEMENT_TIMEOUT,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
async def app_database(short_settings: Settings) -> AsyncIterator[Database]:
    db = Database(short_settings.effective_database_url, timeouts=short_settings.database_timeouts)
    yield db
    await db.dispose()


@pytest.fixture
async def short_api(
    short_settings: Settings, app_database: Database, tenant: Tenant
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(short_settings, database=app_database)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=tenant.headers()
    ) as client:
        yield client


def _assert_busy(response: httpx.Response, elapsed: float, bound: float) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["type"] == "/problems/database-unavailable"
    assert "busy" in body["detail"]
    assert elapsed < bound


async def test_a_write_waiting_on_a_lock_held_elsewhere_is_a_503_in_time(
    short_api: httpx.AsyncClient, database: Database
) -> None:
    created = await short_api.post(
        "/v1/candidates", json={"external_ref": "c-1", "display_name": "Alex Morgan"}
    )
    assert created.status_code == 201
    candidate_id = created.json()["id"]
    patch = {"json": {"display_name": "Sam"}, "headers": {"content-type": "application/json"}}
    async with database.sessionmaker() as other:
        if database.is_sqlite:  # another process's write transaction holds the file
            await other.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            bound = POOL_TIMEOUT + MARGIN
        else:  # another transaction holds the row
            await other.execute(
                text("SELECT id FROM candidates WHERE id = :id FOR UPDATE"), {"id": candidate_id}
            )
            bound = STATEMENT_TIMEOUT + MARGIN
        started = time.monotonic()
        response = await short_api.patch(f"/v1/candidates/{candidate_id}", **patch)  # type: ignore[arg-type]
        _assert_busy(response, time.monotonic() - started, bound)
        read = await short_api.get(f"/v1/candidates/{candidate_id}")
        assert read.status_code == 200  # readers do not wait for the lock
        await other.rollback()
    retried = await short_api.patch(f"/v1/candidates/{candidate_id}", **patch)  # type: ignore[arg-type]
    assert retried.status_code == 200, retried.text
    assert retried.json()["display_name"] == "Sam"


async def test_a_writer_queued_in_this_process_waits_no_longer_than_the_pool_timeout(
    short_api: httpx.AsyncClient, app_database: Database
) -> None:
    if not app_database.is_sqlite:
        pytest.skip("only SQLite queues this process's writers; PostgreSQL has its pool")
    async with app_database.sqlite_writer:  # a long write of this process
        started = time.monotonic()
        response = await short_api.post(
            "/v1/candidates", json={"external_ref": "c-2", "display_name": "Alex Morgan"}
        )
        _assert_busy(response, time.monotonic() - started, POOL_TIMEOUT + MARGIN)
    assert (await short_api.get("/v1/candidates")).json()["items"] == []
    created = await short_api.post(
        "/v1/candidates", json={"external_ref": "c-2", "display_name": "Alex Morgan"}
    )
    assert created.status_code == 201
