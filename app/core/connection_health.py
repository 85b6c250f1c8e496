"""Keeping PostgreSQL connections honest: every wait bounded, every dead one dropped.

A pooled connection idle for a while is checked before use, within the connect timeout
(SQLAlchemy's own pre-ping would wait the whole statement timeout on a database that went
silent, and costs a round trip on every use: one in steady use is not checked). A
connection that is closed, fails at the socket or does not answer is discarded with every
older connection of the pool, so the requests after it connect afresh, and the service
recovers on its own when the database is back.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import DatabaseTimeouts
from app.core.database_faults import DatabaseFault, database_fault

# The server cancels a slow statement itself (the connection stays usable); the client
# gives up this much later, when the server has stopped answering altogether.
CLIENT_TIMEOUT_MARGIN_SECONDS = 1.0
_FRESH = "debrief_fresh"
_CONNECTED_AT = "debrief_connected_at"
_RETURNED_AT = "debrief_returned_at"


def postgresql_options(timeouts: DatabaseTimeouts, *, pooled: bool) -> dict[str, Any]:
    """`create_async_engine` options: asyncpg's connect and command timeouts, the server's
    statement_timeout, and the pool's wait for a free connection."""
    connect_args: dict[str, Any] = {"timeout": timeouts.connect}
    if timeouts.statement is not None:
        connect_args["command_timeout"] = timeouts.statement + CLIENT_TIMEOUT_MARGIN_SECONDS
        milliseconds = round(timeouts.statement * 1000)
        connect_args["server_settings"] = {"statement_timeout": str(milliseconds)}
    options: dict[str, Any] = {"connect_args": connect_args}
    if pooled:
        options.update(
            pool_size=timeouts.pool_size,
            max_overflow=0,
            pool_timeout=timeouts.pool,
            pool_recycle=timeouts.pool_recycle,
        )
    return options


def watch_postgresql_connections(engine: AsyncEngine, timeouts: DatabaseTimeouts) -> None:
    watch = _ConnectionWatch(timeouts.connect, timeouts.pool_check_idle)
    sync_engine = engine.sync_engine
    event.listen(sync_engine, "connect", watch.connected)
    event.listen(sync_engine, "checkout", watch.check)
    event.listen(sync_engine, "checkin", watch.returned)
    event.listen(sync_engine, "invalidate", watch.invalidated)
    event.listen(sync_engine, "close", watch.closing)


def drop_unreachable_connections(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "handle_error", _mark_disconnect)


def _mark_disconnect(context: ExceptionContext) -> None:
    """A connection that timed out or failed at the socket is dead, whatever the driver
    thinks: SQLAlchemy then discards it, and the pool's older connections with it."""
    if database_fault(context.original_exception) is DatabaseFault.UNREACHABLE:
        context.is_disconnect = True


class _ConnectionWatch:
    """SQLAlchemy closes a discarded asyncpg connection politely, waiting up to 2 s for
    the server's goodbye: a server that stopped answering never says it. So a connection
    found dead, or given up on (as /readyz does), and every connection older than it,
    is aborted instead."""

    def __init__(self, check_timeout: float, check_idle: float) -> None:
        self.check_timeout = check_timeout
        self.check_idle = check_idle
        self.last_death = -math.inf

    def connected(self, _dbapi_connection: Any, record: Any) -> None:
        record.info[_FRESH] = True
        record.info[_CONNECTED_AT] = time.monotonic()

    def check(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.pop(_FRESH, False):
            return  # just connected: it answered a moment ago
        returned_at = record.info.get(_RETURNED_AT, -math.inf)
        if returned_at > self.last_death and time.monotonic() - returned_at < self.check_idle:
            # In steady use, and no connection has died since it was last returned: a dead
            # one fails its first statement, as a 503. After a death every older
            # connection is checked, so the service recovers without another 503.
            return
        try:
            dbapi_connection.run_async(
                lambda driver: driver.execute("SELECT 1", timeout=self.check_timeout)
            )
        except Exception as error:
            if dbapi_connection.driver_connection.is_closed() or database_fault(error):
                # SQLAlchemy discards it and every older connection, then connects anew.
                raise InvalidatePoolError("the database connection is dead") from error
            raise

    def returned(self, _dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    def invalidated(self, dbapi_connection: Any, _record: Any, error: Any) -> None:
        cancelled = isinstance(error, asyncio.CancelledError)
        if cancelled or (
            isinstance(error, BaseException) and database_fault(error) is DatabaseFault.UNREACHABLE
        ):
            self.last_death = time.monotonic()
            dbapi_connection.driver_connection.terminate()

    def closing(self, dbapi_connection: Any, record: Any) -> None:
        if record.info.get(_CONNECTED_AT, math.inf) <= self.last_death:
            dbapi_connection.driver_connection.terminate()
