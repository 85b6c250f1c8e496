from __future__ import annotations

import hmac
import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from app.access import auth
from app.core.database import Database
from app.core.ids import utc_now
from app.core.security import Scope, generate_key, lookup_prefix_of
from app.organizations import key_cache, service
from app.organizations.models import ApiKey
from tests.tenants import Tenant, make_key

pytestmark = pytest.mark.anyio


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith('Bearer realm="debrief"')
    assert response.json()["type"] == "/problems/unauthorized"


async def test_no_key_is_401(client: httpx.AsyncClient) -> None:
    assert_unauthorized(await client.get("/v1/me"))


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer nonsense",
        "Basic dXNlcjpwYXNz",
        "Bearer dbr_" + "A" * 40,
        ("Bearer dbr_" + "é" * 40).encode("latin-1"),
    ],
)
async def test_malformed_or_unknown_key_is_401(
    client: httpx.AsyncClient, tenant: Tenant, authorization: str | bytes
) -> None:
    response = await client.get("/v1/me", headers={"Authorization": authorization})
    assert_unauthorized(response)


async def test_right_prefix_wrong_secret_is_401(client: httpx.AsyncClient, tenant: Tenant) -> None:
    forged = tenant.admin_key[:-4] + ("AAAA" if not tenant.admin_key.endswith("AAAA") else "BBBB")
    assert_unauthorized(await client.get("/v1/me", headers=tenant.headers(forged)))


async def test_expired_key_is_401(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    key = await make_key(database, tenant, Scope.READ, expires_at=utc_now() - timedelta(seconds=1))
    assert_unauthorized(await client.get("/v1/me", headers=tenant.headers(key)))


async def test_a_key_this_process_trusts_still_expires_on_time(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await make_key(database, tenant, Scope.READ, expires_at=utc_now() + timedelta(days=1))
    assert (await client.get("/v1/me", headers=tenant.headers(key))).status_code == 200
    later = utc_now() + timedelta(days=2)
    monkeypatch.setattr(auth, "utc_now", lambda: later)
    assert_unauthorized(await client.get("/v1/me", headers=tenant.headers(key)))


async def test_a_key_revoked_by_another_process_stops_working_within_the_cache_time(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await make_key(database, tenant, Scope.READ)
    assert (await client.get("/v1/me", headers=tenant.headers(key))).status_code == 200
    async with database.sessionmaker() as session, session.begin():
        row = await session.scalar(select(ApiKey).where(ApiKey.lookup_prefix == key[:12]))
        assert row is not None
        row.revoked_at = utc_now()
    # Trusted for up to DEBRIEF_AUTH_CACHE_SECONDS (5 s by default)...
    assert (await client.get("/v1/me", headers=tenant.headers(key))).status_code == 200
    now = time.monotonic()
    monkeypatch.setattr(key_cache, "monotonic", lambda: now + 5.1)
    # ...and not a moment longer: the first request after that checks again...
    assert_unauthorized(await client.get("/v1/me", headers=tenant.headers(key)))
    # ...and so does every one after it.
    assert_unauthorized(await client.get("/v1/me", headers=tenant.headers(key)))


async def test_revoked_key_is_401(api: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    created = (await api.post("/v1/api-keys", json={"name": "tmp", "scopes": ["read"]})).json()
    headers = {"Authorization": f"Bearer {created['api_key']}"}
    assert (await client.get("/v1/me", headers=headers)).status_code == 200
    assert (await api.delete(f"/v1/api-keys/{created['id']}")).status_code == 204
    assert_unauthorized(await client.get("/v1/me", headers=headers))


@pytest.mark.parametrize(
    ("scope", "method", "path", "allowed"),
    [
        (Scope.READ, "GET", "/v1/candidates", True),
        (Scope.READ, "POST", "/v1/candidates", False),
        (Scope.WRITE, "POST", "/v1/candidates", True),
        (Scope.WRITE, "GET", "/v1/api-keys", False),
        (Scope.WRITE, "POST", "/v1/api-keys", False),
        (Scope.ADMIN, "GET", "/v1/api-keys", True),
    ],
)
async def test_scopes(
    client: httpx.AsyncClient,
    tenant: Tenant,
    database: Database,
    scope: Scope,
    method: str,
    path: str,
    allowed: bool,
) -> None:
    key = await make_key(database, tenant, scope)
    body = {"external_ref": "x", "display_name": "X"} if path == "/v1/candidates" else None
    if path == "/v1/api-keys" and method == "POST":
        body = {"name": "k", "scopes": ["read"]}
    response = await client.request(method, path, json=body, headers=tenant.headers(key))
    if allowed:
        assert response.status_code in (200, 201)
    else:
        assert response.status_code == 403
        assert response.json()["type"] == "/problems/forbidden"
        assert response.headers["content-type"] == "application/problem+json"


async def test_me_shows_organisation_and_effective_scopes(
    api: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await api.get("/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["organization"]["id"] == tenant.organization_id
    assert body["organization"]["name"] == "Tenant A"
    assert body["scopes"] == ["admin", "read", "write"]
    assert body["api_key"]["prefix"] == tenant.admin_key[:12]
    assert "secret" not in response.text.lower()
    assert tenant.admin_key not in response.text


async def test_last_used_at_is_recorded(api: httpx.AsyncClient) -> None:
    await api.get("/v1/me")
    me = (await api.get("/v1/me")).json()
    assert me["api_key"]["last_used_at"] is not None


def test_generated_keys_are_long_random_and_prefixed() -> None:
    keys = {generate_key().secret for _ in range(200)}
    assert len(keys) == 200
    for key in keys:
        assert key.startswith("dbr_")
        assert lookup_prefix_of(key) == key[:12]
        # 40 characters from 62 symbols: log2(62) * 40 ≈ 238 bits, well over 128.
        assert len(key) == 44


async def test_a_miss_does_the_same_comparison_as_a_hit(
    database: Database, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown prefix still hashes and compares in constant time, against a decoy."""
    calls: list[tuple[int, int]] = []
    real = hmac.compare_digest

    def counting(a: str, b: str) -> bool:
        calls.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr("app.core.security.hmac.compare_digest", counting)
    wrong_secret = tenant.admin_key[:12] + "x" * 32
    unknown_prefix = "dbr_" + "z" * 40
    for presented in (wrong_secret, unknown_prefix):
        async with database.sessionmaker() as session:
            with pytest.raises(Exception, match="not valid"):
                await service.authenticate_key(session, presented)
    assert calls == [(64, 64), (64, 64)]
