from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

ALEX = {
    "external_ref": "client-4711",
    "display_name": "Alex Morgan",
    "email": "alex@example.com",
    "pronouns": "they/them",
    "locale": "en-GB",
    "time_zone": "Europe/London",
    "metadata": {"cohort": "spring", "sessions_bought": 3},
}
MERGE_PATCH = {"content-type": "application/merge-patch+json"}


async def create(api: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await api.post("/v1/candidates", json={**ALEX, **overrides})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_create_get_and_defaults(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/candidates", json=ALEX)
    assert response.status_code == 201
    body = response.json()
    assert body["id"].startswith("cand_")
    assert response.headers["location"] == f"/v1/candidates/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert {k: body[k] for k in ALEX} == ALEX
    assert body["created_at"] == body["updated_at"]
    assert body["created_at"].endswith("Z")

    fetched = await api.get(f"/v1/candidates/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == body
    assert fetched.headers["etag"] == '"1"'

    minimal = await create(api, external_ref="m-1", email=None, pronouns=None)
    bare = (
        await api.post("/v1/candidates", json={"external_ref": "bare", "display_name": "B"})
    ).json()
    assert minimal["pronouns"] is None
    assert (bare["locale"], bare["time_zone"], bare["metadata"]) == ("en", "UTC", {})


async def test_if_none_match_gives_304(api: httpx.AsyncClient) -> None:
    candidate = await create(api)
    url = f"/v1/candidates/{candidate['id']}"
    response = await api.get(url, headers={"If-None-Match": '"1"'})
    assert response.status_code == 304
    assert response.headers["etag"] == '"1"'
    assert response.content == b""
    assert (await api.get(url, headers={"If-None-Match": 'W/"1"'})).status_code == 304
    assert (await api.get(url, headers={"If-None-Match": '"0", "7"'})).status_code == 200


async def test_duplicate_external_ref_is_a_409(api: httpx.AsyncClient) -> None:
    await create(api)
    response = await api.post("/v1/candidates", json={**ALEX, "display_name": "Someone else"})
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"] == "/problems/conflict"
    assert problem["errors"][0]["pointer"] == "/body/external_ref"


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"nickname": "Al"}, "/body/nickname"),
        ({"external_ref": ""}, "/body/external_ref"),
        ({"display_name": "x" * 201}, "/body/display_name"),
        ({"email": "not-an-email"}, "/body/email"),
        ({"locale": "english please"}, "/body/locale"),
        ({"time_zone": "Mars/Olympus_Mons"}, "/body/time_zone"),
        ({"metadata": {f"k{i}": i for i in range(21)}}, "/body/metadata"),
        ({"metadata": {"k": "v" * 501}}, "/body/metadata/k"),
        ({"metadata": {"k": {"nested": True}}}, "/body/metadata/k"),
        ({"metadata": {"k" * 41: 1}}, "/body/metadata/" + "k" * 41),
    ],
)
async def test_invalid_candidate_points_at_the_field_and_stores_nothing(
    api: httpx.AsyncClient, changes: dict[str, Any], pointer: str
) -> None:
    response = await api.post("/v1/candidates", json={**ALEX, **changes})
    assert response.status_code == 422
    pointers = [e["pointer"] for e in response.json()["errors"]]
    assert any(p.startswith(pointer) for p in pointers), pointers
    assert (await api.get("/v1/candidates")).json()["items"] == []


@pytest.mark.parametrize(
    "candidate_id",
    ["cand_01JD6Z3K8Q2W5X7Y9A1B3C5D7E", "cand_nope", "key_01JD6Z3K8Q2W5X7Y9A1B3C5D7E", "x"],
)
async def test_unknown_or_malformed_id_is_a_404(api: httpx.AsyncClient, candidate_id: str) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        response = await api.request(
            method, f"/v1/candidates/{candidate_id}", json={} if method == "PATCH" else None
        )
        assert response.status_code == 404, method
        assert response.json()["type"] == "/problems/not-found"


