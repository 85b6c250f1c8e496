"""What the CLI does with organisations and keys, each in one transaction of its own."""

from __future__ import annotations

from datetime import datetime

from app.core.database import standalone_transaction
from app.core.idempotency import purge_expired
from app.core.security import Scope
from app.organizations import service

LOCAL_ORGANIZATION_NAME = "Local development"


async def create_organization(database_url: str, name: str) -> tuple[str, str]:
    """Returns the organisation id and its admin key."""
    async with standalone_transaction(database_url) as session:
        organization, issued = await service.create_organization(session, name)
        return organization.id, issued.secret


async def create_key(
    database_url: str,
    organization_id: str,
    name: str,
    scopes: list[Scope],
    expires_at: datetime | None,
) -> tuple[str, str]:
    """Returns the key id and the key."""
    async with standalone_transaction(database_url) as session:
        await service.get_organization(session, organization_id)
        issued = await service.create_api_key(session, organization_id, name, scopes, expires_at)
        return issued.api_key.id, issued.secret


async def bootstrap_local_organization(database_url: str) -> tuple[str, str] | None:
    """On a database with no organisation, create one; return its id and admin key."""
    async with standalone_transaction(database_url) as session:
        if await service.any_organization_exists(session):
            return None
        organization, issued = await service.create_organization(session, LOCAL_ORGANIZATION_NAME)
        return organization.id, issued.secret


async def purge_idempotency_records(database_url: str) -> int:
    async with standalone_transaction(database_url) as session:
        return await purge_expired(session)
