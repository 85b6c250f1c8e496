"""Reads sent straight through asyncpg, for the hot reads of a PostgreSQL request in autocommit.

A read through the session costs a session transaction, a `Connection`, an execution
context and a `Result` around one asyncpg statement: on a `GET` by id that is most of
SQLAlchemy's share of the request. Here the same statement, compiled once
(app/core/driver_statements), goes to asyncpg on a connection checked out of the engine's
own pool (its checkout and checkin events, app/core/connection_health's checks among them,
run as ever) and given back at once; asyncpg's own statement cache keeps it prepared.

Only where that changes nothing but the cost: PostgreSQL, a session in autocommit (each
statement commits by itself, so which pooled connection runs it does not matter) that has
no connection yet, a statement built once, and nothing listening to the engine's
statements (tracing, tests counting them), which then sees them all through the session.
A connection that fails is discarded, never returned; one found dead takes the pool's
older connections with it, as SQLAlchemy does on a disconnect, and the error is one
app/core/database_faults classifies exactly as before (the same 503 problem): the policy
is app/core/driver_connection's `discard_failed`, run here inside the read's one greenlet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import Pool
from sqlalchemy.sql import Select
from sqlalchemy.util import await_, greenlet_spawn

from app.core.database import in_autocommit
from app.core.driver_connection import discard_failed
from app.core.driver_statements import driver_statement


def session_driver_pool(session: AsyncSession) -> tuple[Pool, Dialect] | None:
    bind = session.bind
    if bind is None or not in_autocommit(session) or session.in_transaction():
        return None
    return engine_driver_pool(bind)


def engine_driver_pool(bind: Any) -> tuple[Pool, Dialect] | None:
    """The engine's pool and dialect where statements may go straight to asyncpg (its
    driver is asyncpg and nothing listens to its statements); None otherwise. Whether the
    request's statements may commit one by one is the caller's to know."""
    engine: Any = bind.sync_engine
    dialect: Dialect = engine.dialect
    if dialect.driver != "asyncpg":
        return None
    dispatch = engine.dispatch
    if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
        return None
    return engine.pool, dialect


async def driver_rows(
    session: AsyncSession, statement: Select[Any], parameters: dict[str, Any]
) -> list[tuple[Any, ...]] | None:
    """The rows of `statement` (built once, and kept) as tuples of column values in its
    order, read through asyncpg; None where the session must run it itself."""
    target = session_driver_pool(session)
    if target is None:
        return None
    pool, dialect = target
    sent = driver_statement(statement, dialect)
    records: Sequence[Any] = await greenlet_spawn(
        _fetch, pool, sent.sql, sent.positional(parameters)
    )
    return [sent.row(record) for record in records]


def _fetch(pool: Pool, sql: str, arguments: tuple[Any, ...]) -> Sequence[Any]:
    """Check a connection out, run one statement on asyncpg, give it back (in a greenlet,
    as the pool's events and SQLAlchemy's asyncpg adapter expect)."""
    connection: Any = pool.connect()
    try:
        driver = connection.driver_connection
        try:
            records: Sequence[Any] = await_(driver.fetch(sql, *arguments))
        except BaseException as error:
            lost = discard_failed(pool, connection, error)
            if lost is not None:
                raise lost from error
            raise
        return records
    finally:
        connection.close()  # back to the pool, or (invalidated) closed
