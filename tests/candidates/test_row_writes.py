"""A row's change and its events (app/core/row_writes): on both stores the same rows as the
plain two statements wrote, nothing after a rollback, a duplicate still a conflict; on
SQLite one hand-over to aiosqlite's thread for the whole write (app/core/sqlite_writes),
and a locked file still the busy 503."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite
import httpx
import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from app.candidates.models import Candidate
from app.core import ids
from app.core.database import Database
from app.core.database_faults import database_problem
from app.core.errors import Conflict
from app.core.event_types import EventType
from app.core.ids import utc_now
from app.core.outbox import StreamEvent, event_row
from app.core.outbox_models import OutboxEvent
from app.core.row_writes import _guarded_update, update_with_events

pytestmark = pytest.mark.anyio

_ROW = text("SELECT display_name, metadata, updated_at, version FROM candidates WHERE id = :id")
_EVENTS = text(
    "SELECT type, session_id, data, created_at, dispatched_at FROM events "
    "WHERE candidate_id = :id AND type = 'candidate.updated' ORDER BY id"
)


async def _candidate(api: httpx.AsyncClient, ref: str) -> str:
    response = await api.post("/v1/candidates", json={"external_ref": ref, "display_name": "Alex"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _events(candidate_id: str) -> list[StreamEvent]:
    return [
        StreamEvent(EventType.CANDIDATE_UPDATED, {"fields": ["display_name"], "n": n}, candidate_id)
        for n in range(2)
    ]


def _values(at: datetime) -> dict[str, Any]:
    return {"display_name": "Alex B.", "metadata_": {"team": "ops", "n": 1}, "updated_at": at}


async def _stored(database: Database, candidate_id: str) -> tuple[Any, list[Any]]:
    """What the store holds, as its driver returns it (no column types applied)."""
    async with database.sessionmaker() as session:
        row = (await session.execute(_ROW, {"id": candidate_id})).one()
        events = (await session.execute(_EVENTS, {"id": candidate_id})).all()
    return tuple(row), [tuple(event) for event in events]


async def _two_statements(session: AsyncSession, row: Candidate, at: datetime) -> None:
    """The write as it was sent before: the guarded UPDATE, then the events' INSERT."""
    table: Any = Candidate.__table__
    values = {**_values(at), "version": row.version + 1}
    columns = {Candidate.__mapper__.columns[key].name: value for key, value in values.items()}
    names = tuple(sorted(columns))
    parameters = {f"set_{name}": columns[name] for name in names}
    parameters.update(row_id=row.id, row_version=row.version)
    result: Any = await session.execute(_guarded_update(table, names, "version"), parameters)
    assert result.rowcount == 1
    event_ids = sorted(ids.EVENT.new(at) for _ in range(2))
    events = [
        event_row(row.organization_id, event, at, event_id)
        for event, event_id in zip(_events(row.id), event_ids, strict=True)
    ]
    await session.execute(insert(OutboxEvent.__table__), events)


async def test_the_write_stores_what_the_two_statements_stored(
    api: httpx.AsyncClient, database: Database
) -> None:
    written, reference = await _candidate(api, "rw-1"), await _candidate(api, "rw-2")
    at = utc_now()
    async with database.sessionmaker() as session, session.begin():
        row = await session.get_one(Candidate, written)
        await update_with_events(
            session, row, _values(at), _events(written), at=at, noun="candidate", if_match=None
        )
        assert (row.version, row.display_name) == (2, "Alex B.")
    async with database.sessionmaker() as session, session.begin():
        await _two_statements(session, await session.get_one(Candidate, reference), at)
    stored, expected = await _stored(database, written), await _stored(database, reference)
    assert stored == expected
    assert len(stored[1]) == 2


async def _write_then_fail(database: Database, candidate_id: str) -> None:
    at = utc_now()
    async with database.sessionmaker() as session, session.begin():
        row = await session.get_one(Candidate, candidate_id)
        await update_with_events(
            session, row, _values(at), _events(candidate_id), at=at, noun="candidate", if_match=None
        )
        raise RuntimeError("the request failed after the write")


async def test_a_rolled_back_write_leaves_nothing(
    api: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await _candidate(api, "rw-rollback")
    before = await _stored(database, candidate_id)
    with pytest.raises(RuntimeError):
        await _write_then_fail(database, candidate_id)
    assert await _stored(database, candidate_id) == before


async def test_a_duplicate_is_the_callers_conflict(
    api: httpx.AsyncClient, database: Database
) -> None:
    candidate_id = await _candidate(api, "rw-dup-1")
    await _candidate(api, "rw-dup-2")
    before = await _stored(database, candidate_id)
    at = utc_now()
    duplicate = Conflict("that reference is taken")
    async with database.sessionmaker() as session, session.begin():
        row = await session.get_one(Candidate, candidate_id)
        with pytest.raises(Conflict) as raised:
            await update_with_events(
                session,
                row,
                {"external_ref": "rw-dup-2", "updated_at": at},
                _events(candidate_id),
                at=at,
                noun="candidate",
                if_match=None,
                on_duplicate=lambda: duplicate,
            )
        assert raised.value is duplicate
    assert await _stored(database, candidate_id) == before


@pytest.mark.parametrize("events", [2, 0])
async def test_on_sqlite_the_write_is_one_call_on_the_drivers_thread(
    api: httpx.AsyncClient, database: Database, monkeypatch: pytest.MonkeyPatch, events: int
) -> None:
    if not database.is_sqlite:
        pytest.skip("SQLite: PostgreSQL sends the write as one statement")
    candidate_id = await _candidate(api, f"rw-hops-{events}")
    calls = 0
    queue = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return await queue(self, *args, **kwargs)

    at = utc_now()
    async with database.sessionmaker() as session, session.begin():
        row = await session.get_one(Candidate, candidate_id)  # BEGIN and the read
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        await update_with_events(
            session,
            row,
            _values(at),
            _events(candidate_id)[:events],
            at=at,
            noun="candidate",
            if_match=None,
        )
        monkeypatch.undo()
    assert calls == 1
    stored_row, stored_events = await _stored(database, candidate_id)
    assert stored_row[3] == 2
    assert len(stored_events) == events


async def test_on_sqlite_a_locked_database_is_still_the_busy_503(
    api: httpx.AsyncClient, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database.is_sqlite:
        pytest.skip("SQLite: the write's own call on aiosqlite's thread")
    candidate_id = await _candidate(api, "rw-locked")

    async def locked(self: aiosqlite.Connection, *args: Any, **kwargs: Any) -> Any:
        error = sqlite3.OperationalError("database is locked")
        error.sqlite_errorcode = 5  # SQLITE_BUSY
        raise error

    at = utc_now()
    async with database.sessionmaker() as session, session.begin():
        row = await session.get_one(Candidate, candidate_id)
        monkeypatch.setattr(aiosqlite.Connection, "_execute", locked)
        with pytest.raises(OperationalError) as raised:
            await update_with_events(
                session,
                row,
                _values(at),
                _events(candidate_id),
                at=at,
                noun="candidate",
                if_match=None,
            )
        monkeypatch.undo()
    problem = database_problem(raised.value)
    assert problem is not None
    assert problem.status == 503
