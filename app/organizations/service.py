"""Organisations and their API keys. Services flush; the request owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import ids
from app.core.errors import Conflict, NotFound, Unauthorized
from app.core.ids import utc_now
from app.core.lookup import get_owned, visible
from app.core.pagination import Page, PageRequest, paginate
from app.core.security import (
    Principal,
    Scope,
    effective_scopes,
    generate_key,
    key_matches,
    lookup_prefix_of,
)
from app.organizations.models import ApiKey, Organization
from app.organizations.schemas import ApiKeyCreate, ApiKeyRead

LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    """A new key: the row, and its secret, which exists only in this object."""

    api_key: ApiKey
    secret: str


async def create_api_key(
    session: AsyncSession,
    organization_id: str,
    name: str,
    scopes: list[Scope],
    expires_at: datetime | None = None,
) -> IssuedKey:
    now = utc_now()
    generated = generate_key()
    api_key = ApiKey(
        id=ids.API_KEY.new(now),
        organization_id=organization_id,
        name=name,
        lookup_prefix=generated.lookup_prefix,
        secret_hash=generated.secret_hash,
        scopes=sorted({s.value for s in scopes}),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(api_key)
    await session.flush()
    return IssuedKey(api_key, generated.secret)


async def create_organization(session: AsyncSession, name: str) -> tuple[Organization, IssuedKey]:
    """A new tenant and its first key, with the admin scope."""
    now = utc_now()
    organization = Organization(id=ids.ORGANIZATION.new(now), name=name, created_at=now)
    session.add(organization)
    await session.flush()
    issued = await create_api_key(session, organization.id, "admin", [Scope.ADMIN])
    return organization, issued


async def any_organization_exists(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(exists().select_from(Organization))))


async def get_organization(session: AsyncSession, organization_id: str) -> Organization:
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"No organisation with id {organization_id}.")
    return organization


def invalid_key() -> Unauthorized:
    return Unauthorized(
        "The API key is not valid: it is unknown, revoked or expired.",
        headers={"WWW-Authenticate": 'Bearer realm="debrief", error="invalid_token"'},
    )


async def authenticate_key(session: AsyncSession, presented: str) -> tuple[Principal, ApiKey]:
    prefix = lookup_prefix_of(presented)
    api_key = None
    if prefix is not None:
        api_key = await session.scalar(select(ApiKey).where(ApiKey.lookup_prefix == prefix))
    if not key_matches(presented, api_key.secret_hash if api_key else None):
        raise invalid_key()
    assert api_key is not None
    now = utc_now()
    if api_key.revoked_at is not None or (
        api_key.expires_at is not None and api_key.expires_at <= now
    ):
        raise invalid_key()
    principal = Principal(api_key.organization_id, api_key.id, effective_scopes(api_key.scopes))
    return principal, api_key


def needs_last_used_update(last: datetime | None) -> bool:
    return last is None or last < utc_now() - LAST_USED_RESOLUTION


async def record_key_use(session: AsyncSession, api_key_id: str) -> None:
    await session.execute(
        update(ApiKey).where(ApiKey.id == api_key_id).values(last_used_at=utc_now())
    )


async def issue_api_key(
    session: AsyncSession, organization_id: str, data: ApiKeyCreate
) -> IssuedKey:
    return await create_api_key(session, organization_id, data.name, data.scopes, data.expires_at)


async def list_api_keys(
    session: AsyncSession, caller: Principal, page: PageRequest
) -> Page[ApiKeyRead]:
    statement = select(ApiKey).where(*visible(ApiKey, caller))
    return await paginate(session, statement, ApiKey.id, page, "api-keys", ApiKeyRead.of)


async def get_api_key(session: AsyncSession, caller: Principal, api_key_id: str) -> ApiKey:
    return await get_owned(session, ApiKey, ids.API_KEY, api_key_id, caller, "API key")


async def revoke_api_key(session: AsyncSession, principal: Principal, api_key_id: str) -> None:
    api_key = await get_api_key(session, principal, api_key_id)
    if api_key.id == principal.api_key_id:
        raise Conflict(
            "A key cannot revoke itself: create its replacement, then revoke it with that."
        )
    if api_key.revoked_at is None:
        api_key.revoked_at = utc_now()
        await session.flush()