async def test_merge_patch_changes_clears_and_merges(api: httpx.AsyncClient) -> None:
    candidate = await create(api)
    url = f"/v1/candidates/{candidate['id']}"
    patch = {
        "display_name": "Alex M.",
        "pronouns": None,
        "metadata": {"cohort": None, "coach": "Sam"},
    }
    response = await api.patch(url, json=patch, headers=MERGE_PATCH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["display_name"] == "Alex M."
    assert body["pronouns"] is None
    assert body["email"] == ALEX["email"]
    assert body["metadata"] == {"sessions_bought": 3, "coach": "Sam"}
    assert response.headers["etag"] == '"2"'
    # As instants: a time on a whole second is written without a fraction ("…:48Z"), which
    # sorts after "…:48.008000Z" as text.
    assert datetime.fromisoformat(body["updated_at"]) >= datetime.fromisoformat(
        candidate["updated_at"]
    )
    assert (await api.get(url)).json() == body

    cleared = await api.patch(url, json={"metadata": None}, headers=MERGE_PATCH)
    assert cleared.json()["metadata"] == {}


async def test_patch_that_changes_nothing_keeps_the_etag(api: httpx.AsyncClient) -> None:
    candidate = await create(api)
    url = f"/v1/candidates/{candidate['id']}"
    response = await api.patch(url, json={"display_name": ALEX["display_name"]})
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'


@pytest.mark.parametrize("field", ["external_ref", "display_name", "locale", "time_zone"])
async def test_required_fields_cannot_be_cleared(api: httpx.AsyncClient, field: str) -> None:
    candidate = await create(api)
    url = f"/v1/candidates/{candidate['id']}"
    response = await api.patch(url, json={field: None}, headers=MERGE_PATCH)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == f"/body/{field}"
    assert (await api.get(url)).json() == candidate


async def test_patch_rejects_unknown_fields_and_merged_metadata_over_the_limit(
    api: httpx.AsyncClient,
) -> None:
    candidate = await create(api, metadata={f"k{i}": i for i in range(20)})
    url = f"/v1/candidates/{candidate['id']}"
    unknown = await api.patch(url, json={"age": 40})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["pointer"] == "/body/age"
    too_many = await api.patch(url, json={"metadata": {"one_more": 1}})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["pointer"] == "/body/metadata"
    assert (await api.get(url)).json() == candidate


async def test_patch_to_a_taken_external_ref_is_a_409(api: httpx.AsyncClient) -> None:
    await create(api)
    other = await create(api, external_ref="client-9")
    response = await api.patch(
        f"/v1/candidates/{other['id']}", json={"external_ref": ALEX["external_ref"]}
    )
    assert response.status_code == 409


async def test_if_match_on_patch_and_delete(api: httpx.AsyncClient) -> None:
    candidate = await create(api)
    url = f"/v1/candidates/{candidate['id']}"
    stale = await api.patch(url, json={"display_name": "A"}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.json()["type"] == "/problems/precondition-failed"
    assert stale.json()["current_etag"] == '"1"'
    ok = await api.patch(url, json={"display_name": "A"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200
    assert (await api.delete(url, headers={"If-Match": '"1"'})).status_code == 412
    assert (await api.delete(url, headers={"If-Match": "*"})).status_code == 204
    assert (await api.get(url)).status_code == 404


async def test_filters(api: httpx.AsyncClient) -> None:
    first = await create(api, external_ref="a")
    second = await create(api, external_ref="b")
    by_ref = (await api.get("/v1/candidates", params={"external_ref": "b"})).json()
    assert [c["id"] for c in by_ref["items"]] == [second["id"]]
    after = (await api.get("/v1/candidates", params={"created_after": second["created_at"]})).json()
    assert second["id"] in [c["id"] for c in after["items"]]
    assert first["id"] not in [c["id"] for c in after["items"]] or (
        first["created_at"] == second["created_at"]
    )
    before = (
        await api.get("/v1/candidates", params={"created_before": second["created_at"]})
    ).json()
    assert second["id"] not in [c["id"] for c in before["items"]]
    naive = await api.get("/v1/candidates", params={"created_after": "2026-01-01T00:00:00"})
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["pointer"] == "/query/created_after"
