"""The database goes away in the middle of a read straight through asyncpg
(app/core/driver_reads): the same 503 problem as through the session, the dead connection
discarded rather than returned to the pool, and the service back on its own."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import bindparam, event, select

from app.core.database import AUTOCOMMIT_KEY, Database
from app.core.database_faults import database_fault
from app.core.driver_reads import driver_rows
from app.sessions.models import ReflectionSession
from tests.candidates.test_candidates import ALEX
from tests.core.test_database_outage import (
    BLACK_HOLE_BOUND,
    RECOVERY_BOUND,
    Outage,
    _assert_database_unavailable,
    _time_to_recover,
    running_outage,
)
from tests.databases import backend_name
from tests.sessions.conftest import SESSION
from tests.sessions.test_driver_reads import driver_reads_counted
from tests.tenants import Tenant

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(
        backend_name() != "postgresql", reason="the driver path is PostgreSQL's (asyncpg)"
    ),
]


@pytest.fixture
async def outage(database_url: str, tmp_path: Path, tenant: Tenant) -> AsyncIterator[Outage]:
    """As in tests/core/test_database_outage.py, but with the caller's key cached, so a
    read by id asks the database nothing else and takes the driver path."""
    async with running_outage(database_url, tmp_path, tenant) as running:
        yield running


async def _a_session(client: httpx.AsyncClient) -> str:
    candidate = await client.post("/v1/candidates", json=ALEX)
    assert candidate.status_code == 201, candidate.text
    body = {**SESSION, "candidate_id": candidate.json()["id"]}
    created = await client.post("/v1/sessions", json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


@pytest.mark.parametrize("path", ["/v1/sessions/{id}", "/v1/sessions?limit=50"])
@pytest.mark.parametrize("cut_off", ["kill", "black_hole"])
async def test_a_connection_lost_during_a_driver_read_is_a_503_then_recovery(
    outage: Outage, path: str, cut_off: str
) -> None:
    client = outage.client
    path = path.format(id=await _a_session(client))
    for _ in range(3):  # the key cached, the statement prepared on the pooled connection
        assert (await client.get(path)).status_code == 200
    checked_out: list[Any] = []
    returned: list[Any] = []
    invalidated: list[Any] = []

    def cut(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if not checked_out:
            checked_out.append(dbapi_connection.driver_connection)
            getattr(outage.proxy, cut_off)()

    def back(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection is not None:  # None: the record's connection was discarded
            returned.append(dbapi_connection.driver_connection)

    def discarded(dbapi_connection: Any, _record: Any, _error: Any) -> None:
        invalidated.append(dbapi_connection.driver_connection)

    engine = outage.app_database.engine.sync_engine
    listeners = [("checkout", cut), ("checkin", back), ("invalidate", discarded)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    started = time.monotonic()
    try:
        with driver_reads_counted() as sent:
            response = await client.get(path)
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    elapsed = time.monotonic() - started
    print(f"{cut_off} during the driver read of {path}: {response.status_code} in {elapsed:.3f}s")
    assert len(sent) == 1
    _assert_database_unavailable(response)
    assert elapsed < BLACK_HOLE_BOUND
    [dead] = checked_out
    assert dead.is_closed()
    assert dead in invalidated
    assert dead not in returned
    await outage.proxy.restore()
    assert await _time_to_recover(client) < RECOVERY_BOUND
    with driver_reads_counted() as sent:
        again = await client.get(path)
    assert again.status_code == 200
    assert len(sent) == 1


async def test_a_connection_whose_statement_failed_is_not_returned(
    database_url: str, database: Database
) -> None:
    """An error that is not the database's unavailability (here a parameter asyncpg cannot
    send) stays that error, and its connection is discarded all the same."""
    statement = _SESSION_BY_ID
    invalidated: list[Any] = []
    returned: list[Any] = []

    def back(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection is not None:
            returned.append(dbapi_connection.driver_connection)

    def discarded(dbapi_connection: Any, _record: Any, _error: Any) -> None:
        invalidated.append(dbapi_connection.driver_connection)

    engine = database.engine.sync_engine
    event.listen(engine, "checkin", back)
    event.listen(engine, "invalidate", discarded)
    try:
        async with database.read_sessionmaker() as session:
            session.info[AUTOCOMMIT_KEY] = True
            with pytest.raises(asyncpg.DataError) as raised:
                await driver_rows(session, statement, {"id": 42, "organization_id": "org"})
    finally:
        event.remove(engine, "checkin", back)
        event.remove(engine, "invalidate", discarded)
    assert database_fault(raised.value) is None
    assert len(invalidated) == 1
    assert invalidated[0] not in returned
    async with database.read_sessionmaker() as session:  # the pool serves on
        session.info[AUTOCOMMIT_KEY] = True
        assert await driver_rows(session, statement, {"id": "x", "organization_id": "y"}) == []


_SESSION_BY_ID = select(*ReflectionSession.__table__.c).where(
    ReflectionSession.id == bindparam("id"),
    ReflectionSession.organization_id == bindparam("organization_id"),
)
