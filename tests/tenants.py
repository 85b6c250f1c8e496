"""Organisations and keys made straight in the database, and clients that use them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import httpx

from app.core.database import Database
from app.core.security import Scope
from app.organizations import service


@dataclass
class Tenant:
    organization_id: str
    admin_key: str

    def headers(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.admin_key}"}


async def make_tenant(database: Database, name: str = "Acme Coaching") -> Tenant:
    async with database.sessionmaker() as session, session.begin():
        organization, issued = await service.create_organization(session, name)
        return Tenant(organization.id, issued.secret)


async def make_key(
    database: Database,
    tenant: Tenant,
    *scopes: Scope,
    expires_at: datetime | None = None,
) -> str:
    async with database.sessionmaker() as session, session.begin():
        issued = await service.create_api_key(
            session, tenant.organization_id, "test", list(scopes), expires_at
        )
        return issued.secret


def authed(client: httpx.AsyncClient, tenant: Tenant, key: str | None = None) -> httpx.AsyncClient:
    """A client sharing ``client``'s transport, with the tenant's key on every request."""
    return httpx.AsyncClient(
        transport=client._transport,
        base_url=client.base_url,
        headers=tenant.headers(key),
    )


async def mint_token(
    api: httpx.AsyncClient, subject: str, scopes: tuple[str, ...] = ("read", "write")
) -> str:
    """A person's token, minted through the API as a platform's backend would."""
    response = await api.post("/v1/tokens", json={"subject": subject, "scopes": list(scopes)})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def as_person(client: httpx.AsyncClient, token: str) -> httpx.AsyncClient:
    """A client sharing ``client``'s transport, with a person's token on every request."""
    return httpx.AsyncClient(
        transport=client._transport,
        base_url=client.base_url,
        headers={"Authorization": f"Bearer {token}"},
    )
