"""One pooled connection checked out for a few statements sent straight through asyncpg.

app/core/driver_reads sends one statement on a connection it checks out and gives back at
once. A write that reads its row first and then writes it (PUT answers) sends two: here
both go to one connection, checked out of the engine's own pool (its checkout and checkin
events run as ever) and given back when the work is done. The same conditions hold as
for the driver reads (PostgreSQL, asyncpg, autocommit, nothing listening to the engine's
statements): each statement commits by itself, so the write's version guard, not a
transaction, keeps an update from being lost.

Failures are handled as the driver reads handle them (`discard_failed`, which both use):
a connection whose statement failed is discarded, never returned; one found dead takes the
pool's older connections with it and the error becomes a `DisconnectionError` (the same
503). A problem the caller raises between statements (a 404, a 422) gives the connection
back as it is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.pool import Pool
from sqlalchemy.util import greenlet_spawn

from app.core.database_faults import DatabaseFault, database_fault
from app.core.driver_statements import DriverStatement


def discard_failed(pool: Pool, connection: Any, error: BaseException) -> DisconnectionError | None:
    """Discard a checked-out connection whose statement failed with `error`, never to be
    returned (in a greenlet, as the pool expects). Closed or unreachable, it is dead, and so
    are the connections opened before it (SQLAlchemy's own reaction to a disconnect): the
    requests after this one connect afresh, and the caller raises the `DisconnectionError`
    returned instead of `error`. Otherwise (cancelled mid-statement included) only this
    connection goes, and None is returned: `error` stands."""
    if isinstance(error, Exception) and (
        connection.driver_connection.is_closed()
        or database_fault(error) is DatabaseFault.UNREACHABLE
    ):
        pool._invalidate(connection, error)
        return DisconnectionError("the database connection was lost")
    connection.invalidate(error)
    return None


class DriverConnection:
    """A checked-out connection's asyncpg connection, with the pool's failure handling."""

    __slots__ = ("_connection", "_driver", "_pool", "dialect", "discarded", "failure")

    def __init__(self, pool: Pool, connection: Any, dialect: Dialect) -> None:
        self._pool = pool
        self._connection = connection
        self._driver = connection.driver_connection
        self.dialect = dialect
        self.failure: BaseException | None = None
        self.discarded = False

    async def fetch(self, sent: DriverStatement, arguments: Sequence[Any]) -> list[Any]:
        """The records of one statement (its arguments in the statement's order)."""
        records: list[Any] = await self._run(self._driver.fetch, sent, arguments)
        return records

    async def execute(self, sent: DriverStatement, arguments: Sequence[Any]) -> int:
        """Run one statement that returns no rows; the number of rows it changed."""
        status: str = await self._run(self._driver.execute, sent, arguments)
        count = status.rpartition(" ")[2]
        return int(count) if count.isdigit() else 0

    async def _run(self, method: Any, sent: DriverStatement, arguments: Sequence[Any]) -> Any:
        if self.failure is not None:
            raise RuntimeError("a statement already failed on this connection")
        try:
            return await method(sent.sql, *arguments)
        except BaseException as error:
            self.failure = error
            if not isinstance(error, Exception):  # cancelled mid-statement: no await here
                raise
            self.discarded = True
            lost = await greenlet_spawn(discard_failed, self._pool, self._connection, error)
            if lost is not None:
                raise lost from error
            if _is_integrity_error(error):
                # As SQLAlchemy's adapter wraps it, so that callers catch one kind.
                raise IntegrityError(sent.sql, tuple(arguments), error) from error
            raise


def _is_integrity_error(error: BaseException) -> bool:
    # asyncpg's IntegrityConstraintViolationError is SQLSTATE class 23.
    return str(getattr(error, "sqlstate", "") or "").startswith("23")


@asynccontextmanager
async def checked_out(pool: Pool, dialect: Dialect) -> AsyncIterator[DriverConnection]:
    """A connection of `pool` for the block, given back (or discarded) at its end."""
    connection: Any = await greenlet_spawn(pool.connect)
    checked = DriverConnection(pool, connection, dialect)
    try:
        yield checked
    finally:
        await greenlet_spawn(_give_back, pool, connection, checked)


def _give_back(pool: Pool, connection: Any, checked: DriverConnection) -> None:
    try:
        if checked.failure is not None and not checked.discarded:  # cancelled mid-statement
            discard_failed(pool, connection, checked.failure)
    finally:
        connection.close()  # back to the pool, or (invalidated) closed
