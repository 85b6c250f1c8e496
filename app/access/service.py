"""Minting a person's token: only for someone the minting key's organisation serves."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.access.models import Coach
from app.access.schemas import TokenCreate, TokenIssued, TokenScope
from app.access.tokens import TokenKeys
from app.candidates.models import Candidate
from app.core import ids
from app.core.errors import Forbidden
from app.core.lookup import get_owned
from app.core.security import Principal, Role, Scope


async def mint_token(
    session: AsyncSession, caller: Principal, keys: TokenKeys, data: TokenCreate
) -> TokenIssued:
    lacking = sorted(scope.value for scope in data.scopes if Scope(scope) not in caller.scopes)
    if lacking:
        raise Forbidden(
            "A token cannot have more than the API key that mints it: "
            f"this key lacks `{', '.join(lacking)}`."
        )
    person: Candidate | Coach
    if data.subject.startswith(f"{ids.COACH.prefix}_"):
        role = Role.COACH
        person = await get_owned(session, Coach, ids.COACH, data.subject, caller, "coach")
    else:
        role = Role.CANDIDATE
        person = await get_owned(
            session, Candidate, ids.CANDIDATE, data.subject, caller, "candidate"
        )
    scopes = sorted(set(data.scopes))
    minted = keys.mint(
        caller.organization_id,
        person.id,
        role,
        [Scope(scope) for scope in scopes],
        data.expires_in,
    )
    return TokenIssued(
        token=minted.token,
        subject=person.id,
        role=role,
        scopes=[TokenScope(scope) for scope in scopes],
        expires_at=minted.expires_at,
        key_id=minted.kid,
    )
