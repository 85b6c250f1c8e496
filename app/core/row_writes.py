"""A versioned row's change and the events it causes, written without the unit of work.

`update_with_events` sends, on PostgreSQL, one statement: an UPDATE guarded by the
revision that was read (the optimistic lock the ORM's `version_id_col` keeps) in a
data-modifying CTE, and the INSERT of the events selected from what it updated, so they
are written exactly when the change is. In autocommit (`writes_in_one_statement`) that
is the whole write: one round trip. SQLite, which has no data-modifying CTEs, gets the
two statements in the request's transaction. The statements are built once per shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, cast, insert, literal_column, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from app.core import ids
from app.core.concurrency import lost_race
from app.core.database import Base
from app.core.outbox import StreamEvent, event_row
from app.core.outbox_models import OutboxEvent

_EVENTS: Table = OutboxEvent.__table__  # type: ignore[assignment]
_EVENT_COLUMNS = tuple(column.key for column in _EVENTS.c)
_Shape = tuple[str, str, tuple[str, ...], int]
_STATEMENTS: dict[_Shape, Any] = {}


def _guarded_update(table: Table, names: tuple[str, ...]) -> Any:
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.revision == bindparam("row_revision"))
        .values({name: bindparam(f"set_{name}", type_=table.c[name].type) for name in names})
    )


def _event_parameter(n: int, name: str) -> Any:
    column = _EVENTS.c[name]
    return cast(bindparam(f"e{n}_{name}", type_=column.type), column.type)


def _postgresql_statement(table: Table, names: tuple[str, ...], events: int) -> Any:
    updated = _guarded_update(table, names).returning(table.c.id).cte("updated")
    rows = [
        select(*(_event_parameter(n, name).label(name) for name in _EVENT_COLUMNS)).select_from(
            updated
        )
        for n in range(events)
    ]
    chosen = rows[0] if events == 1 else union_all(*rows)
    return insert(_EVENTS).from_select(list(_EVENT_COLUMNS), chosen).returning(literal_column("1"))


def _statement(dialect: str, table: Table, names: tuple[str, ...], events: int) -> Any:
    shape = (dialect, table.name, names, events)
    statement = _STATEMENTS.get(shape)
    if statement is None:
        if dialect == "postgresql":
            statement = _postgresql_statement(table, names, events)
        else:
            statement = _guarded_update(table, names)
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
) -> None:
    """Write `values` to `row` (raising its revision by one) and add `events` to the
    stream, both or neither; a revision that moved since the read is the lost race's 409
    (412 with If-Match). `row` then shows what was written and stays clean."""
    versioned: Any = row
    table: Table = versioned.__table__
    organization_id: str = versioned.organization_id
    revision: int = versioned.revision
    names = tuple(sorted(values))
    parameters: dict[str, Any] = {f"set_{name}": values[name] for name in names}
    parameters.update(
        row_id=versioned.id,
        row_revision=revision,
        set_revision=revision + 1,
    )
    names = tuple(sorted((*names, "revision")))
    # Ids sorted as the events are, so that the timeline keeps their order within one
    # millisecond (an id's random part would not).
    event_ids = sorted(ids.EVENT.new(at) for _ in events)
    rows = [event_row(organization_id, e, at, i) for e, i in zip(events, event_ids, strict=True)]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" and rows:
        for n, event in enumerate(rows):
            parameters.update({f"e{n}_{name}": value for name, value in event.items()})
        result = await session.execute(_statement(dialect, table, names, len(rows)), parameters)
        written = len(result.all()) == len(rows)
    else:
        result = await session.execute(_statement("any", table, names, 0), parameters)
        written = getattr(result, "rowcount", 0) == 1
        if written and rows:
            await session.execute(insert(_EVENTS), rows)
    if not written:
        raise lost_race(noun, if_match)
    for name, value in {**values, "revision": revision + 1}.items():
        set_committed_value(row, name, value)
