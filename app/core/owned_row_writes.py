"""A request's read of one versioned row it may see, as values, then its write: both
straight through asyncpg on one pooled connection where that changes nothing but the cost,
else through the request's session.

The driver path (app/core/driver_connection) is taken on PostgreSQL when the request's
statements commit one by one (a route marked `writes_in_one_statement`), its session has
no connection yet, nothing listens to the engine's statements, and the caller's lookup is
a statement built once (app/core/lookup decides the scoping, as for every read). The read
and the write (`row_writes.write_with_events`: the guarded UPDATE and the events' INSERT
as one statement) are then two round trips with no `AsyncSession`, `Connection`, execution
context, `Result` or ORM instance. Anything needing the session (a custom question set's
read, a write whose events have reactions) calls `session()`, which gives the driver's
connection back first, so a request never holds two connections at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.database import Base, SessionOnDemand, autocommits, opened
from app.core.driver_connection import DriverConnection, checked_out
from app.core.driver_reads import engine_driver_pool, session_driver_pool
from app.core.errors import NotFound
from app.core.ids import IdKind, shown_id
from app.core.lookup import find_owned_row, find_owned_row_on, row_lookup_is_prebuilt
from app.core.outbox import StreamEvent
from app.core.row_writes import write_with_events
from app.core.security import Principal


class OwnedRowWrite:
    """The request's way to its row for one read-then-write: a driver connection it holds,
    or its session."""

    __slots__ = ("_connection", "_exit", "_session")

    def __init__(self, session: AsyncSession | SessionOnDemand, exit_stack: AsyncExitStack) -> None:
        self._session = session
        self._connection: DriverConnection | None = None
        self._exit = exit_stack

    @property
    def through_driver(self) -> bool:
        return self._connection is not None

    async def _checkout(self, model: type[Base], caller: Principal) -> DriverConnection | None:
        if self._connection is not None:
            return self._connection
        target = _driver_target(self._session)
        if target is None or not row_lookup_is_prebuilt(model, caller):
            return None
        self._connection = await self._exit.enter_async_context(checked_out(*target))
        return self._connection

    async def read(
        self, model: type[Base], kind: IdKind, identifier: str, caller: Principal, noun: str
    ) -> dict[str, Any]:
        """The caller's row by id as its columns' values, or the 404 of `get_owned`."""
        connection = await self._checkout(model, caller)
        if connection is not None:
            row = await find_owned_row_on(connection, model, kind, identifier, caller)
        else:
            row = await find_owned_row(await self.session(), model, kind, identifier, caller)
        if row is None:
            raise NotFound(f"No {noun} with id {shown_id(identifier)}.")
        return row

    async def session(self) -> AsyncSession:
        """The request's session, after giving the driver's connection back."""
        if self._connection is not None:
            self._connection = None
            await self._exit.aclose()
        return await opened(self._session)

    async def write(
        self,
        table: Table,
        version_column: str,
        row: dict[str, Any],
        values: dict[str, Any],
        events: Sequence[StreamEvent],
        *,
        at: datetime,
        noun: str,
        if_match: str | None,
    ) -> None:
        """`row_writes.write_with_events` of `values` (by column) to `row` (as read), which
        then shows what was written, its new version included."""
        target: AsyncSession | DriverConnection = self._connection or await self.session()
        version = await write_with_events(
            target,
            table,
            version_column,
            row["id"],
            row["organization_id"],
            row[version_column],
            values,
            events,
            at=at,
            noun=noun,
            if_match=if_match,
        )
        row.update(values)
        row[version_column] = version


def _driver_target(session: AsyncSession | SessionOnDemand) -> Any:
    if isinstance(session, AsyncSession):
        return session_driver_pool(session)
    started = session.if_opened()
    if started is not None:
        return session_driver_pool(started)
    request = session.request
    if not autocommits(request):
        return None
    return engine_driver_pool(request.app.state.database.engine)


@asynccontextmanager
async def owned_row_write(session: AsyncSession | SessionOnDemand) -> AsyncIterator[OwnedRowWrite]:
    """An `OwnedRowWrite` for the block; a driver connection it took goes back at the end."""
    async with AsyncExitStack() as exit_stack:
        yield OwnedRowWrite(session, exit_stack)
