"""A transaction PostgreSQL undoes for losing a race (deadlock, serialisation failure) is a
503 `transaction-conflict` problem with Retry-After, never a 500; every SQLSTATE the
driver knows is mapped to exactly one outcome.

The races are real: two connections take locks in opposite orders (a deadlock), or one
commits a change to a row another's REPEATABLE READ snapshot then updates (a
serialisation failure). They need PostgreSQL; SQLite has one writer at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg.exceptions as pg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from app.core.database import Database, SessionDep
from app.core.database_faults import database_problem, is_transaction_conflict
from app.core.routing import api_router

UNAVAILABLE = "/problems/database-unavailable"
CONFLICT = "/problems/transaction-conflict"

# Every SQLSTATE class the mapping looks at, code by code; any other code is None (a 500
# unless the code that ran the statement handles it, like a unique violation's 409).
MAPPED: dict[str, str | None] = {
    # class 08, connection exception: the connection is of no further use
    "08000": UNAVAILABLE,
    "08001": UNAVAILABLE,
    "08003": UNAVAILABLE,
    "08004": UNAVAILABLE,
    "08006": UNAVAILABLE,
    "08007": UNAVAILABLE,
    "08P01": UNAVAILABLE,
    # class 40, transaction rollback: undone whole, the same request may succeed
    "40000": CONFLICT,
    "40001": CONFLICT,  # serialization_failure
    "40P01": CONFLICT,  # deadlock_detected
    "40002": None,  # transaction_integrity_constraint_violation: the data conflicts
    "40003": None,  # statement_completion_unknown: whether it was done is not known
    # class 53, insufficient resources
    "53000": UNAVAILABLE,
    "53100": UNAVAILABLE,
    "53200": UNAVAILABLE,
    "53300": UNAVAILABLE,
    "53400": UNAVAILABLE,
    # class 55, object not in prerequisite state: only lock_timeout
    "55000": None,
    "55006": None,
    "55P02": None,
    "55P03": UNAVAILABLE,
    "55P04": None,
    # class 57, operator intervention
    "57000": None,
    "57014": UNAVAILABLE,  # query_canceled (statement_timeout)
    "57P01": UNAVAILABLE,
    "57P02": UNAVAILABLE,
    "57P03": UNAVAILABLE,
    "57P04": UNAVAILABLE,
    "57P05": UNAVAILABLE,
}


def _driver_errors() -> dict[str, type[pg.PostgresError]]:
    """asyncpg's class for each SQLSTATE it knows (about 250)."""
    found: dict[str, type[pg.PostgresError]] = {}
    for value in vars(pg).values():
        if isinstance(value, type) and issubclass(value, pg.PostgresError):
            sqlstate = getattr(value, "sqlstate", None)
            if isinstance(sqlstate, str):
                found.setdefault(sqlstate, value)
    return found


DRIVER_ERRORS = _driver_errors()


def _as_sqlalchemy_raises(driver_error: BaseException) -> sa_exc.DBAPIError:
    adapted = Exception(type(driver_error).__name__)
    adapted.__cause__ = driver_error
    return sa_exc.DBAPIError("SELECT 1", None, adapted)


def test_the_mapped_codes_are_the_drivers_own() -> None:
    assert len(DRIVER_ERRORS) > 200
    assert set(MAPPED) <= set(DRIVER_ERRORS)
    assert {code for code in DRIVER_ERRORS if code[:2] in {"08", "40", "53", "57"}} <= set(MAPPED)


@pytest.mark.parametrize("sqlstate", sorted(DRIVER_ERRORS))
def test_each_sqlstate_has_one_outcome(sqlstate: str) -> None:
    error = _as_sqlalchemy_raises(DRIVER_ERRORS[sqlstate]())
    problem = database_problem(error)
    expected = MAPPED.get(sqlstate)
    if expected is None:
        assert problem is None, sqlstate
        return
    assert problem is not None, sqlstate
    assert (problem.status, problem.type_uri()) == (503, expected)
    assert int(problem.headers["Retry-After"]) > 0
    assert is_transaction_conflict(error) is (expected == CONFLICT)


# Two transactions racing, through a real request on one side.
router = api_router(prefix="/probe-race")
_holding: dict[str, asyncio.Event] = {}
_go_on: dict[str, asyncio.Event] = {}


