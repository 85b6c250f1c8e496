"""People's tokens: minted by an API key, accepted while valid, refused in every other case."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from app.access import tokens
from app.access.tokens import AUDIENCE
from app.core.config import Settings
from app.core.database import Database
from app.core.security import Role, Scope
from app.main import create_app
from tests.candidates.test_candidates import ALEX
from tests.tenants import Tenant, as_person, authed, make_key, mint_token

pytestmark = pytest.mark.anyio


@pytest.fixture
async def alex(api: httpx.AsyncClient) -> str:
    candidate_id: str = (await api.post("/v1/candidates", json=ALEX)).json()["id"]
    return candidate_id


async def test_minting_follows_the_contract(api: httpx.AsyncClient, alex: str) -> None:
    response = await api.post(
        "/v1/tokens", json={"subject": alex, "scopes": ["read", "write"], "expires_in": 600}
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {
        "token", "token_type", "subject", "role", "scopes", "expires_at", "key_id"
    }  # fmt: skip
    assert body["token"].startswith("eyJ")
    assert (body["token_type"], body["subject"], body["role"]) == ("Bearer", alex, "candidate")
    assert body["scopes"] == ["read", "write"]
    assert body["key_id"] == jwt.get_unverified_header(body["token"])["kid"]
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert {"org", "sub", "role", "scopes", "exp", "iat", "aud", "iss"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 600
    assert claims["aud"] == AUDIENCE
    default = await api.post("/v1/tokens", json={"subject": alex, "scopes": ["read"]})
    claims = jwt.decode(default.json()["token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 3600


@pytest.mark.parametrize(
    "body",
    [
        {"scopes": ["read"]},
        {"subject": "key_01JD6Z3K8Q2W5X7Y9A1B3C5D7E", "scopes": ["read"]},
        {"subject": "CAND", "scopes": ["read"]},
        {"subject": "cand_x", "scopes": ["admin"]},
        {"subject": "cand_x", "scopes": []},
        {"subject": "cand_x", "scopes": ["read"], "expires_in": 86_401},
        {"subject": "cand_x", "scopes": ["read"], "expires_in": 0},
        {"subject": "cand_x", "scopes": ["read"], "role": "admin"},
    ],
)
async def test_malformed_requests_are_422(api: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await api.post("/v1/tokens", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["pointer"].startswith("/body")


async def test_unknown_or_foreign_subjects_are_404(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient, alex: str
) -> None:
    for caller, subject in (
        (api, "cand_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"),
        (other_api, alex),
    ):
        response = await caller.post("/v1/tokens", json={"subject": subject, "scopes": ["read"]})
        assert response.status_code == 404, response.text
        assert response.json()["type"] == "/problems/not-found"


async def test_a_token_never_has_more_than_the_key_that_mints_it(
    client: httpx.AsyncClient, database: Database, tenant: Tenant, alex: str
) -> None:
    reader = await make_key(database, tenant, Scope.READ)
    async with authed(client, tenant, reader) as read_only:
        refused = await read_only.post("/v1/tokens", json={"subject": alex, "scopes": ["write"]})
        assert refused.status_code == 403
        assert "write" in refused.json()["detail"]
        allowed = await read_only.post("/v1/tokens", json={"subject": alex, "scopes": ["read"]})
        assert allowed.status_code == 201
    async with as_person(client, allowed.json()["token"]) as person:
        assert (await person.get(f"/v1/candidates/{alex}")).status_code == 200
        write = await person.patch(
            f"/v1/candidates/{alex}",
            json={"display_name": "A"},
            headers={"Content-Type": "application/merge-patch+json"},
        )
        assert write.status_code == 403


async def test_a_token_cannot_mint_tokens(
    client: httpx.AsyncClient, api: httpx.AsyncClient, alex: str
) -> None:
    async with as_person(client, await mint_token(api, alex)) as person:
        response = await person.post("/v1/tokens", json={"subject": alex, "scopes": ["read"]})
        assert response.status_code == 403


async def test_me_tells_a_token_who_it_is(
    client: httpx.AsyncClient, api: httpx.AsyncClient, tenant: Tenant, alex: str
) -> None:
    async with as_person(client, await mint_token(api, alex, ("read",))) as person:
        me = (await person.get("/v1/me")).json()
    assert me["organization"]["id"] == tenant.organization_id
    assert (me["role"], me["subject"], me["api_key"], me["scopes"]) == (
        "candidate",
        alex,
        None,
        ["read"],
    )
    key = (await api.get("/v1/me")).json()
    assert (key["role"], key["subject"]) == ("organization", None)


def _claims(tenant: Tenant, subject: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": "debrief",
        "aud": AUDIENCE,
        "sub": subject,
        "org": tenant.organization_id,
        "role": "candidate",
        "scopes": ["read"],
        "iat": now,
        "exp": now + 600,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(settings: Settings, claims: dict[str, Any], kid: str = "dev", **options: Any) -> str:
    key = options.pop("key", settings.signing_keys.get(kid, "x" * 32))
    return jwt.encode(claims, key, options.pop("algorithm", "HS256"), headers={"kid": kid})


def _unsigned(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': 'dev'})}.{part(claims)}."


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["scopes"] = ["read", "write"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


async def test_every_kind_of_bad_token_is_a_401_with_a_bearer_challenge(
    client: httpx.AsyncClient, settings: Settings, tenant: Tenant, alex: str
) -> None:
    good = _sign(settings, _claims(tenant, alex))
    bad = {
        "expired": _sign(settings, _claims(tenant, alex, iat=1, exp=2)),
        "tampered": _tampered(good),
        "wrongly signed": _sign(settings, _claims(tenant, alex), key="y" * 32),
        "unknown kid": _sign(settings, _claims(tenant, alex), kid="nobody"),
        "no kid": jwt.encode(_claims(tenant, alex), settings.signing_keys["dev"], "HS256"),
        "wrong audience": _sign(settings, _claims(tenant, alex, aud="someone-else")),
        "wrong issuer": _sign(settings, _claims(tenant, alex, iss="someone-else")),
        "alg none": _unsigned(_claims(tenant, alex)),
        "HS512": _sign(settings, _claims(tenant, alex), algorithm="HS512"),
        "no expiry": _sign(settings, _claims(tenant, alex, exp=None)),
        "no subject": _sign(settings, _claims(tenant, alex, sub=None)),
        "unknown role": _sign(settings, _claims(tenant, alex, role="organization")),
        "admin scope": _sign(settings, _claims(tenant, alex, scopes=["admin"])),
        "unknown subject": _sign(settings, _claims(tenant, "cand_01JD6Z3K8Q2W5X7Y9A1B3C5D7E")),
        "other organisation": _sign(settings, _claims(tenant, alex, org="org_other")),
        "garbage": "eyJnot.a.token",
    }
    async with as_person(client, good) as person:
        assert (await person.get(f"/v1/candidates/{alex}")).status_code == 200
    for reason, token in bad.items():
        async with as_person(client, token) as person:
            response = await person.get(f"/v1/candidates/{alex}")
        assert response.status_code == 401, reason
        assert response.headers["www-authenticate"].startswith("Bearer"), reason
        assert response.json()["type"] == "/problems/unauthorized", reason


async def test_rotating_the_signing_key_keeps_tokens_in_flight(
    settings: Settings, database: Database, api: httpx.AsyncClient, alex: str
) -> None:
    old, new = "o" * 40, "n" * 40

    async def serving(keys: str, current: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
        configured = Settings(
            database_url=settings.database_url,
            data_dir=settings.data_dir,
            token_signing_keys=keys,
            token_current_kid=current,
            _env_file=None,  # type: ignore[call-arg]
        )
        app: FastAPI = create_app(configured, database=database)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c

    key = api.headers["Authorization"]

    async def mint_and_read(server: httpx.AsyncClient) -> str:
        minted = await server.post(
            "/v1/tokens", json={"subject": alex, "scopes": ["read"]}, headers={"Authorization": key}
        )
        return str(minted.json()["token"])

    async def reads(server: httpx.AsyncClient, token: str) -> int:
        response = await server.get(
            f"/v1/candidates/{alex}", headers={"Authorization": f"Bearer {token}"}
        )
        return response.status_code

    # 1. Before: only the old key.
    async for before in serving(f"old:{old}"):
        in_flight = await mint_and_read(before)
    # 2. Add the new key beside the old, still signing with the old one; then sign with it.
    async for adding in serving(f"old:{old},new:{new}", current="new"):
        fresh = await mint_and_read(adding)
        assert jwt.get_unverified_header(fresh)["kid"] == "new"
        assert await reads(adding, in_flight) == 200
        assert await reads(adding, fresh) == 200
    # 3. Once the old key's tokens have expired, drop it: its tokens no longer pass.
    async for after in serving(f"new:{new}"):
        assert await reads(after, fresh) == 200
        assert await reads(after, in_flight) == 401


async def test_an_erased_candidates_token_stops_at_once(
    client: httpx.AsyncClient,
    api: httpx.AsyncClient,
    settings: Settings,
    database: Database,
    alex: str,
) -> None:
    token = await mint_token(api, alex)
    # Another process, trusting nothing it has checked: it sees the erasure at once too.
    other_process = create_app(
        settings.model_copy(update={"auth_cache_seconds": 0}), database=database
    )
    transport = httpx.ASGITransport(app=other_process, raise_app_exceptions=False)
    async with (
        as_person(client, token) as person,
        httpx.AsyncClient(
            transport=transport,
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {token}"},
        ) as elsewhere,
    ):
        assert (await person.get("/v1/me")).status_code == 200
        assert (await elsewhere.get("/v1/me")).status_code == 200
        assert (await api.delete(f"/v1/candidates/{alex}")).status_code == 204
        for caller in (person, elsewhere):
            response = await caller.get("/v1/me")
            assert response.status_code == 401
            assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_token_verified_before_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = tokens.TokenKeys({"k": "k" * 32}, "k", "debrief")
    minted = keys.mint("org_1", "cand_1", Role.CANDIDATE, [Scope.READ], 60)
    assert keys.verify(minted.token).subject == "cand_1"
    later = minted.expires_at + timedelta(seconds=1)
    monkeypatch.setattr(tokens, "utc_now", lambda: later)
    with pytest.raises(tokens.InvalidToken):
        keys.verify(minted.token)


async def test_a_token_costs_no_more_queries_than_a_key(
    client: httpx.AsyncClient, api: httpx.AsyncClient, database: Database, alex: str
) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    url = f"/v1/candidates/{alex}"
    async with as_person(client, await mint_token(api, alex)) as person:
        for caller in (api, person):  # warm both caches
            assert (await caller.get(url)).status_code == 200
        event.listen(database.engine.sync_engine, "before_cursor_execute", count)
        try:
            assert (await api.get(url)).status_code == 200
            by_key = len(statements)
            assert (await person.get(url)).status_code == 200
            by_token = len(statements) - by_key
        finally:
            event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    assert by_token <= by_key, statements
