from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from app.core.config import Settings
from app.core.database import Database
from app.main import create_app
from tests.sessions.conftest import SESSION
from tests.tenants import Tenant

pytestmark = pytest.mark.anyio


async def test_session_defaults_and_etag(api: httpx.AsyncClient, candidate: dict[str, Any]) -> None:
    minimal = {"candidate_id": candidate["id"], "company": "Acme", "role_title": "Analyst"}
    response = await api.post("/v1/sessions", json=minimal)
    body = response.json()
    assert (body["outcome"], body["stage_reached"], body["status"]) == (
        "rejected",
        "first_interview",
        "open",
    )
    assert body["posting"] == {
        "url": None,
        "required_credentials": [],
        "preferred_credentials": [],
        "years_required": None,
    }
    fetched = await api.get(f"/v1/sessions/{body['id']}")
    assert fetched.json() == body
    assert fetched.headers["etag"] == response.headers["etag"]
    cached = await api.get(
        f"/v1/sessions/{body['id']}", headers={"If-None-Match": fetched.headers["etag"]}
    )
    assert cached.status_code == 304


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"candidate_id": "cand_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"}, "/body/candidate_id"),
        ({"company": ""}, "/body/company"),
        ({"stage_reached": "coffee"}, "/body/stage_reached"),
        ({"outcome": "maybe"}, "/body/outcome"),
        ({"interview_date": "10/11/2026"}, "/body/interview_date"),
        ({"posting": {"url": "not a url"}}, "/body/posting/url"),
        ({"posting": {"years_required": 61}}, "/body/posting/years_required"),
        ({"posting": {"required_credentials": ["x"] * 31}}, "/body/posting/required_credentials"),
        ({"interviewer": {"email": "nope"}}, "/body/interviewer/email"),
        ({"interviewer": {"phone": "call me"}}, "/body/interviewer/phone"),
        ({"interviewer": {"shoe_size": 9}}, "/body/interviewer/shoe_size"),
        ({"notes": "x" * 10_001}, "/body/notes"),
        ({"mood": "sad"}, "/body/mood"),
        ({"self_reflection_set": {"key": "nope", "version": 1}}, "/body/self_reflection_set"),
        (
            {"self_reflection_set": {"key": "interviewer-feedback", "version": 1}},
            "/body/self_reflection_set",
        ),
    ],
)
async def test_bad_sessions_point_at_the_field_and_store_nothing(
    api: httpx.AsyncClient, candidate: dict[str, Any], change: dict[str, Any], pointer: str
) -> None:
    response = await api.post(
        "/v1/sessions", json={**SESSION, "candidate_id": candidate["id"], **change}
    )
    assert response.status_code == 422, response.text
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
    assert (await api.get("/v1/sessions")).json()["items"] == []


async def test_pinning_a_custom_set(api: httpx.AsyncClient, candidate: dict[str, Any]) -> None:
    from tests.question_sets.test_api import MY_SET

    await api.post("/v1/question-sets", json=MY_SET)
    pin = {"key": "coach-checkin", "version": 1}
    draft = await api.post(
        "/v1/sessions",
        json={**SESSION, "candidate_id": candidate["id"], "self_reflection_set": pin},
    )
    assert draft.status_code == 422
    assert "draft" in draft.json()["detail"]
    await api.post("/v1/question-sets/coach-checkin/versions/1/publish")
    pinned = await api.post(
        "/v1/sessions",
        json={**SESSION, "candidate_id": candidate["id"], "self_reflection_set": pin},
    )
    assert pinned.status_code == 201
    url = f"/v1/sessions/{pinned.json()['id']}"
    wrong = await api.put(f"{url}/answers", json={"answers": {"wanted_job": True}})
    assert wrong.json()["errors"][0]["code"] == "unknown_question"
    done = await api.put(f"{url}/answers", json={"answers": {"applied": True, "how_many": 3}})
    assert done.json()["status"] == "reflected"


