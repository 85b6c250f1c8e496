"""A versioned row's change and the events it causes, written without the unit of work.

`update_with_events` sends, on PostgreSQL, one statement: an UPDATE guarded by the
version that was read (the optimistic lock the ORM's `version_id_col` keeps) in a
data-modifying CTE, and the INSERT of the events selected from what it updated, so they
are written exactly when the change is. In autocommit (`writes_in_one_statement`) that
is the whole write: one round trip. SQLite, which has no data-modifying CTEs, gets the
two statements in the request's transaction, sent together as one call on the driver's
thread (app/core/sqlite_writes). The statements are built and compiled once per shape
(app/core/driver_statements), so a write does not derive their cache keys each time.
`write_with_events` takes the row as values (table, id, organisation, version) and may
send the statement on a connection checked out for the driver instead of the session
(app/core/driver_connection); `update_with_events` is it for a mapped instance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Table,
    bindparam,
    cast,
    insert,
    inspect,
    literal_column,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from app.core import ids, sqlite_writes
from app.core.concurrency import lost_race
from app.core.database import Base
from app.core.driver_connection import DriverConnection
from app.core.driver_statements import driver_statement
from app.core.errors import Conflict, ProblemError
from app.core.outbox import StreamEvent, event_row
from app.core.outbox_models import OutboxEvent

_EVENTS: Table = OutboxEvent.__table__  # type: ignore[assignment]
_EVENT_COLUMNS = tuple(column.key for column in _EVENTS.c)
_Shape = tuple[str, str, tuple[str, ...], int]
_STATEMENTS: dict[_Shape, Any] = {}


def _guarded_update(table: Table, names: tuple[str, ...], version: str) -> Any:
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c[version] == bindparam("row_version"))
        .values({name: bindparam(f"set_{name}", type_=table.c[name].type) for name in names})
    )


def _event_parameter(n: int, name: str) -> Any:
    column = _EVENTS.c[name]
    return cast(bindparam(f"e{n}_{name}", type_=column.type), column.type)


def _postgresql_statement(table: Table, names: tuple[str, ...], version: str, events: int) -> Any:
    updated = _guarded_update(table, names, version).returning(table.c.id).cte("updated")
    rows = [
        select(*(_event_parameter(n, name).label(name) for name in _EVENT_COLUMNS)).select_from(
            updated
        )
        for n in range(events)
    ]
    chosen = rows[0] if events == 1 else union_all(*rows)
    return insert(_EVENTS).from_select(list(_EVENT_COLUMNS), chosen).returning(literal_column("1"))


def _statement(
    dialect: str, table: Table, names: tuple[str, ...], version: str, events: int
) -> Any:
    shape = (dialect, table.name, names, events)
    statement = _STATEMENTS.get(shape)
    if statement is None:
        if dialect == "postgresql" and events:
            statement = _postgresql_statement(table, names, version, events)
        else:
            statement = _guarded_update(table, names, version)
        _STATEMENTS[shape] = statement
    return statement


async def update_with_events(
    session: AsyncSession,
    row: Base,
    values: dict[str, Any],
    events: Sequence[StreamEvent],
    *,
    at: datetime,
    noun: str,
    if_match: str | None,
    on_duplicate: Callable[[], ProblemError] | None = None,
) -> None:
    """Write `values` (by attribute) to `row`, raising its version (the mapper's
    `version_id_col`) by one, and add `events` to the stream: both or neither. A version
    that moved since the read is the lost race's 409 (412 with If-Match); a unique index's
    clash is `on_duplicate` or a 409. `row` then shows what was written and stays clean."""
    mapper = inspect(row).mapper
    version_column: Any = mapper.version_id_col
    version_key = mapper.get_property_by_column(version_column).key
    versioned: Any = row
    version: int = getattr(row, version_key)
    columns = {mapper.columns[key].name: value for key, value in values.items()}
    await write_with_events(
        session,
        versioned.__table__,
        version_column.name,
        versioned.id,
        versioned.organization_id,
        version,
        columns,
        events,
        at=at,
        noun=noun,
        if_match=if_match,
        on_duplicate=on_duplicate,
    )
    for key, value in values.items():
        set_committed_value(row, key, value)
    set_committed_value(row, version_key, version + 1)


async def write_with_events(
    target: AsyncSession | DriverConnection,
    table: Table,
    version_column: str,
    row_id: str,
    organization_id: str,
    version: int,
    values: dict[str, Any],
    events: Sequence[StreamEvent],
    *,
    at: datetime,
    noun: str,
    if_match: str | None,
    on_duplicate: Callable[[], ProblemError] | None = None,
) -> int:
    """`update_with_events` for a row read as values: write `values` (by column name) to
    the row `row_id` of `table` if its `version_column` still holds `version`, raising it
    by one, and add `events` to the stream, through the request's session or a connection
    checked out for the driver (app/core/driver_connection, PostgreSQL). Returns the new
    version; the problems are `update_with_events`'."""
    columns = {**values, version_column: version + 1}
    names = tuple(sorted(columns))
    parameters: dict[str, Any] = {f"set_{name}": columns[name] for name in names}
    parameters.update(row_id=row_id, row_version=version)
    # Ids sorted as the events are, so that the timeline keeps their order within one
    # millisecond (an id's random part would not).
    event_ids = sorted(ids.EVENT.new(at) for _ in events)
    rows = [event_row(organization_id, e, at, i) for e, i in zip(events, event_ids, strict=True)]
    driver: DriverConnection | None = None
    session: AsyncSession | None = None
    if isinstance(target, DriverConnection):
        driver, dialect = target, target.dialect.name
    else:
        session, dialect = target, target.get_bind().dialect.name
    try:
        if dialect == "postgresql":
            for n, event in enumerate(rows):
                parameters.update({f"e{n}_{name}": value for name, value in event.items()})
            statement = _statement(dialect, table, names, version_column, len(rows))
            if driver is not None:
                sent = driver_statement(statement, driver.dialect)
                if rows:
                    records = await driver.fetch(sent, sent.positional(parameters))
                    written = len(records) == len(rows)
                else:
                    written = await driver.execute(sent, sent.positional(parameters)) == 1
            else:
                assert session is not None
                connection = await session.connection()
                sent = driver_statement(statement, connection.dialect)
                result = await connection.exec_driver_sql(sent.sql, sent.positional(parameters))
                written = len(result.all()) == len(rows) if rows else result.rowcount == 1
        else:
            assert session is not None, "the driver's connection is PostgreSQL's"
            statement = _statement(dialect, table, names, version_column, 0)
            changed = await sqlite_writes.update_then_insert(
                session, statement, parameters, _EVENTS, rows
            )
            written = changed == 1
    except IntegrityError:
        if on_duplicate is not None:
            raise on_duplicate() from None
        raise Conflict(f"Another request wrote the same {noun} at the same time; retry.") from None
    if not written:
        raise lost_race(noun, if_match)
    return version + 1
