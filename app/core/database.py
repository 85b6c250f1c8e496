"""Async engine, the per-request session, and the declarative base every table uses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, MutableMapping
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic_core import from_json
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool

from app.core.config import DatabaseTimeouts
from app.core.connection_health import (
    drop_unreachable_connections,
    postgresql_options,
    watch_postgresql_connections,
)
from app.core.database_faults import DatabaseFault, unavailable
from app.core.deferred_session import DeferredSession
from app.core.reactions import PENDING_KEY, forget_pending, run_reactions

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _ensure_sqlite_directory(url: URL) -> None:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own implicit BEGIN breaks SAVEPOINT and cannot take the write lock
        # up front; Debrief emits BEGIN itself (see _begin_sqlite_transaction).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return set_pragmas


SQLITE_BEGIN_OPTION = "debrief_sqlite_begin"
SQLITE_POOL_SIZE = 15


def _begin_sqlite_transaction(connection: Connection) -> None:
    """BEGIN IMMEDIATE for writing requests, so concurrent writers queue on the busy timeout
    instead of failing when a read snapshot cannot be upgraded to a write."""
    mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


async def _json_from_bytes(connection: Any) -> None:
    """asyncpg's JSON values read by pydantic-core from the bytes as they come: the
    dialect's own codec decodes each to `str` first (a list page reads 300 of them)."""
    await connection._connection.set_type_codec(
        "json", encoder=str.encode, decoder=from_json, schema="pg_catalog", format="binary"
    )


def create_engine(
    url: str, *, pooled: bool = True, timeouts: DatabaseTimeouts | None = None
) -> AsyncEngine:
    """Build the engine; SQLite files get WAL, foreign keys and a busy timeout; every wait
    on the database is bounded by `timeouts`."""
    timeouts = timeouts or DatabaseTimeouts()
    parsed = make_url(url)
    # pydantic-core's parser reads the JSON columns about twice as fast as `json.loads`.
    options: dict[str, Any] = {"json_deserializer": from_json}
    if not pooled:
        options["poolclass"] = NullPool
    if parsed.get_backend_name() == "sqlite":
        _ensure_sqlite_directory(parsed)
        if pooled:
            # SQLAlchemy's default (5, and 10 more closed on return) kept open instead:
            # under load the 10 were opened and closed again, several per 1,000 requests.
            options.update(pool_size=SQLITE_POOL_SIZE, max_overflow=0)
        engine = create_async_engine(parsed, **options)
        busy_timeout_ms = round(timeouts.pool * 1000)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        event.listen(engine.sync_engine, "begin", _begin_sqlite_transaction)
    else:
        options.update(postgresql_options(timeouts, pooled=pooled))
        engine = create_async_engine(parsed, **options)
        # The dialect's documented hook for its JSON codec, set on this engine's instance.
        engine.dialect.setup_asyncpg_json_codec = _json_from_bytes  # type: ignore[attr-defined]
        watch_postgresql_connections(engine, timeouts)
    drop_unreachable_connections(engine)
    return engine


