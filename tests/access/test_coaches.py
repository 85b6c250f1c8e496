"""Coaches: the organisation's resource, their tokens, and what a grant lets them do."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import httpx
import pytest

from app.access.coach_requests import COMMENT_OPERATIONS
from app.access.named_objects import CANDIDATE_DATA_PARAMETERS
from app.core.config import Settings
from app.core.database import Database
from app.core.ids import utc_now
from app.main import create_app
from tests.access.test_matrix import CALLS, _body, _fill
from tests.access.world import COACH, World, make_person, make_world
from tests.tenants import as_person, mint_token

pytestmark = pytest.mark.anyio


async def _coach(api: httpx.AsyncClient, ref: str = "coach-17") -> str:
    response = await api.post("/v1/coaches", json={**COACH, "external_ref": ref})
    assert response.status_code == 201, response.text
    coach_id: str = response.json()["id"]
    return coach_id


async def _grant(
    caller: httpx.AsyncClient, candidate: str, coach: str, *permissions: str, **extra: object
) -> str:
    response = await caller.post(
        f"/v1/candidates/{candidate}/grants",
        json={"coach_id": coach, "permissions": list(permissions or ("read",)), **extra},
    )
    assert response.status_code == 201, response.text
    grant_id: str = response.json()["id"]
    return grant_id


async def test_coaches_are_created_listed_changed_and_removed(api: httpx.AsyncClient) -> None:
    created = await api.post("/v1/coaches", json=COACH)
    assert created.status_code == 201
    coach = created.json()
    assert coach["id"].startswith("coach_")
    assert coach["name"] == "Sam Rivera"
    assert created.headers["Location"] == f"/v1/coaches/{coach['id']}"
    again = await api.post("/v1/coaches", json=COACH)
    assert again.status_code == 409
    assert again.json()["errors"][0]["pointer"] == "/body/external_ref"

    listed = await api.get("/v1/coaches", params={"external_ref": "coach-17"})
    assert [item["id"] for item in listed.json()["items"]] == [coach["id"]]
    read = await api.get(f"/v1/coaches/{coach['id']}")
    etag = read.headers["ETag"]
    merge = {"Content-Type": "application/merge-patch+json"}
    changed = await api.patch(
        f"/v1/coaches/{coach['id']}",
        json={"email": None, "name": "Sam R."},
        headers={**merge, "If-Match": etag},
    )
    assert changed.status_code == 200
    assert (changed.json()["email"], changed.json()["name"]) == (None, "Sam R.")
    stale = await api.patch(
        f"/v1/coaches/{coach['id']}", json={"name": "x"}, headers={**merge, "If-Match": etag}
    )
    assert stale.status_code == 412
    assert (await api.delete(f"/v1/coaches/{coach['id']}")).status_code == 204
    assert (await api.get(f"/v1/coaches/{coach['id']}")).status_code == 404


async def test_a_token_is_minted_for_a_coach_of_the_organisation_only(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient
) -> None:
    coach = await _coach(api)
    minted = await api.post("/v1/tokens", json={"subject": coach, "scopes": ["read"]})
    assert minted.status_code == 201
    assert minted.json()["role"] == "coach"
    elsewhere = await other_api.post("/v1/tokens", json={"subject": coach, "scopes": ["read"]})
    assert elsewhere.status_code == 404


async def test_a_coach_sees_exactly_the_candidates_who_let_it_in_until_revoked(
    client: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    x = await make_person(api, "x")
    y = await make_person(api, "y")
    coach = await _coach(api)
    async with (
        as_person(client, await mint_token(api, coach)) as coaching,
        as_person(client, await mint_token(api, x.candidate)) as alex,
    ):
        assert (await coaching.get("/v1/candidates")).json()["items"] == []
        assert (await coaching.get(f"/v1/sessions/{x.session}")).status_code == 404

        # X lets the coach in with their own token: it takes effect on the next request.
        grant = await _grant(alex, x.candidate, coach)
        listed = (await coaching.get("/v1/candidates")).json()["items"]
        assert [candidate["id"] for candidate in listed] == [x.candidate]
        sessions = (await coaching.get("/v1/sessions")).json()["items"]
        assert [session["id"] for session in sessions] == [x.session]
        assert (await coaching.get(f"/v1/sessions/{x.session}")).status_code == 200
        assert (await coaching.get(f"/v1/messages/{x.message}")).status_code == 200
        assert (await coaching.get(f"/v1/sessions/{y.session}")).status_code == 404

        # A second grant while one is in force is a conflict, not a silent change.
        twice = await alex.post(
            f"/v1/candidates/{x.candidate}/grants",
            json={"coach_id": coach, "permissions": ["read"]},
        )
        assert twice.status_code == 409

        revoked = await alex.post(f"/v1/candidates/{x.candidate}/grants/{grant}/revoke")
        assert revoked.status_code == 200
        assert revoked.json()["status"] == "revoked"
        assert (await coaching.get(f"/v1/sessions/{x.session}")).status_code == 404
        assert (await coaching.get("/v1/candidates")).json()["items"] == []

        # Both moves are on X's own stream.
        types = [event["type"] for event in (await alex.get("/v1/events")).json()["items"]]
        assert types.count("grant.created") == 1
        assert types.count("grant.revoked") == 1


async def test_an_expired_grant_lets_nothing_through(
    client: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    x = await make_person(api, "x")
    coach = await _coach(api)
    past = await api.post(
        f"/v1/candidates/{x.candidate}/grants",
        json={
            "coach_id": coach,
            "permissions": ["read"],
            "expires_at": (utc_now() - timedelta(seconds=1)).isoformat(),
        },
    )
    assert past.status_code == 422
    assert past.json()["errors"][0]["pointer"] == "/body/expires_at"

    ends = utc_now() + timedelta(seconds=1)
    await _grant(api, x.candidate, coach, expires_at=ends.isoformat())
    async with as_person(client, await mint_token(api, coach)) as coaching:
        assert (await coaching.get(f"/v1/sessions/{x.session}")).status_code == 200
        await asyncio.sleep((ends - utc_now()).total_seconds() + 0.05)
        # The reach this process cached holds no longer than the grant.
        assert (await coaching.get(f"/v1/sessions/{x.session}")).status_code == 404
    listed = (await api.get(f"/v1/candidates/{x.candidate}/grants")).json()["items"]
    assert [grant["status"] for grant in listed] == ["expired"]


async def test_removing_a_coach_stops_its_tokens_at_once(
    client: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    x = await make_person(api, "x")
    coach = await _coach(api)
    await _grant(api, x.candidate, coach)
    async with as_person(client, await mint_token(api, coach)) as coaching:
        assert (await coaching.get("/v1/me")).status_code == 200
        assert (await api.delete(f"/v1/coaches/{coach}")).status_code == 204
        gone = await coaching.get(f"/v1/sessions/{x.session}")
        assert gone.status_code == 401
        assert gone.headers["content-type"] == "application/problem+json"
    types = [
        e["type"] for e in (await api.get("/v1/events", params={"limit": 100})).json()["items"]
    ]
    assert "grant.revoked" in types


# Erasure is the organisation's alone: to any person's token the address names nothing.
ORGANISATION_ONLY = {("DELETE", "/v1/candidates/{candidate_id}")}


def _writes_on_candidate_data() -> list[tuple[str, str]]:
    """Every operation that changes something and names an object about a candidate, plus
    the one that names a candidate in its body."""
    named = tuple("{" + parameter + "}" for parameter in CANDIDATE_DATA_PARAMETERS)
    return [
        (method, path)
        for method, path in CALLS
        if method != "GET"
        and (any(part in path for part in named) or path == "/v1/sessions")
        and not path.endswith("/validate")
    ]


@pytest.mark.parametrize("comment", [False, True], ids=["read", "read+comment"])
async def test_a_coach_writes_only_what_its_grant_allows(
    client: httpx.AsyncClient, api: httpx.AsyncClient, comment: bool
) -> None:
    world = await make_world(api)
    coach = await _coach(api, "writer")
    permissions = ("read", "comment") if comment else ("read",)
    await _grant(api, world.x.candidate, coach, *permissions)
    on_x: World = dataclasses.replace(world, y=world.x, grant="grant_none", coach=coach)
    allowed = COMMENT_OPERATIONS - {("PATCH", "/v1/sessions/{session_id}")} if comment else set()
    writes = _writes_on_candidate_data()
    assert len(writes) > 15
    failures = []
    async with as_person(client, await mint_token(api, coach)) as coaching:
        for method, path in writes:
            call = CALLS[(method, path)]
            body = _body(call.body, on_x)
            response = await coaching.request(
                method, _fill(path, on_x), json=body, headers=call.headers
            )
            expected = {200, 201} if (method, path) in allowed else {403}
            if (method, path) in ORGANISATION_ONLY:
                expected = {404}
            if response.status_code not in expected:
                failures.append(f"{method} {path}: {response.status_code} {response.text[:120]}")
        # A session's notes, and nothing else of it, are a comment.
        notes = await coaching.patch(
            f"/v1/sessions/{world.x.session}",
            json={"notes": "Practise the salary question"},
            headers={"Content-Type": "application/merge-patch+json"},
        )
        assert notes.status_code == (200 if comment else 403), notes.text
        assert (await coaching.get(f"/v1/sessions/{world.x.session}")).status_code == 200
    assert failures == []
    # Nothing was erased or taken over while refusing.
    assert (await api.get(f"/v1/candidates/{world.x.candidate}")).json()["display_name"] != (
        "Hijacked"
    )


async def test_a_candidate_manages_their_own_grants_and_a_coach_none(
    client: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    x = await make_person(api, "x")
    coach = await _coach(api)
    async with as_person(client, await mint_token(api, x.candidate, ("read",))) as reader:
        refused = await reader.post(
            f"/v1/candidates/{x.candidate}/grants",
            json={"coach_id": coach, "permissions": ["read"]},
        )
        assert refused.status_code == 403
    async with as_person(client, await mint_token(api, x.candidate)) as alex:
        unknown = await alex.post(
            f"/v1/candidates/{x.candidate}/grants",
            json={"coach_id": "coach_01JD6Z3K8Q2W5X7Y9A1B3C5D7E", "permissions": ["read"]},
        )
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["pointer"] == "/body/coach_id"
        no_read = await alex.post(
            f"/v1/candidates/{x.candidate}/grants",
            json={"coach_id": coach, "permissions": ["comment"]},
        )
        assert no_read.status_code == 422
        grant = await _grant(alex, x.candidate, coach, "read", "comment")
        read = (await alex.get(f"/v1/candidates/{x.candidate}/grants/{grant}")).json()
        assert (read["permissions"], read["granted_by"]) == (["read", "comment"], "candidate")
    async with as_person(client, await mint_token(api, coach)) as coaching:
        for url in (
            f"/v1/candidates/{x.candidate}/grants",
            f"/v1/candidates/{x.candidate}/grants/{grant}",
            f"/v1/candidates/{x.candidate}/access-log",
        ):
            assert (await coaching.get(url)).status_code == 403, url
        revoke = await coaching.post(f"/v1/candidates/{x.candidate}/grants/{grant}/revoke")
        assert revoke.status_code == 403


@pytest.mark.parametrize("bound", [0.0, 60.0])
async def test_another_process_sees_a_revocation_within_the_cache_bound(
    client: httpx.AsyncClient,
    api: httpx.AsyncClient,
    settings: Settings,
    database: Database,
    bound: float,
) -> None:
    """A second application on the same database stands for another server process."""
    x = await make_person(api, "x")
    coach = await _coach(api)
    grant = await _grant(api, x.candidate, coach)
    token = await mint_token(api, coach)
    other = create_app(settings.model_copy(update={"auth_cache_seconds": bound}), database=database)
    transport = httpx.ASGITransport(app=other, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {token}"},
    ) as elsewhere:
        assert (await elsewhere.get(f"/v1/sessions/{x.session}")).status_code == 200
        revoked = await api.post(f"/v1/candidates/{x.candidate}/grants/{grant}/revoke")
        assert revoked.status_code == 200
        # With no cache the other process sees it at once; with one, until the bound.
        expected = 404 if bound == 0 else 200
        assert (await elsewhere.get(f"/v1/sessions/{x.session}")).status_code == expected
    async with as_person(client, token) as here:
        assert (await here.get(f"/v1/sessions/{x.session}")).status_code == 404
