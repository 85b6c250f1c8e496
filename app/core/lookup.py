"""What the caller may see, in one place: every scoped lookup and list goes through here.

An organisation's API key sees its organisation's rows. A person's token (a `Principal`
with `candidate_ids`) sees, within its organisation, only rows about those candidates:

- the `candidates` table: rows whose id is one of them;
- a table with a `candidate_id` column: rows about one of them;
- a table with a `session_id` column: rows of a session of one of them;
- an organisation-wide table: only rows its feature shares read-only with people
  (`share_with_people`), else none.

A new table is scoped by these rules without any service doing anything about it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, Table, bindparam, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.database import Base
from app.core.driver_connection import DriverConnection
from app.core.driver_reads import driver_rows
from app.core.driver_statements import driver_statement
from app.core.errors import NotFound
from app.core.ids import IdKind, shown_id
from app.core.security import Principal

ModelT = TypeVar("ModelT", bound=Base)
SharedRows = Callable[[Table, str], ColumnElement[bool]]

_shared_with_people: dict[str, SharedRows] = {}


def share_with_people(model: type[Base], rows: SharedRows) -> None:
    """Let people's tokens read these rows of an organisation-wide table (given the table
    and the organisation). Writing them stays the organisation's, behind its API key."""
    _shared_with_people[_table(model).name] = rows


def _table(model: type[Base]) -> Table:
    table: Any = model.__table__
    return table  # type: ignore[no-any-return]


def _one_of(column: Any, values: frozenset[str]) -> ColumnElement[bool]:
    if len(values) == 1:
        return column == next(iter(values))  # type: ignore[no-any-return]
    return column.in_(sorted(values))  # type: ignore[no-any-return]


def _about_candidates(
    table: Table, organization_id: str, ids: frozenset[str]
) -> ColumnElement[bool]:
    columns = table.c
    if table.name == "candidates":
        return _one_of(columns.id, ids)
    if "candidate_id" in columns:
        return _one_of(columns.candidate_id, ids)
    if "session_id" in columns:
        sessions = table.metadata.tables["sessions"]
        of_theirs = select(sessions.c.id).where(
            sessions.c.organization_id == organization_id, _one_of(sessions.c.candidate_id, ids)
        )
        return columns.session_id.in_(of_theirs)
    shared = _shared_with_people.get(table.name)
    return shared(table, organization_id) if shared is not None else false()


def visible(model: type[Base], caller: Principal) -> list[ColumnElement[bool]]:
    """The WHERE conditions that leave only the rows of ``model`` the caller may see."""
    table = _table(model)
    conditions: list[ColumnElement[bool]] = [table.c.organization_id == caller.organization_id]
    if caller.candidate_ids is not None:
        conditions.append(_about_candidates(table, caller.organization_id, caller.candidate_ids))
    return conditions


async def find_owned(
    session: AsyncSession,
    model: type[ModelT],
    kind: IdKind,
    identifier: str,
    caller: Principal,
    *also: ColumnElement[bool],
) -> ModelT | None:
    """The row with this id that the caller may see, or None. A malformed id never reaches
    the database; a row the caller may not see is indistinguishable from no row."""
    if not kind.is_valid(identifier):
        return None
    if caller.candidate_ids is None and not also:
        # The organisation's own lookup, the hot path: one statement per table, built
        # once, so SQLAlchemy neither rebuilds it nor computes its cache key again.
        parameters = {"id": identifier, "organization_id": caller.organization_id}
        found: ModelT | None = await session.scalar(_by_id_in_organization(model), parameters)
        return found
    columns: Any = _table(model).c
    return await session.scalar(
        select(model).where(columns.id == identifier, *visible(model, caller), *also)
    )


_BY_ID_IN_ORGANIZATION: dict[type[Base], Select[Any]] = {}


def _by_id_in_organization(model: type[Base]) -> Select[Any]:
    statement = _BY_ID_IN_ORGANIZATION.get(model)
    if statement is None:
        columns: Any = _table(model).c
        statement = select(model).where(
            columns.id == bindparam("id"),
            columns.organization_id == bindparam("organization_id"),
        )
        _BY_ID_IN_ORGANIZATION[model] = statement
    return statement


_ROW_BY_ID: dict[tuple[str, bool], Select[Any]] = {}
_COLUMN_NAMES: dict[str, tuple[str, ...]] = {}


def _column_names(table: Table) -> tuple[str, ...]:
    """The keys `Row._asdict` gives a row of `select(*table.c)`: its columns' names."""
    names = _COLUMN_NAMES.get(table.name)
    if names is None:
        names = _COLUMN_NAMES[table.name] = tuple(column.name for column in table.c)
    return names


