"""The database goes away in the middle of a PUT of answers sent straight through asyncpg
(app/core/owned_row_writes): before its read or between the read and the write, the same
503 problem as through the session, nothing written, the dead connection discarded rather
than returned to the pool, and the service back on its own."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from app.core import owned_row_writes
from tests.core.test_database_outage import (
    BLACK_HOLE_BOUND,
    RECOVERY_BOUND,
    Outage,
    _assert_database_unavailable,
    _time_to_recover,
    running_outage,
)
from tests.databases import backend_name
from tests.sessions.test_driver_read_outage import _a_session
from tests.tenants import Tenant

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(
        backend_name() != "postgresql", reason="the driver path is PostgreSQL's (asyncpg)"
    ),
]


@pytest.fixture
async def outage(database_url: str, tmp_path: Path, tenant: Tenant) -> AsyncIterator[Outage]:
    async with running_outage(database_url, tmp_path, tenant) as running:
        yield running


async def _state(client: httpx.AsyncClient, sid: str) -> tuple[str, Any, list[str]]:
    got = await client.get(f"/v1/sessions/{sid}")
    assert got.status_code == 200, got.text
    events = await client.get(f"/v1/sessions/{sid}/events", params={"limit": 100})
    kinds = [e["kind"] for e in events.json()["items"]]
    return got.headers["etag"], got.json()["self_reflection"]["answers"], kinds


@pytest.mark.parametrize("moment", ["before the read", "before the write"])
@pytest.mark.parametrize("cut_off", ["kill", "black_hole"])
async def test_a_connection_lost_during_a_driver_write_is_a_503_with_nothing_written(
    outage: Outage, monkeypatch: pytest.MonkeyPatch, moment: str, cut_off: str
) -> None:
    client = outage.client
    sid = await _a_session(client)
    url = f"/v1/sessions/{sid}/answers"
    for value in (1, 2, 3):  # the key cached, the statements prepared on pooled connections
        assert (await client.put(url, json={"answers": {"feeling": value}})).status_code == 200
    before = await _state(client, sid)
    checked_out: list[Any] = []
    returned: list[Any] = []
    invalidated: list[Any] = []
    cut = getattr(outage.proxy, cut_off)

    def taken(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if not checked_out:
            checked_out.append(dbapi_connection.driver_connection)
            if moment == "before the read":
                cut()

    def back(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection is not None:
            returned.append(dbapi_connection.driver_connection)

    def discarded(dbapi_connection: Any, _record: Any, _error: Any) -> None:
        invalidated.append(dbapi_connection.driver_connection)

    write = owned_row_writes.write_with_events

    async def cut_then_write(*args: Any, **kwargs: Any) -> Any:
        if moment == "before the write":
            cut()
        return await write(*args, **kwargs)

    monkeypatch.setattr(owned_row_writes, "write_with_events", cut_then_write)
    engine = outage.app_database.engine.sync_engine
    listeners = [("checkout", taken), ("checkin", back), ("invalidate", discarded)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    started = time.monotonic()
    try:
        response = await client.put(url, json={"answers": {"feeling": 5}})
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
        monkeypatch.undo()
    elapsed = time.monotonic() - started
    _assert_database_unavailable(response)
    assert elapsed < BLACK_HOLE_BOUND
    [dead] = checked_out
    assert dead.is_closed()
    assert dead in invalidated
    assert dead not in returned
    await outage.proxy.restore()
    assert await _time_to_recover(client) < RECOVERY_BOUND
    assert await _state(client, sid) == before  # nothing written: no change, no event
    again = await client.put(url, json={"answers": {"feeling": 5}})
    assert again.status_code == 200, again.text