@router.post("/lock/{first}/then/{second}")
async def lock_two_rows(first: int, second: int, session: SessionDep) -> dict[str, str]:
    """Locks `first`, says so, then locks `second`."""
    lock = text("SELECT id FROM probe_rows WHERE id = :id FOR UPDATE")
    await session.execute(lock, {"id": first})
    _holding["lock"].set()
    await session.execute(lock, {"id": second})
    return {"locked": "both"}


@router.post("/repeatable-update/{row}")
async def update_from_a_snapshot(row: int, session: SessionDep) -> dict[str, int]:
    """Reads `row` in a REPEATABLE READ snapshot, waits, then updates it."""
    await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    seen = (
        await session.execute(text("SELECT value FROM probe_rows WHERE id = :id"), {"id": row})
    ).scalar_one()
    _holding["snapshot"].set()
    await _go_on["snapshot"].wait()
    await session.execute(
        text("UPDATE probe_rows SET value = :value WHERE id = :id"), {"id": row, "value": seen + 1}
    )
    return {"value": seen + 1}


@pytest.fixture
async def rows(database: Database) -> AsyncIterator[None]:
    if database.is_sqlite:
        pytest.skip("PostgreSQL only: SQLite runs one writing transaction at a time")
    async with database.engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE probe_rows (id INTEGER PRIMARY KEY, value INTEGER)")
        )
        await connection.execute(text("INSERT INTO probe_rows VALUES (1, 0), (2, 0)"))
    for events in (_holding, _go_on):
        events.clear()
        events.update(lock=asyncio.Event(), snapshot=asyncio.Event())
    yield
    async with database.engine.begin() as connection:
        await connection.execute(text("DROP TABLE probe_rows"))


@pytest.fixture
def app(app: FastAPI, rows: None) -> FastAPI:
    app.include_router(router)
    return app


def _assert_conflict(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["x-request-id"]
    body = response.json()
    assert body["type"] == CONFLICT
    assert "sql" not in body["detail"].lower()


async def _values(database: Database) -> dict[int, int]:
    async with database.engine.connect() as connection:
        result = await connection.execute(text("SELECT id, value FROM probe_rows"))
        return {row[0]: row[1] for row in result}


@pytest.mark.anyio
async def test_a_deadlock_is_a_503_transaction_conflict(
    client: httpx.AsyncClient, database: Database
) -> None:
    lock = text("SELECT id FROM probe_rows WHERE id = :id FOR UPDATE")
    async with database.engine.connect() as other:
        # This side checks for a deadlock only after 30 s: the request, checking after
        # the server's default 1 s, is the one PostgreSQL picks to undo.
        await other.execute(text("SET LOCAL deadlock_timeout = '30s'"))
        await other.execute(lock, {"id": 2})
        request = asyncio.create_task(client.post("/probe-race/lock/1/then/2"))
        await asyncio.wait_for(_holding["lock"].wait(), 30)
        # Row 2 held here, row 1 by the request, which now waits for row 2: taking row 1
        # closes the circle.
        taken = asyncio.create_task(other.execute(lock, {"id": 1}))
        response = await asyncio.wait_for(request, 60)
        await asyncio.wait_for(taken, 30)  # the request's locks are gone with it
        await other.rollback()
    _assert_conflict(response)
    retried = await client.post("/probe-race/lock/1/then/2")
    assert retried.status_code == 200, retried.text


@pytest.mark.anyio
async def test_a_serialisation_failure_is_a_503_and_keeps_nothing(
    client: httpx.AsyncClient, database: Database
) -> None:
    request = asyncio.create_task(client.post("/probe-race/repeatable-update/1"))
    await asyncio.wait_for(_holding["snapshot"].wait(), 30)
    async with database.engine.begin() as other:  # commits after the request's snapshot
        await other.execute(text("UPDATE probe_rows SET value = 10 WHERE id = 1"))
    _go_on["snapshot"].set()
    response = await asyncio.wait_for(request, 60)
    _assert_conflict(response)
    assert await _values(database) == {1: 10, 2: 0}
    _holding["snapshot"].clear()
    retried = await client.post("/probe-race/repeatable-update/1")
    assert retried.status_code == 200, retried.text
    assert retried.json() == {"value": 11}
