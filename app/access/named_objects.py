"""Which candidate the object an address names is about, read through the caller's scope.

A route's path parameters name its objects; those about a candidate are in the tables
below. The candidate is read with the same scoping as every lookup (app/core/lookup.py),
so an object the caller may not see has no candidate here either.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, literal, select

from app.core.database import Base
from app.core.lookup import visible
from app.core.security import Principal

# The path parameter → the table of the object it names.
CANDIDATE_DATA_PARAMETERS = {
    "candidate_id": "candidates",
    "session_id": "sessions",
    "item_id": "action_items",
    "diagnosis_id": "diagnoses",
    "message_id": "messages",
    "event_id": "events",
    "follow_up_id": "follow_ups",
}


@cache
def _models() -> dict[str, type[Base]]:
    models: dict[str, type[Base]] = {}
    for mapper in Base.registry.mappers:
        table: Any = mapper.local_table
        models[table.name] = mapper.class_
    return models


def named_object(path_params: dict[str, Any]) -> tuple[str, str] | None:
    """The first path parameter naming an object about a candidate: (table, id)."""
    for name, value in path_params.items():
        table = CANDIDATE_DATA_PARAMETERS.get(name)
        if table is not None and isinstance(value, str):
            return table, value
    return None


def _candidate_column(table: Table) -> ColumnElement[Any]:
    columns = table.c
    if table.name == "candidates":
        return columns.id
    if "candidate_id" in columns:
        return columns.candidate_id
    sessions = table.metadata.tables["sessions"]
    return (
        select(sessions.c.candidate_id).where(sessions.c.id == columns.session_id).scalar_subquery()
    )


def candidate_of(
    table_name: str, identifier: str, caller: Principal, *also: ColumnElement[Any]
) -> Select[Any]:
    """SELECT the candidate id of that object, if the caller may see it (plus ``also``)."""
    model = _models()[table_name]
    table: Any = model.__table__
    return select(_candidate_column(table), *also).where(
        table.c.id == literal(identifier), *visible(model, caller)
    )