def _row_by_id(table: Table, one_candidate: bool) -> Select[Any]:
    """The row's columns by id within the organisation (and, for a person who sees one
    candidate, about that candidate), built once per table with bound parameters."""
    key = (table.name, one_candidate)
    statement = _ROW_BY_ID.get(key)
    if statement is None:
        columns: Any = table.c
        conditions = [
            columns.id == bindparam("id"),
            columns.organization_id == bindparam("organization_id"),
        ]
        if one_candidate:
            conditions.append(columns.candidate_id == bindparam("candidate_id"))
        statement = select(*columns).where(*conditions)
        _ROW_BY_ID[key] = statement
    return statement


_VISIBLE_ROWS: dict[tuple[str, bool], Select[Any]] = {}


def visible_rows(model: type[Base], caller: Principal) -> tuple[Select[Any], dict[str, Any]]:
    """`select(*columns).where(*visible(model, caller))` and the parameters to bind: built
    once per table for an organisation's key and for a person who sees one candidate
    (the lists' hot paths), built afresh otherwise (with no parameters to bind)."""
    table = _table(model)
    ids = caller.candidate_ids
    parameters: dict[str, Any] = {"organization_id": caller.organization_id}
    one_candidate = ids is not None and len(ids) == 1
    if ids is not None and not (one_candidate and "candidate_id" in table.c):
        return select(*table.c).where(*visible(model, caller)), {}
    if ids is not None:
        parameters["candidate_id"] = next(iter(ids))
    key = (table.name, one_candidate)
    statement = _VISIBLE_ROWS.get(key)
    if statement is None:
        columns: Any = table.c
        conditions = [columns.organization_id == bindparam("organization_id")]
        if one_candidate:
            conditions.append(columns.candidate_id == bindparam("candidate_id"))
        statement = select(*columns).where(*conditions)
        _VISIBLE_ROWS[key] = statement
    return statement, parameters


def _row_lookup(
    model: type[Base], identifier: str, caller: Principal
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement that reads the caller's row by id, and its parameters: none when it
    was built afresh for this caller (values inlined), so it cannot be compiled once."""
    table = _table(model)
    parameters = {"id": identifier, "organization_id": caller.organization_id}
    ids = caller.candidate_ids
    if ids is None:
        return _row_by_id(table, one_candidate=False), parameters
    if len(ids) == 1 and "candidate_id" in table.c and table.name != "candidates":
        parameters["candidate_id"] = next(iter(ids))
        return _row_by_id(table, one_candidate=True), parameters
    columns: Any = table.c
    return select(*columns).where(columns.id == identifier, *visible(model, caller)), {}


def row_lookup_is_prebuilt(model: type[Base], caller: Principal) -> bool:
    """Whether the caller's row by id is read by a statement built once (an organisation's
    key, a person who sees one candidate): one a driver connection can send."""
    return caller.candidate_ids is None or bool(_row_lookup(model, "", caller)[1])


async def find_owned_row(
    session: AsyncSession, model: type[Base], kind: IdKind, identifier: str, caller: Principal
) -> dict[str, Any] | None:
    """`find_owned` for a read that needs the columns only: one dict, through the
    connection (no ORM instance, identity map or unit of work on the hot path)."""
    if not kind.is_valid(identifier):
        return None
    statement, parameters = _row_lookup(model, identifier, caller)
    if parameters:  # built once: on PostgreSQL, maybe straight through the driver
        rows = await driver_rows(session, statement, parameters)
        if rows is not None:
            return dict(zip(_column_names(_table(model)), rows[0], strict=True)) if rows else None
    connection = await session.connection()
    row = (await connection.execute(statement, parameters)).first()
    return None if row is None else row._asdict()


async def find_owned_row_on(
    connection: DriverConnection,
    model: type[Base],
    kind: IdKind,
    identifier: str,
    caller: Principal,
) -> dict[str, Any] | None:
    """`find_owned_row` through a connection checked out for the driver, for a caller whose
    lookup is built once (`row_lookup_is_prebuilt`)."""
    if not kind.is_valid(identifier):
        return None
    statement, parameters = _row_lookup(model, identifier, caller)
    if not parameters:
        raise ValueError("this caller's lookup is not built once; read through the session")
    sent = driver_statement(statement, connection.dialect)
    records = await connection.fetch(sent, sent.positional(parameters))
    if not records:
        return None
    return dict(zip(_column_names(_table(model)), sent.row(records[0]), strict=True))


async def get_owned_row(
    session: AsyncSession,
    model: type[Base],
    kind: IdKind,
    identifier: str,
    caller: Principal,
    noun: str,
) -> dict[str, Any]:
    """`find_owned_row`, or the same 404 problem as `get_owned`."""
    row = await find_owned_row(session, model, kind, identifier, caller)
    if row is None:
        raise NotFound(f"No {noun} with id {shown_id(identifier)}.")
    return row


async def get_owned(
    session: AsyncSession,
    model: type[ModelT],
    kind: IdKind,
    identifier: str,
    caller: Principal,
    noun: str,
) -> ModelT:
    """`find_owned`, or a 404 problem: "No {noun} with id …"."""
    row = await find_owned(session, model, kind, identifier, caller)
    if row is None:
        raise NotFound(f"No {noun} with id {shown_id(identifier)}.")
    return row
