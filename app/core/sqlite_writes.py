"""On SQLite, a guarded UPDATE and the INSERT of its events as one call on the driver's thread.

aiosqlite runs every call on its connection's own thread, and SQLAlchemy's adapter makes
several such calls for each statement (a cursor, the execute, the cursor's close), each a
hand-over to that thread and back. The outbox's event INSERT was a second statement after
the row's UPDATE, and those hand-overs, not SQLite's own work, were most of its cost. Here
both statements run in one function queued on that thread: one hand-over for the write.

They run on the request's connection, inside its transaction (SQLAlchemy has sent BEGIN),
so the COMMIT or ROLLBACK that ends the request ends them too. The statements are the ones
SQLAlchemy would send, compiled once each (app/core/driver_statements); a driver error is
wrapped as SQLAlchemy wraps it (an `IntegrityError` stays one).

`aiosqlite.Connection._execute` and `._conn` are private: aiosqlite is pinned exactly and
tests/core/test_sqlite_writes.py fails if either goes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ClauseElement

from app.core.driver_statements import driver_statement

_CLOSED = frozenset({"no active connection", "connection closed"})


def _insert_of(table: Table) -> ClauseElement:
    statement = _INSERTS.get(table.name)
    if statement is None:
        statement = _INSERTS[table.name] = insert(table)
    return statement


_INSERTS: dict[str, ClauseElement] = {}


async def update_then_insert(
    session: AsyncSession,
    update: ClauseElement,
    parameters: dict[str, Any],
    table: Table,
    rows: Sequence[dict[str, Any]],
) -> int:
    """Run `update` with `parameters` and, if it changed exactly one row, insert `rows`
    into `table`, in the session's transaction, as one call on aiosqlite's thread. Returns
    the UPDATE's row count."""
    connection = await session.connection()
    dialect = connection.dialect
    update_statement = driver_statement(update, dialect)
    update_values = update_statement.positional(parameters)
    insert_values: list[tuple[Any, ...]] = []
    insert_sql = ""
    if rows:
        insert_statement = driver_statement(_insert_of(table), dialect, list(rows[0]))
        insert_sql = insert_statement.sql
        insert_values = [insert_statement.positional(row) for row in rows]
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection

    def write() -> int:
        database: sqlite3.Connection = driver._conn
        cursor = database.execute(update_statement.sql, update_values)
        try:
            changed = cursor.rowcount
            if changed == 1 and insert_values:
                cursor.executemany(insert_sql, insert_values)
        finally:
            cursor.close()
        return changed

    try:
        changed: int = await driver._execute(write)
    except sqlite3.Error as error:
        raise DBAPIError.instance(
            update_statement.sql, update_values, error, sqlite3.Error
        ) from error
    except ValueError as error:
        # aiosqlite's closed connection, which SQLAlchemy's adapter maps the same way.
        if str(error).lower() not in _CLOSED:
            raise
        closed = sqlite3.OperationalError(str(error))
        raise DBAPIError.instance(
            update_statement.sql, update_values, closed, sqlite3.Error
        ) from error
    return changed
