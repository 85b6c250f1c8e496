"""Another organisation's objects do not exist for you: 404 on every route, absent from lists."""

from __future__ import annotations

import httpx
import pytest

from tests.candidates.test_candidates import ALEX

pytestmark = pytest.mark.anyio


async def test_candidates_of_another_organisation_are_invisible(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient
) -> None:
    mine = (await api.post("/v1/candidates", json=ALEX)).json()
    url = f"/v1/candidates/{mine['id']}"

    attempts = [
        await other_api.get(url),
        await other_api.get(url, headers={"If-None-Match": '"1"'}),
        await other_api.patch(url, json={"display_name": "Hijacked"}),
        await other_api.patch(url, json={"display_name": "Hijacked"}, headers={"If-Match": "*"}),
        await other_api.delete(url),
        await other_api.delete(url, headers={"If-Match": '"1"'}),
    ]
    for response in attempts:
        assert response.status_code == 404, response.request.method
        assert response.json()["type"] == "/problems/not-found"

    for params in ({}, {"external_ref": ALEX["external_ref"]}, {"limit": 100}):
        listing = (await other_api.get("/v1/candidates", params=params)).json()
        assert listing["items"] == []
    # The other organisation may use the same external_ref: it is theirs to choose.
    assert (await other_api.post("/v1/candidates", json=ALEX)).status_code == 201
    assert (await api.get(url)).json() == mine


async def test_api_keys_of_another_organisation_are_invisible(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient
) -> None:
    mine = (await api.post("/v1/api-keys", json={"name": "mine", "scopes": ["read"]})).json()
    url = f"/v1/api-keys/{mine['id']}"
    assert (await other_api.get(url)).status_code == 404
    assert (await other_api.delete(url)).status_code == 404
    assert (await api.get(url)).json()["revoked_at"] is None
    theirs = (await other_api.get("/v1/api-keys", params={"limit": 100})).json()["items"]
    assert mine["id"] not in [k["id"] for k in theirs]
    mine_listing = (await api.get("/v1/api-keys", params={"limit": 100})).json()["items"]
    assert all(k["id"] not in [m["id"] for m in mine_listing] for k in theirs)


async def test_me_is_always_the_callers_own(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient
) -> None:
    a = (await api.get("/v1/me")).json()
    b = (await other_api.get("/v1/me")).json()
    assert a["organization"]["id"] != b["organization"]["id"]
    assert a["organization"]["name"] == "Tenant A"
    assert b["organization"]["name"] == "Tenant B"


async def test_cursor_of_one_organisation_shows_nothing_of_it_to_another(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient
) -> None:
    for i in range(3):
        await api.post("/v1/candidates", json={**ALEX, "external_ref": f"a{i}"})
    cursor = (await api.get("/v1/candidates", params={"limit": 1})).json()["next_cursor"]
    stolen = (await other_api.get("/v1/candidates", params={"cursor": cursor})).json()
    assert stolen["items"] == []