class Database:
    """The engine and session factory one application instance owns."""

    def __init__(
        self, url: str, *, pooled: bool = True, timeouts: DatabaseTimeouts | None = None
    ) -> None:
        self.timeouts = timeouts or DatabaseTimeouts()
        self.engine = create_engine(url, pooled=pooled, timeouts=self.timeouts)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.sqlite_writer = asyncio.Lock()
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        # Reading requests on PostgreSQL run without BEGIN and COMMIT: under its READ
        # COMMITTED default, every statement sees the same as it would inside a
        # transaction, and two round trips a request are saved. (SQLite's deferred BEGIN
        # costs nothing.)
        self.read_sessionmaker = (
            self.sessionmaker
            if self.is_sqlite
            else async_sessionmaker(
                self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                # A read through the driver never needs the ORM Session: made on first use.
                class_=DeferredSession,
                expire_on_commit=False,
            )
        )

    @asynccontextmanager
    async def sqlite_write_turn(self) -> AsyncIterator[None]:
        """This process's turn to write to SQLite, waited for no longer than the pool
        timeout (a PostgreSQL request waits as long for a connection)."""
        try:
            async with asyncio.timeout(self.timeouts.pool):
                await self.sqlite_writer.acquire()
        except TimeoutError:
            raise unavailable(DatabaseFault.BUSY) from None
        try:
            yield
        finally:
            self.sqlite_writer.release()

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def schema_revision(self) -> str | None:
        """The Alembic revision the schema is at; None before the first migration."""
        async with self.engine.connect() as connection:
            try:
                result = await connection.execute(text("SELECT version_num FROM alembic_version"))
            except DBAPIError:
                return None
            return result.scalar_one_or_none()

    async def dispose(self) -> None:
        await self.engine.dispose()


@asynccontextmanager
async def standalone_transaction(url: str) -> AsyncIterator[AsyncSession]:
    """One transaction on a short-lived engine, for commands that run outside a request."""
    database = Database(url, pooled=False)
    try:
        async with database.sessionmaker() as session, session.begin():
            yield session
            await run_reactions(session)
    finally:
        await database.dispose()


EndpointT = TypeVar("EndpointT", bound=Callable[..., Any])


def read_only(endpoint: EndpointT) -> EndpointT:
    """Mark a POST that only computes (a preview) as reading: no write lock on SQLite, no
    transaction on PostgreSQL."""
    endpoint.__debrief_read_only__ = True  # type: ignore[attr-defined]
    return endpoint


def writes_in_one_statement(endpoint: EndpointT) -> EndpointT:
    """Mark a write whose usual path is one statement (`app.core.row_writes`): on
    PostgreSQL its request runs in autocommit, as a read does (no BEGIN, no COMMIT: two
    round trips fewer); a path that writes more first calls `start_transaction`. On
    SQLite nothing changes (the write turn, BEGIN IMMEDIATE)."""
    endpoint.__debrief_one_statement__ = True  # type: ignore[attr-defined]
    return endpoint


def _writes_in_one_statement(request: Request) -> bool:
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    return getattr(endpoint, "__debrief_one_statement__", False) is True


AUTOCOMMIT_KEY = "debrief.autocommit"


def in_autocommit(session: AsyncSession) -> bool:
    """Whether each statement of this session commits by itself (a PostgreSQL read, or a
    write marked `writes_in_one_statement` that has not started a transaction)."""
    return session.info.get(AUTOCOMMIT_KEY, False) is True


async def start_transaction(session: AsyncSession) -> None:
    """From here on, what this session does commits or rolls back as one (with the
    reactions), however it began. What it read so far stays loaded; nothing was written."""
    if not in_autocommit(session):
        return
    del session.info[AUTOCOMMIT_KEY]
    bind = session.get_bind()
    # Ends the autocommit bookkeeping (no round trip) and returns the connection; the next
    # one is checked out with the engine's own isolation level, BEGIN sent with its first
    # statement, and reset when it goes back to the pool.
    await session.commit()
    await session.connection(
        execution_options={"isolation_level": bind.dialect.default_isolation_level}
    )


def is_reading(request: Request) -> bool:
    if request.method in SAFE_METHODS:
        return True
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    return getattr(endpoint, "__debrief_read_only__", False) is True


REQUEST_SESSION = "debrief.session"
"""Where a request keeps its database session (in the ASGI scope), once something needs it."""
_WRITE_TURN = "debrief.sqlite_write_turn"


async def request_session(request: Request) -> AsyncSession:
    """The request's one transaction, opened at its first use: a request that finds all it
    needs in this process's caches (a known API key, the active rule set) never opens one.

    `DebriefRoute` ends it when the endpoint returns: reactions run, then commit, before the
    response is sent (a failed commit becomes an error response rather than a lie); any
    error rolls it back."""
    session: AsyncSession | None = request.scope.get(REQUEST_SESSION)
    if session is None:
        session = await _open_request_session(request)
    return session


