"""What a candidate's token may do: all of that candidate's own flow, and read what is shared."""

from __future__ import annotations

import httpx
import pytest

from tests.access.world import make_world
from tests.diagnosis.test_diagnoses import REFLECTION
from tests.sessions.conftest import SESSION
from tests.tenants import as_person, mint_token

pytestmark = pytest.mark.anyio


async def test_a_candidate_works_through_their_own_rejection(
    client: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    world = await make_world(api)
    me = world.x.candidate
    async with as_person(client, await mint_token(api, me)) as x:
        listed = (await x.get("/v1/candidates")).json()["items"]
        assert [c["id"] for c in listed] == [me]
        profile = await x.patch(
            f"/v1/candidates/{me}",
            json={"display_name": "Alex R."},
            headers={"Content-Type": "application/merge-patch+json"},
        )
        assert profile.status_code == 200, profile.text

        created = await x.post(
            "/v1/sessions", json={**SESSION, "candidate_id": me}, headers={"Idempotency-Key": "s1"}
        )
        assert created.status_code == 201, created.text
        url = f"/v1/sessions/{created.json()['id']}"
        assert (await x.put(f"{url}/answers", json={"answers": REFLECTION})).status_code == 200
        diagnosis = await x.post(f"{url}/diagnoses", json={"create_action_items": True})
        assert diagnosis.status_code == 201, diagnosis.text
        assert (await x.get(f"/v1/diagnoses/{diagnosis.json()['id']}")).status_code == 200
        item = await x.post(f"{url}/action-items", json={"text": "Ask Sam for an intro"})
        assert item.status_code == 201, item.text
        message = await x.post(f"{url}/messages", json={"kind": "feedback_request_email"})
        assert message.status_code == 201, message.text
        sent = await x.post(f"/v1/messages/{message.json()['id']}/sent", json={})
        assert sent.status_code == 200, sent.text
        moved = await x.post(f"{url}/transitions", json={"to": "feedback_received"})
        assert moved.status_code == 200, moved.text
        for read in (
            f"/v1/candidates/{me}/sessions",
            f"/v1/candidates/{me}/insights",
            f"/v1/candidates/{me}/export",
            f"{url}/events",
            f"{url}/action-items",
            f"{url}/diagnoses",
            f"{url}/messages",
            f"/v1/sessions/{world.x.session}",
        ):
            assert (await x.get(read)).status_code == 200, read
        sessions = (await x.get("/v1/sessions", params={"limit": 100})).json()["items"]
        assert {s["candidate_id"] for s in sessions} == {me}
        assert len(sessions) == 2

        # Shared read-only: built-in and published question sets, never drafts.
        sets = (await x.get("/v1/question-sets", params={"limit": 100})).json()["items"]
        ids = {s["id"] for s in sets}
        assert world.question_set_published in ids
        assert world.question_set_draft not in ids
        assert (await x.get("/v1/question-sets/shared-checkin")).status_code == 200
        pinned = await x.post(
            "/v1/sessions",
            json={
                **SESSION,
                "candidate_id": me,
                "self_reflection_set": {"key": "shared-checkin", "version": 1},
            },
        )
        assert pinned.status_code == 201, pinned.text


async def test_a_candidates_idempotency_keys_are_their_own(
    client: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    world = await make_world(api)
    body = {**SESSION, "candidate_id": world.x.candidate}
    by_platform = await api.post("/v1/sessions", json=body, headers={"Idempotency-Key": "k"})
    async with as_person(client, await mint_token(api, world.x.candidate)) as x:
        by_person = await x.post("/v1/sessions", json=body, headers={"Idempotency-Key": "k"})
    assert by_platform.status_code == by_person.status_code == 201
    assert by_person.json()["id"] != by_platform.json()["id"]
    assert "idempotent-replayed" not in by_person.headers
