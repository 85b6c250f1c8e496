"""Every request a coach makes about a candidate is in that candidate's access log; the
candidate's own and the organisation's are not."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from app.access.coach_requests import CANDIDATE_DATA_LISTS
from app.access.named_objects import CANDIDATE_DATA_PARAMETERS
from app.core.database import Database
from tests.access.test_coaches import _coach, _grant
from tests.access.world import make_person
from tests.candidates.test_erasure import rows_mentioning
from tests.tenants import as_person, mint_token

pytestmark = pytest.mark.anyio

# Lists without an object in their address that hold nothing about any candidate.
NOT_ABOUT_CANDIDATES = {
    "/healthz",
    "/readyz",
    "/problems",
    "/v1/me",
    "/v1/api-keys",
    "/v1/coaches",
    "/v1/follow-up-cadence",
    "/v1/question-sets",
    "/v1/rule-sets",
    "/v1/templates",
    "/v1/templates/variables",
    "/v1/time-zones",
    "/v1/webhook-endpoints",
}


async def test_every_list_is_classified(app: FastAPI) -> None:
    lists = {
        path
        for path, methods in app.openapi()["paths"].items()
        if "get" in methods and "{" not in path
    }
    assert lists == CANDIDATE_DATA_LISTS | NOT_ABOUT_CANDIDATES
    assert not CANDIDATE_DATA_LISTS & NOT_ABOUT_CANDIDATES


# Path parameters that name nothing about one candidate (or, for `grant_id`, only under a
# `candidate_id` that comes first in the same address).
NOT_CANDIDATE_OBJECTS = {
    "api_key_id",
    "coach_id",
    "delivery_id",
    "endpoint_id",
    "grant_id",
    "key",
    "slug",
    "template_id",
    "file_format",
    "token",
    "version",
}


async def test_every_path_parameter_is_classified(app: FastAPI) -> None:
    """A new kind of object about a candidate must say which table it is in, or a coach's
    reads of it would go unlogged."""
    document = app.openapi()
    shared = document.get("components", {}).get("parameters", {})
    parameters = [
        shared[p["$ref"].rsplit("/", 1)[-1]] if "$ref" in p else p
        for methods in document["paths"].values()
        for operation in methods.values()
        for p in operation.get("parameters", [])
    ]
    names = {p["name"] for p in parameters if p["in"] == "path"}
    assert names == set(CANDIDATE_DATA_PARAMETERS) | NOT_CANDIDATE_OBJECTS
    assert not set(CANDIDATE_DATA_PARAMETERS) & NOT_CANDIDATE_OBJECTS


async def _log(caller: httpx.AsyncClient, candidate: str) -> list[dict[str, object]]:
    response = await caller.get(f"/v1/candidates/{candidate}/access-log", params={"limit": 100})
    assert response.status_code == 200, response.text
    entries: list[dict[str, object]] = response.json()["items"]
    return entries


async def test_a_coachs_requests_are_logged_for_the_candidate_they_are_about(
    client: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    x = await make_person(api, "x")
    y = await make_person(api, "y")
    coach = await _coach(api)
    await _grant(api, x.candidate, coach, "read", "comment")
    await _grant(api, y.candidate, coach)
    async with (
        as_person(client, await mint_token(api, coach)) as coaching,
        as_person(client, await mint_token(api, x.candidate)) as alex,
    ):
        # The candidate's own requests and the organisation's are not logged.
        await alex.get(f"/v1/sessions/{x.session}")
        await alex.get("/v1/sessions")
        await api.get(f"/v1/sessions/{x.session}")
        assert await _log(alex, x.candidate) == []

        read = await coaching.get(
            f"/v1/sessions/{x.session}", headers={"X-Request-ID": "coach-read-1"}
        )
        assert read.status_code == 200
        await coaching.get(f"/v1/messages/{x.message}")
        await coaching.get("/v1/sessions")
        added = await coaching.post(
            f"/v1/sessions/{x.session}/action-items", json={"text": "Mock interview"}
        )
        assert added.status_code == 201
        # A coach's refused write, and its request about nobody, are not about X.
        await coaching.get("/v1/me")
        await coaching.get("/v1/question-sets")

        entries = await _log(alex, x.candidate)
        assert entries == await _log(api, x.candidate)
        seen = [(entry["method"], entry["path"], entry["resource_id"]) for entry in entries]
        assert seen == [
            ("GET", "/v1/sessions/{session_id}", x.session),
            ("GET", "/v1/messages/{message_id}", x.message),
            ("GET", "/v1/sessions", None),
            ("POST", "/v1/sessions/{session_id}/action-items", x.session),
        ]
        assert {entry["coach_id"] for entry in entries} == {coach}
        assert {entry["candidate_id"] for entry in entries} == {x.candidate}
        assert entries[0]["request_id"] == "coach-read-1"
        assert entries[0]["operation"] == "get_session"

        # Y's log holds only the list that could show Y's data.
        y_log = await _log(api, y.candidate)
        assert [(entry["path"], entry["resource_id"]) for entry in y_log] == [
            ("/v1/sessions", None)
        ]

        first = await alex.get(f"/v1/candidates/{x.candidate}/access-log", params={"limit": 3})
        assert len(first.json()["items"]) == 3
        cursor = first.json()["next_cursor"]
        rest = await alex.get(
            f"/v1/candidates/{x.candidate}/access-log", params={"limit": 3, "cursor": cursor}
        )
        assert [entry["id"] for entry in rest.json()["items"]] == [entries[3]["id"]]


async def test_erasure_takes_the_grants_and_the_log_with_the_candidate(
    client: httpx.AsyncClient, api: httpx.AsyncClient, database: Database
) -> None:
    x = await make_person(api, "x")
    coach = await _coach(api)
    await _grant(api, x.candidate, coach)
    async with as_person(client, await mint_token(api, coach)) as coaching:
        assert (await coaching.get(f"/v1/sessions/{x.session}")).status_code == 200
    assert len(await _log(api, x.candidate)) == 1
    assert (await api.delete(f"/v1/candidates/{x.candidate}")).status_code == 204
    assert await rows_mentioning(database, x.candidate) == []
    # The coach stays, with nothing left to see.
    assert (await api.get(f"/v1/coaches/{coach}")).status_code == 200
