"""Coaches: the organisation's people whom candidates may let read their data."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.coach_schemas import CoachCreate, CoachRead, CoachUpdate
from app.access.grant_cache import GrantCache
from app.access.grant_service import revoke_all_of_coach
from app.access.models import Coach
from app.core import ids
from app.core.concurrency import flush_changes
from app.core.errors import Conflict, FieldProblem
from app.core.etags import check_if_match, etag_for
from app.core.ids import utc_now
from app.core.lookup import get_owned, visible
from app.core.pagination import Page, PageRequest, paginate
from app.core.security import Principal


def etag(coach: Coach) -> str:
    return etag_for(coach.version)


def _duplicate(external_ref: str) -> Conflict:
    return Conflict(
        f"A coach with the external reference {external_ref!r} already exists "
        "in your organisation.",
        errors=[FieldProblem(pointer="/body/external_ref", detail="already used", code="unique")],
    )


async def _ensure_ref_free(session: AsyncSession, caller: Principal, external_ref: str) -> None:
    taken = await session.scalar(
        select(Coach.id).where(*visible(Coach, caller), Coach.external_ref == external_ref)
    )
    if taken is not None:
        raise _duplicate(external_ref)


async def create_coach(session: AsyncSession, caller: Principal, data: CoachCreate) -> Coach:
    await _ensure_ref_free(session, caller, data.external_ref)
    now = utc_now()
    coach = Coach(
        id=ids.COACH.new(now),
        organization_id=caller.organization_id,
        external_ref=data.external_ref,
        name=data.name,
        email=data.email,
        created_at=now,
        updated_at=now,
    )
    session.add(coach)
    await flush_changes(session, "coach", None, on_duplicate=lambda: _duplicate(data.external_ref))
    return coach


async def get_coach(session: AsyncSession, caller: Principal, coach_id: str) -> Coach:
    return await get_owned(session, Coach, ids.COACH, coach_id, caller, "coach")


async def list_coaches(
    session: AsyncSession, caller: Principal, page: PageRequest, external_ref: str | None
) -> Page[CoachRead]:
    statement = select(Coach).where(*visible(Coach, caller))
    if external_ref is not None:
        statement = statement.where(Coach.external_ref == external_ref)
    return await paginate(session, statement, Coach.id, page, "coaches", CoachRead.of)


async def update_coach(
    session: AsyncSession,
    caller: Principal,
    coach_id: str,
    patch: CoachUpdate,
    if_match: str | None,
) -> Coach:
    coach = await get_coach(session, caller, coach_id)
    check_if_match(if_match, etag(coach))
    changes = patch.model_dump(exclude_unset=True)
    if "external_ref" in changes and changes["external_ref"] != coach.external_ref:
        await _ensure_ref_free(session, caller, changes["external_ref"])
    changed = [name for name, value in changes.items() if getattr(coach, name) != value]
    for name in changed:
        setattr(coach, name, changes[name])
    if changed:
        coach.updated_at = utc_now()
        await flush_changes(
            session, "coach", if_match, on_duplicate=lambda: _duplicate(coach.external_ref)
        )
    return coach


async def delete_coach(
    session: AsyncSession,
    caller: Principal,
    cache: GrantCache,
    coach_id: str,
    if_match: str | None,
) -> None:
    """Remove the coach and its grants (a cascade); the access log keeps its entries."""
    coach = await get_coach(session, caller, coach_id)
    check_if_match(if_match, etag(coach))
    await revoke_all_of_coach(session, caller, cache, coach.id)
    await session.delete(coach)
    await flush_changes(session, "coach", if_match)
