"""PostgreSQL goes away under the app (through a TCP proxy): a fast 503, then recovery.

The proxy is killed (the host refuses and resets: everything fails at once) or black-holed
(connections stay open and nothing answers: only the timeouts end the wait). Either way
every request is a 503 problem with Retry-After within the configured timeouts, and the
app serves again, on its own, as soon as the database is back.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from app.candidates.models import Candidate
from app.core.config import Settings
from app.core.connection_health import CLIENT_TIMEOUT_MARGIN_SECONDS
from app.core.database import Database
from app.core.idempotency_models import IdempotencyRecord
from app.main import create_app
from tests.databases import backend_name
from tests.tcp_proxy import TcpProxy
from tests.tenants import Tenant

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(
        backend_name() != "postgresql",
        reason="needs a PostgreSQL server to put a proxy in front of; SQLite has no "
        "connection to lose (its lock timeouts are tested in test_database_busy.py)",
    ),
]

CONNECT_TIMEOUT = 1.0
POOL_TIMEOUT = 1.0
STATEMENT_TIMEOUT = 2.0
MARGIN = 2.0  # room for a loaded machine
KILLED_BOUND = CONNECT_TIMEOUT + MARGIN
# A pooled connection's check, then a new connection, each wait for the connect timeout;
# a statement already under way waits for the client's statement timeout.
BLACK_HOLE_BOUND = (
    max(2 * CONNECT_TIMEOUT, STATEMENT_TIMEOUT + CLIENT_TIMEOUT_MARGIN_SECONDS) + MARGIN
)
RECOVERY_BOUND = CONNECT_TIMEOUT + MARGIN


@dataclass
class Outage:
    proxy: TcpProxy
    app_database: Database
    client: httpx.AsyncClient


@asynccontextmanager
async def running_outage(
    database_url: str, tmp_path: Path, tenant: Tenant, **settings: Any
) -> AsyncIterator[Outage]:
    """The app on a database reached through a proxy that a test can cut off, with these
    settings on top of the short timeouts above."""
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    settings = Settings(
        database_url=url.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False
        ),
        data_dir=tmp_path,
        database_connect_timeout=CONNECT_TIMEOUT,
        database_pool_timeout=POOL_TIMEOUT,
        database_statement_timeout=STATEMENT_TIMEOUT,
        _env_file=None,  # type: ignore[call-arg]
        **settings,
    )
    app_database = Database(settings.effective_database_url, timeouts=settings.database_timeouts)
    app: FastAPI = create_app(settings, database=app_database)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=tenant.headers()
    ) as client:
        try:
            yield Outage(proxy, app_database, client)
        finally:
            await proxy.stop()
            await app_database.dispose()


@pytest.fixture
async def outage(database_url: str, tmp_path: Path, tenant: Tenant) -> AsyncIterator[Outage]:
    # Every request asks the database who is calling.
    async with running_outage(database_url, tmp_path, tenant, auth_cache_seconds=0) as running:
        yield running


def _candidate(ref: str) -> dict[str, Any]:
    return {"external_ref": ref, "display_name": "Alex Morgan"}


Probe = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]

PROBES: dict[str, Probe] = {
    "read": lambda c: c.get("/v1/candidates"),
    "write": lambda c: c.post(
        "/v1/candidates",
        json=_candidate(uuid.uuid4().hex),
        headers={"Idempotency-Key": uuid.uuid4().hex},
    ),
    "readiness": lambda c: c.get("/readyz"),
}


async def _timed(probe: Probe, client: httpx.AsyncClient) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await probe(client)
    return response, time.monotonic() - started


def _assert_database_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["type"] == "/problems/database-unavailable"
    assert "127.0.0.1" not in response.text
    assert "asyncpg" not in response.text


async def _warm_up(client: httpx.AsyncClient) -> None:
    """Fill the pool with connections that will be alive when the outage begins."""
    responses = await asyncio.gather(*(client.get("/v1/candidates") for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5


async def _time_to_recover(client: httpx.AsyncClient) -> float:
    started = time.monotonic()
    while time.monotonic() - started < RECOVERY_BOUND * 5:
        response = await client.get("/v1/candidates")
        if response.status_code == 200:
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    pytest.fail("the app did not recover after the database came back")


@pytest.mark.parametrize("name", list(PROBES))
async def test_a_killed_database_is_a_fast_503_then_recovery(outage: Outage, name: str) -> None:
    await _warm_up(outage.client)
    outage.proxy.kill()
    for attempt in range(2):  # the first meets pooled connections, the second new ones
        response, elapsed = await _timed(PROBES[name], outage.client)
        print(f"killed, {name} #{attempt}: {response.status_code} in {elapsed:.3f}s")
        _assert_database_unavailable(response)
        assert elapsed < KILLED_BOUND
    await outage.proxy.restore()
    recovery = await _time_to_recover(outage.client)
    print(f"killed, recovered in {recovery:.3f}s")
    assert recovery < RECOVERY_BOUND
    assert (await PROBES[name](outage.client)).status_code in (200, 201)


@pytest.mark.parametrize("name", list(PROBES))
async def test_a_black_holed_database_is_a_503_within_the_timeouts_then_recovery(
    outage: Outage, name: str
) -> None:
    await _warm_up(outage.client)
    outage.proxy.black_hole()
    for attempt in range(2):
        response, elapsed = await _timed(PROBES[name], outage.client)
        print(f"black hole, {name} #{attempt}: {response.status_code} in {elapsed:.3f}s")
        _assert_database_unavailable(response)
        assert elapsed < BLACK_HOLE_BOUND
    await outage.proxy.restore()
    recovery = await _time_to_recover(outage.client)
    print(f"black hole, recovered in {recovery:.3f}s")
    assert recovery < RECOVERY_BOUND
    assert (await PROBES[name](outage.client)).status_code in (200, 201)


async def test_concurrent_requests_in_a_black_hole_all_end_in_time(outage: Outage) -> None:
    await _warm_up(outage.client)
    outage.proxy.black_hole()
    started = time.monotonic()
    responses = await asyncio.gather(
        *(PROBES[name](outage.client) for name in ("read", "write") for _ in range(10))
    )
    elapsed = time.monotonic() - started
    print(f"black hole, 20 concurrent requests ended in {elapsed:.3f}s")
    for response in responses:
        _assert_database_unavailable(response)
    assert elapsed < BLACK_HOLE_BOUND
    await outage.proxy.restore()
    assert await _time_to_recover(outage.client) < RECOVERY_BOUND


async def _count(database: Database, ref: str) -> tuple[int, int]:
    async with database.sessionmaker() as session:
        candidates = await session.scalar(
            select(func.count()).select_from(Candidate).where(Candidate.external_ref == ref)
        )
        records = await session.scalar(
            select(func.count()).select_from(IdempotencyRecord).where(IdempotencyRecord.key == ref)
        )
    return candidates or 0, records or 0


async def _statements_of_a_write(outage: Outage) -> int:
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    engine = outage.app_database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        ref = uuid.uuid4().hex
        response = await outage.client.post(
            "/v1/candidates", json=_candidate(ref), headers={"Idempotency-Key": ref}
        )
        assert response.status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statements


@pytest.mark.parametrize("cut_off", ["kill", "black_hole"])
async def test_a_write_cut_off_at_any_point_is_absent_after_recovery(
    outage: Outage, database: Database, cut_off: str
) -> None:
    """The connection dies (or goes silent) before each statement of a creating POST in
    turn, and before its COMMIT: each time a 503 in time, and after recovery neither the
    candidate nor its stored response exists, so the retry with the same Idempotency-Key
    creates it once."""
    await _warm_up(outage.client)  # the key's first use is recorded; later ones are not
    statements = await _statements_of_a_write(outage)
    assert statements >= 3  # who is calling, the idempotency look-up, the insert
    engine = outage.app_database.engine.sync_engine
    cut_points = [("before_cursor_execute", n) for n in range(statements)] + [("commit", 0)]
    for event_name, cut_at in cut_points:
        seen = 0

        def cut(*_args: Any, cut_at: int = cut_at) -> None:
            nonlocal seen
            if seen == cut_at:
                getattr(outage.proxy, cut_off)()
            seen += 1

        ref = uuid.uuid4().hex
        event.listen(engine, event_name, cut)
        started = time.monotonic()
        try:
            response = await outage.client.post(
                "/v1/candidates", json=_candidate(ref), headers={"Idempotency-Key": ref}
            )
            elapsed = time.monotonic() - started
        finally:
            event.remove(engine, event_name, cut)
        print(f"{cut_off} before {event_name} #{cut_at}: {response.status_code} in {elapsed:.3f}s")
        assert seen > cut_at, (event_name, cut_at)
        _assert_database_unavailable(response)
        assert elapsed < BLACK_HOLE_BOUND
        await outage.proxy.restore()
        await _time_to_recover(outage.client)
        assert await _count(database, ref) == (0, 0), (event_name, cut_at)
        retry = await outage.client.post(
            "/v1/candidates", json=_candidate(ref), headers={"Idempotency-Key": ref}
        )
        assert retry.status_code == 201, (event_name, cut_at, retry.text)
        assert "idempotent-replayed" not in retry.headers
        assert await _count(database, ref) == (1, 1)