def autocommits(request: Request) -> bool:
    """Whether the request's session, once opened, commits each statement by itself."""
    database: Database = request.app.state.database
    return not database.is_sqlite and (is_reading(request) or _writes_in_one_statement(request))


async def _open_request_session(request: Request) -> AsyncSession:
    database: Database = request.app.state.database
    reading = is_reading(request)
    autocommit = autocommits(request)
    session = (database.read_sessionmaker if autocommit else database.sessionmaker)()
    request.scope[REQUEST_SESSION] = session
    if autocommit:
        session.info[AUTOCOMMIT_KEY] = True
    if database.is_sqlite and not reading:
        # SQLite has one writer at a time. Writers of this process queue here, in order,
        # rather than each polling the file lock on the busy timeout.
        write_turn = AsyncExitStack()
        await write_turn.enter_async_context(database.sqlite_write_turn())
        request.scope[_WRITE_TURN] = write_turn
        await session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    return session


def uses_database(dependency: EndpointT) -> EndpointT:
    """Mark a dependency that may open the request's session (documents the 503)."""
    dependency.__debrief_uses_database__ = True  # type: ignore[attr-defined]
    return dependency


async def end_request_session(scope: MutableMapping[str, Any], error: BaseException | None) -> None:
    """Commit the request's transaction (after its reactions), or roll it back on `error`;
    then give its connection back. Nothing to do when the request never opened one."""
    session: AsyncSession | None = scope.pop(REQUEST_SESSION, None)
    write_turn: AsyncExitStack | None = scope.pop(_WRITE_TURN, None)
    if session is None:
        if write_turn is not None:
            await write_turn.aclose()
        return
    if write_turn is None and _untouched(session):
        # A read sent straight through the driver (app/core/driver_reads): nothing to
        # flush, commit, roll back or let go of, so closing the session would do nothing.
        return
    try:
        if error is not None:
            forget_pending(session)
            await session.rollback()
            return
        try:
            await run_reactions(session)
        except BaseException:
            forget_pending(session)
            await session.rollback()
            raise
        if in_autocommit(session):
            # A reading request, or a one-statement write, on PostgreSQL: each statement
            # committed as it ran, so there is no transaction to commit, only what is
            # still unflushed.
            await session.flush()
        else:
            await session.commit()
    finally:
        if write_turn is not None:
            await write_turn.aclose()
        await session.close()


def _untouched(session: AsyncSession) -> bool:
    """Whether the session never had a connection, an object or an event."""
    if isinstance(session, DeferredSession) and not session.made:
        return not session.info.get(PENDING_KEY)
    return not (
        session.in_transaction()
        or len(session.identity_map)
        or session.new
        or session.deleted
        or session.info.get(PENDING_KEY)
    )


SessionDep = Annotated[AsyncSession, Depends(request_session)]


class SessionOnDemand:
    """The request's session for a route that may not need one (a preview whose rule set
    or template this process has cached): opened only when called."""

    __slots__ = ("_request",)

    def __init__(self, request: Request) -> None:
        self._request = request

    async def __call__(self) -> AsyncSession:
        return await request_session(self._request)

    @property
    def request(self) -> Request:
        return self._request

    def if_opened(self) -> AsyncSession | None:
        """The request's session if something opened it already, else None."""
        session: AsyncSession | None = self._request.scope.get(REQUEST_SESSION)
        return session


async def opened(session: AsyncSession | SessionOnDemand) -> AsyncSession:
    return session if isinstance(session, AsyncSession) else await session()


@uses_database
async def session_on_demand(request: Request) -> SessionOnDemand:
    return SessionOnDemand(request)


SessionOnDemandDep = Annotated[SessionOnDemand, Depends(session_on_demand)]
