"""Grants: a candidate's consent that a coach may read (and perhaps comment on) their data,
and the log of what coaches read. Managed by the candidate's own token or the organisation;
never by a coach."""

from __future__ import annotations

from sqlalchemy import event, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.grant_cache import GrantCache
from app.access.grant_schemas import AccessLogEntryRead, GrantCreate, GrantRead, Permission
from app.access.models import AccessLogEntry, Coach, Grant
from app.candidates.models import Candidate
from app.core import ids
from app.core.errors import Conflict, FieldProblem, Forbidden, NotFound, ValidationFailed
from app.core.event_types import EventType
from app.core.ids import shown_id, utc_now
from app.core.lookup import find_owned, get_owned, visible
from app.core.outbox import emit
from app.core.pagination import Page, PageRequest, paginate
from app.core.security import Principal, Role


async def consenting_candidate(
    session: AsyncSession, caller: Principal, candidate_id: str
) -> Candidate:
    """The candidate whose consent this is: 404 if the caller cannot see them, 403 for a
    coach who can (a coach never sees nor changes who else may)."""
    candidate = await get_owned(
        session, Candidate, ids.CANDIDATE, candidate_id, caller, "candidate"
    )
    if caller.role is Role.COACH:
        raise Forbidden("Only the candidate or their organisation manages who may see their data.")
    return candidate


def _organisation(caller: Principal) -> Principal:
    """The caller's organisation, to find a coach a candidate names (coaches are the
    organisation's; a candidate's token may name one, never list them)."""
    return Principal(organization_id=caller.organization_id, api_key_id=None, scopes=caller.scopes)


def _on_commit(session: AsyncSession, cache: GrantCache, caller: Principal, coach_id: str) -> None:
    """Drop the coach's cached reach now and once more when the change has committed, so
    that no read racing the commit keeps the old reach."""
    cache.changed(caller.organization_id, coach_id)
    event.listen(
        session.sync_session,
        "after_commit",
        lambda _session: cache.changed(caller.organization_id, coach_id),
        once=True,
    )


async def create_grant(
    session: AsyncSession,
    caller: Principal,
    cache: GrantCache,
    candidate_id: str,
    data: GrantCreate,
) -> Grant:
    candidate = await consenting_candidate(session, caller, candidate_id)
    now = utc_now()
    coach = await find_owned(session, Coach, ids.COACH, data.coach_id, _organisation(caller))
    if coach is None:
        raise ValidationFailed(
            "There is no such coach in your organisation.",
            errors=[FieldProblem(pointer="/body/coach_id", detail="no such coach", code="unknown")],
        )
    if data.expires_at is not None and data.expires_at <= now:
        raise ValidationFailed(
            "The access would end before it begins: choose a time in the future.",
            errors=[FieldProblem(pointer="/body/expires_at", detail="in the past", code="past")],
        )
    in_force = await session.scalar(
        select(Grant.id).where(
            *visible(Grant, caller),
            Grant.candidate_id == candidate.id,
            Grant.coach_id == coach.id,
            Grant.revoked_at.is_(None),
            or_(Grant.expires_at.is_(None), Grant.expires_at > now),
        )
    )
    if in_force is not None:
        raise Conflict(
            f"This coach already has access to this candidate ({in_force}): revoke it first "
            "to grant other permissions."
        )
    grant = Grant(
        id=ids.GRANT.new(now),
        organization_id=caller.organization_id,
        candidate_id=candidate.id,
        coach_id=coach.id,
        may_comment=Permission.COMMENT in data.permissions,
        granted_by="organization" if caller.is_organization else "candidate",
        expires_at=data.expires_at,
        revoked_at=None,
        created_at=now,
    )
    session.add(grant)
    await session.flush()
    emit(
        session,
        caller.organization_id,
        EventType.GRANT_CREATED,
        {
            "grant_id": grant.id,
            "candidate_id": candidate.id,
            "coach_id": coach.id,
            "permissions": [permission.value for permission in data.permissions],
            "expires_at": grant.expires_at.isoformat() if grant.expires_at else None,
            "granted_by": grant.granted_by,
        },
        candidate_id=candidate.id,
        at=now,
    )
    _on_commit(session, cache, caller, coach.id)
    return grant


async def get_grant(
    session: AsyncSession, caller: Principal, candidate_id: str, grant_id: str
) -> Grant:
    candidate = await consenting_candidate(session, caller, candidate_id)
    grant = await find_owned(
        session, Grant, ids.GRANT, grant_id, caller, Grant.candidate_id == candidate.id
    )
    if grant is None:
        raise NotFound(f"No grant with id {shown_id(grant_id)}.")
    return grant


async def list_grants(
    session: AsyncSession, caller: Principal, candidate_id: str, page: PageRequest
) -> Page[GrantRead]:
    candidate = await consenting_candidate(session, caller, candidate_id)
    now = utc_now()
    statement = select(Grant).where(*visible(Grant, caller), Grant.candidate_id == candidate.id)
    return await paginate(
        session, statement, Grant.id, page, "grants", lambda grant: GrantRead.of(grant, now)
    )


async def revoke_grant(
    session: AsyncSession, caller: Principal, cache: GrantCache, candidate_id: str, grant_id: str
) -> Grant:
    """Revoking twice is harmless: the first revocation stands, with its one event."""
    grant = await get_grant(session, caller, candidate_id, grant_id)
    if grant.revoked_at is not None:
        return grant
    grant.revoked_at = utc_now()
    emit(
        session,
        caller.organization_id,
        EventType.GRANT_REVOKED,
        {
            "grant_id": grant.id,
            "candidate_id": grant.candidate_id,
            "coach_id": grant.coach_id,
            "revoked_by": "organization" if caller.is_organization else "candidate",
        },
        candidate_id=grant.candidate_id,
        at=grant.revoked_at,
    )
    await session.flush()
    _on_commit(session, cache, caller, grant.coach_id)
    return grant


async def revoke_all_of_coach(
    session: AsyncSession, caller: Principal, cache: GrantCache, coach_id: str
) -> None:
    """A coach removed: each grant still in force ends with its event on the candidate's
    stream (the rows then go with the coach)."""
    now = utc_now()
    grants = (
        await session.scalars(
            select(Grant).where(
                *visible(Grant, caller),
                Grant.coach_id == coach_id,
                Grant.revoked_at.is_(None),
                or_(Grant.expires_at.is_(None), Grant.expires_at > now),
            )
        )
    ).all()
    for grant in grants:
        emit(
            session,
            caller.organization_id,
            EventType.GRANT_REVOKED,
            {
                "grant_id": grant.id,
                "candidate_id": grant.candidate_id,
                "coach_id": coach_id,
                "revoked_by": "coach_removed",
            },
            candidate_id=grant.candidate_id,
            at=now,
        )
    _on_commit(session, cache, caller, coach_id)


async def list_access_log(
    session: AsyncSession, caller: Principal, candidate_id: str, page: PageRequest
) -> Page[AccessLogEntryRead]:
    candidate = await consenting_candidate(session, caller, candidate_id)
    statement = select(AccessLogEntry).where(
        *visible(AccessLogEntry, caller), AccessLogEntry.candidate_id == candidate.id
    )
    return await paginate(
        session, statement, AccessLogEntry.id, page, "access-log", AccessLogEntryRead.of
    )