async def test_invalid_answers_store_nothing(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    url = f"/v1/sessions/{session_['id']}"
    response = await api.put(
        f"{url}/answers",
        json={"answers": {"feeling": 3, "wow_self_rating": 7, "interviewer_signals": ["sleepy"]}},
    )
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == [
        "/body/answers/wow_self_rating",
        "/body/answers/interviewer_signals/0",
    ]
    stored = (await api.get(url)).json()
    assert stored["self_reflection"]["answers"] == {}
    assert stored["updated_at"] == session_["updated_at"]


async def test_reflected_needs_a_complete_reflection(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    url = f"/v1/sessions/{session_['id']}"
    early = await api.post(f"{url}/transitions", json={"to": "reflected"})
    assert early.status_code == 409
    assert "wow_self_rating" in early.json()["missing_required"]
    assert "_" not in early.json()["detail"].replace("missing_required", "")
    # Only moves that would succeed now: not `reflected` while it is incomplete.
    assert early.json()["allowed"] == ["closed"]
    skip = await api.post(f"{url}/transitions", json={"to": "call_scheduled"})
    assert skip.status_code == 409
    assert skip.json()["allowed"] == ["closed"]
    assert (await api.post(f"{url}/transitions", json={"to": "closed"})).status_code == 200
    assert (await api.post(f"{url}/transitions", json={"to": "open"})).status_code == 409
    assert (await api.post(f"{url}/transitions", json={"to": "sideways"})).status_code == 422


async def test_merge_patch_of_facts(api: httpx.AsyncClient, session_: dict[str, Any]) -> None:
    url = f"/v1/sessions/{session_['id']}"
    patched = await api.patch(
        url,
        json={
            "posting": {"years_required": None, "preferred_credentials": []},
            "interviewer": {"phone": "+44 20 7946 0000"},
            "outcome": "no_response",
            "notes": "Follow up in January",
        },
        headers={"content-type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["posting"]["years_required"] is None
    assert body["posting"]["required_credentials"] == ["Portfolio"]
    assert body["interviewer"]["name"] == "Jordan Lee"
    assert body["interviewer"]["phone"] == "+44 20 7946 0000"
    assert body["outcome"] == "no_response"
    bad = await api.patch(url, json={"posting": {"url": "ftp//nope"}})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["pointer"] == "/body/posting/url"
    null_company = await api.patch(url, json={"company": None})
    assert null_company.status_code == 422
    events = (await api.get(f"{url}/events")).json()["items"]
    assert events[-1]["kind"] == "updated"
    assert events[-1]["data"]["fields"] == ["interviewer", "notes", "outcome", "posting"]


async def test_lists_and_filters(
    api: httpx.AsyncClient, candidate: dict[str, Any], session_: dict[str, Any]
) -> None:
    other = (
        await api.post("/v1/candidates", json={"external_ref": "c2", "display_name": "Sam"})
    ).json()
    await api.post(
        "/v1/sessions",
        json={
            **SESSION,
            "candidate_id": other["id"],
            "company": "Contoso",
            "outcome": "offer",
            "stage_reached": "offer_stage",
            "decision_date": "2026-10-01",
        },
    )

    async def ids(**params: Any) -> list[str]:
        body = (await api.get("/v1/sessions", params=params)).json()
        return [item["company"] for item in body["items"]]

    assert await ids() == ["Northwind Health", "Contoso"]
    assert await ids(candidate_id=other["id"]) == ["Contoso"]
    assert await ids(outcome="offer") == ["Contoso"]
    assert await ids(stage="final_interview") == ["Northwind Health"]
    assert await ids(company="Contoso") == ["Contoso"]
    assert await ids(status="open") == ["Northwind Health", "Contoso"]
    assert await ids(decided_from="2026-11-01") == ["Northwind Health"]
    assert await ids(decided_to="2026-10-31") == ["Contoso"]
    mine = (await api.get(f"/v1/candidates/{candidate['id']}/sessions")).json()["items"]
    assert [s["id"] for s in mine] == [session_["id"]]
    assert (await api.get("/v1/candidates/cand_nope/sessions")).status_code == 404


async def test_action_items(api: httpx.AsyncClient, session_: dict[str, Any]) -> None:
    base = f"/v1/sessions/{session_['id']}/action-items"
    created = await api.post(
        base, json={"text": "Ask two team members for a short chat", "due_date": "2026-12-05"}
    )
    assert created.status_code == 201
    item = created.json()
    assert (item["source"], item["status"]) == ("manual", "todo")
    assert created.headers["location"] == f"{base}/{item['id']}"
    done = await api.patch(
        f"{base}/{item['id']}",
        json={"status": "done"},
        headers={"If-Match": created.headers["etag"]},
    )
    assert done.json()["status"] == "done"
    stale = await api.patch(
        f"{base}/{item['id']}",
        json={"status": "doing"},
        headers={"If-Match": created.headers["etag"]},
    )
    assert stale.status_code == 412
    assert (await api.post(base, json={"text": ""})).status_code == 422
    assert (await api.post(base, json={"text": "x", "source": "diagnosis"})).status_code == 422
    listing = (await api.get(base)).json()["items"]
    assert [i["id"] for i in listing] == [item["id"]]
    assert (await api.delete(f"{base}/{item['id']}")).status_code == 204
    assert (await api.get(f"{base}/{item['id']}")).status_code == 404
    assert (await api.get("/v1/sessions/ses_nope/action-items")).status_code == 404
    kinds = [
        e["kind"] for e in (await api.get(f"/v1/sessions/{session_['id']}/events")).json()["items"]
    ]
    assert kinds[-3:] == ["action_item_added", "action_item_updated", "action_item_deleted"]


async def test_insights(api: httpx.AsyncClient, candidate: dict[str, Any]) -> None:
    empty = (await api.get(f"/v1/candidates/{candidate['id']}/insights")).json()
    assert empty["sessions"] == 0
    assert empty["ratio"]["nos_per_yes"] is None
    plan = [
        ("rejected", "application"),
        ("rejected", "phone_screen"),
        ("rejected", "final_interview"),
        ("no_response", "application"),
        ("offer", "offer_stage"),
        ("withdrawn", "first_interview"),
    ]
    for n, (outcome, stage) in enumerate(plan):
        ses = (
            await api.post(
                "/v1/sessions",
                json={
                    "candidate_id": candidate["id"],
                    "company": f"C{n}",
                    "role_title": "R",
                    "outcome": outcome,
                    "stage_reached": stage,
                },
            )
        ).json()
        if n == 0:
            items = f"/v1/sessions/{ses['id']}/action-items"
            await api.post(items, json={"text": "a", "status": "done"})
            await api.post(items, json={"text": "b"})
            await api.post(items, json={"text": "c", "status": "dropped"})
    body = (await api.get(f"/v1/candidates/{candidate['id']}/insights")).json()
    assert body["sessions"] == 6
    assert body["by_outcome"] == {"rejected": 3, "offer": 1, "withdrawn": 1, "no_response": 1}
    assert body["ratio"]["nos"] == 4
    assert body["ratio"]["nos_per_yes"] == 4.0
    assert "better than the usual five to ten" in body["ratio"]["message"]
    funnel = {step["stage"]: (step["ended_here"], step["reached"]) for step in body["funnel"]}
    assert funnel["application"] == (2, 6)
    assert funnel["phone_screen"] == (1, 4)
    assert funnel["first_interview"] == (1, 3)
    assert funnel["final_interview"] == (1, 2)
    assert funnel["offer_stage"] == (1, 1)
    assert body["action_items"] == {"done": 1, "open": 1, "dropped": 1}


def test_ratio_messages_are_kind_and_in_context() -> None:
    from app.sessions.insights import ratio_message

    assert "still early" in ratio_message(2, 0)
    assert "right in the range" in ratio_message(7, 0)
    assert "not a verdict on you" in ratio_message(14, 0)
    assert "within the usual" in ratio_message(12, 2)
    assert '1 "no" so far' in ratio_message(1, 0)


async def test_export_and_erasure(
    api: httpx.AsyncClient, candidate: dict[str, Any], session_: dict[str, Any], database: Database
) -> None:
    url = f"/v1/sessions/{session_['id']}"
    await api.put(f"{url}/answers", json={"answers": {"wanted_job": True}})
    await api.post(
        f"{url}/action-items",
        json={"text": "Plan the course"},
        headers={"Idempotency-Key": "item-1"},
    )
    export = (await api.get(f"/v1/candidates/{candidate['id']}/export")).json()
    assert export["candidate"]["id"] == candidate["id"]
    (exported,) = export["sessions"]
    assert exported["self_reflection"]["answers"] == {"wanted_job": True}
    assert [e["kind"] for e in exported["events"]][:2] == ["created", "answers_updated"]
    assert exported["action_items"][0]["text"] == "Plan the course"

    from tests.candidates.test_erasure import rows_mentioning

    assert await rows_mentioning(database, session_["id"])
    assert (await api.delete(f"/v1/candidates/{candidate['id']}")).status_code == 204
    assert await rows_mentioning(database, candidate["id"], session_["id"], "Plan the course") == []
    assert (await api.get(url)).status_code == 404


async def test_other_tenants_sessions_are_invisible(
    api: httpx.AsyncClient,
    other_api: httpx.AsyncClient,
    session_: dict[str, Any],
    candidate: dict[str, Any],
) -> None:
    url = f"/v1/sessions/{session_['id']}"
    item = (await api.post(f"{url}/action-items", json={"text": "mine"})).json()
    for response in (
        await other_api.get(url),
        await other_api.patch(url, json={"notes": "x"}),
        await other_api.delete(url),
        await other_api.put(f"{url}/answers", json={"answers": {}}),
        await other_api.put(f"{url}/interviewer-feedback", json={"answers": {}}),
        await other_api.post(f"{url}/transitions", json={"to": "closed"}),
        await other_api.get(f"{url}/events"),
        await other_api.get(f"{url}/action-items"),
        await other_api.get(f"{url}/action-items/{item['id']}"),
        await other_api.patch(f"{url}/action-items/{item['id']}", json={"text": "x"}),
        await other_api.delete(f"{url}/action-items/{item['id']}"),
        await other_api.get(f"/v1/candidates/{candidate['id']}/sessions"),
        await other_api.get(f"/v1/candidates/{candidate['id']}/insights"),
        await other_api.get(f"/v1/candidates/{candidate['id']}/export"),
    ):
        assert response.status_code == 404, response.request.url
    assert (await other_api.get("/v1/sessions", params={"limit": 100})).json()["items"] == []
    theirs = await other_api.post("/v1/sessions", json={**SESSION, "candidate_id": candidate["id"]})
    assert theirs.status_code == 422  # my candidate is no candidate of theirs
    assert (await api.get(url)).json()["status"] == "open"


async def test_two_app_instances_one_database_no_lost_update(
    settings: Settings, tenant: Tenant, session_: dict[str, Any]
) -> None:
    """Two processes' worth of app, engine and pool on one database, racing with If-Match."""
    url = f"/v1/sessions/{session_['id']}"
    instances = [Database(settings.effective_database_url) for _ in range(2)]
    clients = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(settings, database=db)),
            base_url="http://test",
            headers=tenant.headers(),
        )
        for db in instances
    ]
    try:
        etag = (await clients[0].get(url)).headers["etag"]
        responses = await asyncio.gather(
            clients[0].put(
                f"{url}/answers", json={"answers": {"feeling": 1}}, headers={"If-Match": etag}
            ),
            clients[1].put(
                f"{url}/answers",
                json={"answers": {"wow_self_rating": 5}},
                headers={"If-Match": etag},
            ),
        )
        assert sorted(r.status_code for r in responses) == [200, 412]
        winner = next(r for r in responses if r.status_code == 200).json()
        stored = (await clients[1].get(url)).json()
        assert stored["self_reflection"]["answers"] == winner["self_reflection"]["answers"]
        assert len(stored["self_reflection"]["answers"]) == 1
    finally:
        for client in clients:
            await client.aclose()
        for db in instances:
            await db.dispose()
