from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select, text

from app.core.database import Database
from app.core.models import metadata
from app.organizations.models import ApiKey
from tests.tenants import Tenant

pytestmark = pytest.mark.anyio


async def test_key_is_shown_once_and_stored_only_as_a_hash(
    api: httpx.AsyncClient, database: Database
) -> None:
    response = await api.post(
        "/v1/api-keys", json={"name": "platform", "scopes": ["read", "write"]}
    )
    assert response.status_code == 201
    created = response.json()
    secret = created["api_key"]
    assert secret.startswith("dbr_")
    assert created["scopes"] == ["read", "write"]
    assert response.headers["location"] == f"/v1/api-keys/{created['id']}"

    fetched = (await api.get(f"/v1/api-keys/{created['id']}")).json()
    assert "api_key" not in fetched
    listing = (await api.get("/v1/api-keys")).text
    assert secret not in listing

    async with database.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in (await connection.execute(select(table))).all():
                assert all(secret not in str(value) for value in row), table.name
        stored = (
            await connection.execute(select(ApiKey.secret_hash).where(ApiKey.id == created["id"]))
        ).scalar_one()
    assert len(stored) == 64


async def test_replayed_key_creation_never_shows_the_secret_again(api: httpx.AsyncClient) -> None:
    body = {"name": "retry", "scopes": ["read"]}
    headers = {"Idempotency-Key": "key-create-1"}
    first = await api.post("/v1/api-keys", json=body, headers=headers)
    again = await api.post("/v1/api-keys", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["api_key"].startswith("dbr_")
    assert again.json()["api_key"] is None
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    listing = (await api.get("/v1/api-keys")).json()["items"]
    assert len([k for k in listing if k["name"] == "retry"]) == 1


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"name": "", "scopes": ["read"]}, "/body/name"),
        ({"name": "k", "scopes": []}, "/body/scopes"),
        ({"name": "k", "scopes": ["root"]}, "/body/scopes/0"),
        (
            {"name": "k", "scopes": ["read"], "expires_at": "2001-01-01T00:00:00Z"},
            "/body/expires_at",
        ),
        (
            {"name": "k", "scopes": ["read"], "expires_at": "2999-01-01T00:00:00"},
            "/body/expires_at",
        ),
        ({"name": "k", "scopes": ["read"], "owner": "me"}, "/body/owner"),
    ],
)
async def test_bad_key_requests_point_at_the_field(
    api: httpx.AsyncClient, body: dict[str, object], pointer: str
) -> None:
    response = await api.post("/v1/api-keys", json=body)
    assert response.status_code == 422
    assert pointer in [e["pointer"] for e in response.json()["errors"]]


async def test_revoking_twice_and_unknown_ids(api: httpx.AsyncClient, tenant: Tenant) -> None:
    me = (await api.get("/v1/me")).json()
    other = (await api.post("/v1/api-keys", json={"name": "x", "scopes": ["read"]})).json()
    assert (await api.delete(f"/v1/api-keys/{other['id']}")).status_code == 204
    assert (await api.delete(f"/v1/api-keys/{other['id']}")).status_code == 204
    revoked = (await api.get(f"/v1/api-keys/{other['id']}")).json()
    assert revoked["revoked_at"] is not None
    for bad in ("key_00000000000000000000000000", "nope", "cand_" + me["api_key"]["id"][4:]):
        response = await api.delete(f"/v1/api-keys/{bad}")
        assert response.status_code == 404
        assert response.json()["type"] == "/problems/not-found"


async def test_a_key_cannot_revoke_itself(api: httpx.AsyncClient) -> None:
    me = (await api.get("/v1/me")).json()
    response = await api.delete(f"/v1/api-keys/{me['api_key']['id']}")
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/conflict"
    assert (await api.get("/v1/me")).status_code == 200


async def test_keys_list_paginates(api: httpx.AsyncClient) -> None:
    for n in range(4):
        await api.post("/v1/api-keys", json={"name": f"k{n}", "scopes": ["read"]})
    first = await api.get("/v1/api-keys", params={"limit": 3})
    page = first.json()
    assert len(page["items"]) == 3
    assert page["next_cursor"]
    assert 'rel="next"' in first.headers["link"]
    rest = (
        await api.get("/v1/api-keys", params={"limit": 3, "cursor": page["next_cursor"]})
    ).json()
    assert len(rest["items"]) == 2  # 4 made here + the admin key
    assert rest["next_cursor"] is None


async def test_no_key_hash_is_ever_serialised(api: httpx.AsyncClient, database: Database) -> None:
    async with database.engine.connect() as connection:
        hashes = (await connection.execute(text("SELECT secret_hash FROM api_keys"))).scalars()
        stored = list(hashes)
    listing = (await api.get("/v1/api-keys")).text + (await api.get("/v1/me")).text
    assert all(h not in listing for h in stored)


async def test_a_key_revoked_here_stops_working_at_once(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    other = (await api.post("/v1/api-keys", json={"name": "x", "scopes": ["read"]})).json()
    headers = {"Authorization": f"Bearer {other['api_key']}"}
    assert (await client.get("/v1/me", headers=headers)).status_code == 200  # now trusted
    assert (await api.delete(f"/v1/api-keys/{other['id']}")).status_code == 204
    assert (await client.get("/v1/me", headers=headers)).status_code == 401
