"""Every kind of "the database cannot answer now" is a 503; nothing else is."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import asyncpg.exceptions as pg
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.orm.exc import StaleDataError

from app.core.database import Database
from app.core.database_faults import DatabaseFault, database_fault, database_problem

UNREACHABLE = DatabaseFault.UNREACHABLE
BUSY = DatabaseFault.BUSY


def _as_sqlalchemy_raises(driver_error: BaseException) -> sa_exc.DBAPIError:
    """The chain SQLAlchemy's async adapters build: its error, from the adapter's, from
    the driver's."""
    adapted = Exception(type(driver_error).__name__)
    adapted.__cause__ = driver_error
    return sa_exc.DBAPIError("SELECT 1", None, adapted)


@pytest.fixture(scope="module")
def sqlite_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, sqlite3.Error]:
    """Real errors of the sqlite3 driver: a locked file, a missing table."""
    path = Path(tmp_path_factory.mktemp("sqlite")) / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(path, timeout=0, isolation_level=None)
    errors: dict[str, sqlite3.Error] = {}
    try:
        waiter.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        errors["locked"] = error
    try:
        waiter.execute("SELECT * FROM no_such_table")
    except sqlite3.OperationalError as error:
        errors["no such table"] = error
    holder.close()
    waiter.close()
    return errors


CASES: dict[str, tuple[BaseException, DatabaseFault | None]] = {
    # the connection cannot be made, or is lost, or nothing answers
    "timeout (asyncio's too)": (TimeoutError(), UNREACHABLE),
    "refused": (ConnectionRefusedError(111, "Connection refused"), UNREACHABLE),
    "reset": (ConnectionResetError(104, "Connection reset by peer"), UNREACHABLE),
    "aborted": (ConnectionAbortedError(), UNREACHABLE),
    "broken pipe": (BrokenPipeError(), UNREACHABLE),
    "every address refused": (OSError("Multiple exceptions: [Errno 111] …"), UNREACHABLE),
    "unknown host": (socket.gaierror(-2, "Name or service not known"), UNREACHABLE),
    "asyncpg lost connection": (
        pg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        UNREACHABLE,
    ),
    "asyncpg lost, wrapped": (
        _as_sqlalchemy_raises(pg.ConnectionDoesNotExistError("closed")),
        UNREACHABLE,
    ),
    "server starting up": (_as_sqlalchemy_raises(pg.CannotConnectNowError()), UNREACHABLE),
    "server shut down": (_as_sqlalchemy_raises(pg.AdminShutdownError()), UNREACHABLE),
    "server crashed": (_as_sqlalchemy_raises(pg.CrashShutdownError()), UNREACHABLE),
    "connection failure": (_as_sqlalchemy_raises(pg.ConnectionFailureError()), UNREACHABLE),
    "invalidated connection": (
        sa_exc.DBAPIError("SELECT 1", None, Exception("closed"), connection_invalidated=True),
        UNREACHABLE,
    ),
    "disconnection": (sa_exc.DisconnectionError(), UNREACHABLE),
    # the database answers, but not in time
    "pool exhausted": (sa_exc.TimeoutError("QueuePool limit of size 20 overflow 20"), BUSY),
    "statement_timeout": (_as_sqlalchemy_raises(pg.QueryCanceledError()), BUSY),
    "lock_timeout": (_as_sqlalchemy_raises(pg.LockNotAvailableError()), BUSY),
    "too many connections": (_as_sqlalchemy_raises(pg.TooManyConnectionsError()), BUSY),
    # conflicts, handled where they happen, and bugs: not an outage
    "duplicate": (sa_exc.IntegrityError("INSERT", None, Exception("dup")), None),
    "an OperationalError that says nothing more": (
        sa_exc.OperationalError("SELECT 1", None, Exception("x")),
        None,
    ),
    "asyncpg duplicate": (_as_sqlalchemy_raises(pg.UniqueViolationError()), None),
    # (a serialisation failure or a deadlock is not an outage either, but a 503
    # transaction-conflict problem: tests/core/test_transaction_conflicts.py)
    "missing table": (_as_sqlalchemy_raises(pg.UndefinedTableError()), None),
    "two operations on one connection": (
        _as_sqlalchemy_raises(pg.InterfaceError("another operation is in progress")),
        None,
    ),
    "stale row": (StaleDataError(), None),
    "a bug": (RuntimeError("boom"), None),
    "a value": (ValueError(), None),
    "a missing file": (FileNotFoundError(2, "No such file"), None),
    "a forbidden file": (PermissionError(13, "Permission denied"), None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_error_is_classified(name: str) -> None:
    error, expected = CASES[name]
    assert database_fault(error) is expected
    problem = database_problem(error)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None
        assert problem.status == 503
        assert problem.headers["Retry-After"].isdigit()


def test_a_locked_sqlite_file_is_busy_and_a_missing_table_is_a_bug(
    sqlite_errors: dict[str, sqlite3.Error],
) -> None:
    locked = sa_exc.OperationalError("BEGIN IMMEDIATE", None, sqlite_errors["locked"])
    missing = sa_exc.OperationalError("SELECT", None, sqlite_errors["no such table"])
    assert database_fault(locked) is BUSY
    assert database_fault(missing) is None


@pytest.mark.anyio
async def test_the_drivers_own_errors_for_bugs_and_conflicts_stay_what_they_are(
    database: Database,
) -> None:
    """Raised by the driver of this run's database, not built by hand."""
    async with database.engine.connect() as connection:
        with pytest.raises(sa_exc.DBAPIError) as missing:
            await connection.execute(text("SELECT * FROM no_such_table"))
    assert database_fault(missing.value) is None
    async with database.engine.connect() as connection:
        await connection.execute(text("CREATE TEMPORARY TABLE t (id INTEGER PRIMARY KEY)"))
        await connection.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(sa_exc.IntegrityError) as duplicate:
            await connection.execute(text("INSERT INTO t VALUES (1)"))
        await connection.rollback()
    assert database_fault(duplicate.value) is None
