"""Which failures mean "the database cannot answer now", in one place.

A refused, reset, lost or silent connection, a full pool, a statement that ran out of time
or a locked SQLite file all end the request with a 503 problem the client may retry. A
transaction PostgreSQL rolled back because it lost a race with another (a serialisation
failure, a deadlock) ends it with a 503 `transaction-conflict` problem: the whole
request was undone, and the same request, sent again, can succeed. Whatever else the
database says (a duplicate, a stale row, a syntax error, a missing table) is a conflict,
handled where it happens, or a bug: a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from enum import Enum

from sqlalchemy import exc as sa_exc

from app.core.errors import DatabaseUnavailable, ProblemError, TransactionConflict

logger = logging.getLogger("debrief.database")


class DatabaseFault(Enum):
    UNREACHABLE = "unreachable"
    """Refused, reset, lost, or not answering: the connection is of no further use."""
    BUSY = "busy"
    """Answering, but not in time: no free connection, a statement cancelled, a lock held."""


# PostgreSQL SQLSTATEs (asyncpg gives its own lost-connection errors one too). Class 08:
# connection exception; 57P01-57P03: shut down, crashed, starting up; class 53: out of
# connections, memory or disk; 57014: cancelled, as statement_timeout does; 55P03:
# lock_timeout. Class 40 (serialisation, deadlock) is a conflict, not an outage.
_UNREACHABLE_SQLSTATE_PREFIXES = ("08", "57P")
_BUSY_SQLSTATE_PREFIXES = ("53", "57014", "55P03")
# Class 40, transaction rollback: the server undid the whole transaction and a new one may
# succeed. 40000 (transaction_rollback), 40001 (serialization_failure), 40P01
# (deadlock_detected). Not 40002 (an integrity violation, a conflict in the data) nor 40003
# (statement_completion_unknown: whether the work was done is not known).
_RETRYABLE_ROLLBACK_SQLSTATES = frozenset({"40000", "40001", "40P01"})
# SQLite primary result codes (the low byte of an extended code).
_SQLITE_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED
_SQLITE_UNREACHABLE_CODES = frozenset({10, 14})  # SQLITE_IOERR, SQLITE_CANTOPEN
# OSErrors that are about files the application itself reads, not about the database.
_FILE_ERRORS = (
    FileNotFoundError,
    FileExistsError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, the driver error SQLAlchemy wraps, and what each was raised from."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for inner in (getattr(current, "orig", None), current.__cause__):
            if isinstance(inner, BaseException):
                pending.append(inner)


def _fault_of_one(error: BaseException) -> DatabaseFault | None:
    if isinstance(error, sa_exc.TimeoutError):  # no free connection in the pool
        return DatabaseFault.BUSY
    if isinstance(error, sa_exc.DisconnectionError):
        return DatabaseFault.UNREACHABLE
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return DatabaseFault.UNREACHABLE
    if isinstance(error, TimeoutError | ConnectionError):
        return DatabaseFault.UNREACHABLE
    if isinstance(error, OSError) and not isinstance(error, _FILE_ERRORS):
        return DatabaseFault.UNREACHABLE  # e.g. the host's name does not resolve
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str):
        if sqlstate.startswith(_UNREACHABLE_SQLSTATE_PREFIXES):
            return DatabaseFault.UNREACHABLE
        if sqlstate.startswith(_BUSY_SQLSTATE_PREFIXES):
            return DatabaseFault.BUSY
    sqlite_code = getattr(error, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        if sqlite_code & 0xFF in _SQLITE_BUSY_CODES:
            return DatabaseFault.BUSY
        if sqlite_code & 0xFF in _SQLITE_UNREACHABLE_CODES:
            return DatabaseFault.UNREACHABLE
    return None


def database_fault(error: BaseException) -> DatabaseFault | None:
    """What kind of unavailability `error` reports, or None if it is something else."""
    faults = {fault for e in _causes(error) if (fault := _fault_of_one(e)) is not None}
    if DatabaseFault.UNREACHABLE in faults:
        return DatabaseFault.UNREACHABLE
    return DatabaseFault.BUSY if faults else None


_DETAILS = {
    DatabaseFault.UNREACHABLE: "The database is not answering. Retry in a few seconds.",
    DatabaseFault.BUSY: "The database is too busy to answer in time. Retry in a few seconds.",
}


def unavailable(fault: DatabaseFault) -> DatabaseUnavailable:
    return DatabaseUnavailable(_DETAILS[fault])


def is_transaction_conflict(error: BaseException) -> bool:
    """Whether the database rolled the transaction back for losing a race with another
    (serialisation failure, deadlock): nothing of it was kept, and a retry may succeed."""
    return any(
        getattr(e, "sqlstate", None) in _RETRYABLE_ROLLBACK_SQLSTATES for e in _causes(error)
    )


def database_problem(error: BaseException) -> ProblemError | None:
    """The 503 problem for a database that cannot answer now or a transaction that lost a
    race, or None for any other error."""
    fault = database_fault(error)
    if fault is None:
        if not is_transaction_conflict(error):
            return None
        logger.warning("database transaction conflict: %s", _type_chain(error))
        return TransactionConflict(
            "The request ran into a concurrent one and was undone whole. Retry in a moment."
        )
    logger.warning("database %s: %s", fault.value, _type_chain(error))
    return unavailable(fault)


def _type_chain(error: BaseException) -> str:
    # Type names only: a driver's message can quote the statement and its parameters.
    return " <- ".join(type(e).__name__ for e in _causes(error))
