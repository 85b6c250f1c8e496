"""Finding one of the caller's rows by its public id: tenancy in one place."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.database import Base
from app.core.errors import NotFound
from app.core.ids import IdKind, shown_id

ModelT = TypeVar("ModelT", bound=Base)


async def find_owned(
    session: AsyncSession,
    model: type[ModelT],
    kind: IdKind,
    identifier: str,
    organization_id: str,
    *also: ColumnElement[bool],
) -> ModelT | None:
    """The row with this id in this organisation, or None. A malformed id never reaches
    the database; another organisation's row is indistinguishable from no row."""
    if not kind.is_valid(identifier):
        return None
    columns: Any = model.__table__.c
    return await session.scalar(
        select(model).where(
            columns.id == identifier, columns.organization_id == organization_id, *also
        )
    )


async def get_owned(
    session: AsyncSession,
    model: type[ModelT],
    kind: IdKind,
    identifier: str,
    organization_id: str,
    noun: str,
) -> ModelT:
    """`find_owned`, or a 404 problem: "No {noun} with id …"."""
    row = await find_owned(session, model, kind, identifier, organization_id)
    if row is None:
        raise NotFound(f"No {noun} with id {shown_id(identifier)}.")
    return row
