"""A coach's token sees the candidates whose grants to it are in force: not revoked, not
expired. Read from the grants at most once per cache bound (app/access/grant_cache.py)."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.grant_cache import CoachReach, GrantCache
from app.access.models import Grant
from app.core.database import request_session
from app.core.ids import utc_now


async def read_reach(session: AsyncSession, organization_id: str, coach_id: str) -> CoachReach:
    now = utc_now()
    rows = (
        await session.execute(
            select(Grant.candidate_id, Grant.may_comment, Grant.expires_at).where(
                Grant.organization_id == organization_id,
                Grant.coach_id == coach_id,
                Grant.revoked_at.is_(None),
                or_(Grant.expires_at.is_(None), Grant.expires_at > now),
            )
        )
    ).all()
    expiries = [row.expires_at for row in rows if row.expires_at is not None]
    return CoachReach(
        candidate_ids=frozenset(row.candidate_id for row in rows),
        commentable_ids=frozenset(row.candidate_id for row in rows if row.may_comment),
        expires_at=min(expiries, default=None),
    )


async def coach_reach(request: Request, organization_id: str, coach_id: str) -> CoachReach:
    cache: GrantCache = request.app.state.grant_cache
    reach = cache.get(organization_id, coach_id)
    if reach is None:
        generation = cache.generation()
        reach = await read_reach(await request_session(request), organization_id, coach_id)
        cache.put(organization_id, coach_id, reach, generation)
    return reach
