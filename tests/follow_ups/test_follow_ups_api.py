"""The follow-up list, snoozing and dismissing, the cadence resource, and tenancy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.core.database import Database
from app.core.ids import utc_now
from app.core.security import Scope
from tests.candidates.test_candidates import ALEX
from tests.candidates.test_erasure import rows_mentioning
from tests.follow_ups.conftest import (
    at,
    follow_ups,
    only,
    open_session,
    reflect,
    run_job,
    write_and_send,
)
from tests.tenants import Tenant, as_person, make_key, mint_token

pytestmark = pytest.mark.anyio
DEFAULTS = {
    "feedback_request_after_days": 1,
    "nudge_after_days": 5,
    "thank_you_after_days": 0,
    "stay_in_touch_after_months": 3,
    "no_reply_after_days": 14,
}


async def test_snooze_by_days_or_until_and_it_falls_due_again(
    api: httpx.AsyncClient, database: Database, session_: dict[str, Any]
) -> None:
    request = await only(api, session_["id"], "feedback_request_email")
    url = f"/v1/follow-ups/{request['id']}"
    before = utc_now()
    snoozed = await api.post(f"{url}/snooze", json={"days": 3})
    assert snoozed.status_code == 200, snoozed.text
    assert snoozed.json()["status"] == "snoozed"
    until = at(snoozed.json()["due_at"])
    assert before + timedelta(days=3) <= until <= utc_now() + timedelta(days=3)
    await run_job(database, until - timedelta(minutes=1))
    assert (await api.get(url)).json()["status"] == "snoozed"
    await run_job(database, until + timedelta(minutes=1))
    assert (await api.get(url)).json()["status"] == "due"

    later = (utc_now() + timedelta(days=10)).replace(microsecond=0)
    again = await api.post(f"{url}/snooze", json={"until": later.isoformat()})
    assert at(again.json()["due_at"]) == later


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"days": 0}, "/body/days"),
        ({"days": 91}, "/body/days"),
        ({"days": "soon"}, "/body/days"),
        ({"until": "tomorrow"}, "/body/until"),
        ({"until": "2001-01-01T00:00:00Z"}, "/body/until"),
        ({"until": "2999-01-01T00:00:00Z"}, "/body/until"),
        ({}, "/body"),
        ({"days": 2, "until": "2999-01-01T00:00:00Z"}, "/body"),
        ({"days": 2, "hours": 3}, "/body/hours"),
    ],
)
async def test_a_snooze_out_of_bounds_is_a_422_with_the_pointer(
    api: httpx.AsyncClient, session_: dict[str, Any], body: dict[str, Any], pointer: str
) -> None:
    request = await only(api, session_["id"], "feedback_request_email")
    response = await api.post(f"/v1/follow-ups/{request['id']}/snooze", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert pointer in [e["pointer"] for e in response.json()["errors"]]


async def test_dismissed_is_final_and_dismissing_again_changes_nothing(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    request = await only(api, session_["id"], "feedback_request_email")
    url = f"/v1/follow-ups/{request['id']}"
    dismissed = await api.post(f"{url}/dismiss")
    assert dismissed.status_code == 200
    assert dismissed.json()["status"] == "dismissed"
    assert (await api.post(f"{url}/dismiss")).json() == dismissed.json()
    snoozed = await api.post(f"{url}/snooze", json={"days": 1})
    assert snoozed.status_code == 409
    assert snoozed.json()["follow_up_status"] == "dismissed"


async def test_a_done_follow_up_cannot_be_snoozed_or_dismissed(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    await reflect(api, session_["id"])
    await write_and_send(api, session_["id"], "feedback_request_email")
    request = await only(api, session_["id"], "feedback_request_email")
    assert request["status"] == "done"
    for action, body in (("snooze", {"days": 1}), ("dismiss", None)):
        response = await api.post(f"/v1/follow-ups/{request['id']}/{action}", json=body)
        assert response.status_code == 409, action
        assert "done" in response.json()["detail"]


async def test_the_list_is_soonest_first_filtered_and_paged(
    api: httpx.AsyncClient, database: Database, candidate: dict[str, Any]
) -> None:
    other = (await api.post("/v1/candidates", json={**ALEX, "external_ref": "b"})).json()
    decided = [3, 9, 5, 1, 7]
    for i, days in enumerate(decided):
        owner = candidate if i % 2 == 0 else other
        when = (utc_now() - timedelta(days=days)).date().isoformat()
        await open_session(api, owner["id"], decision_date=when)
    everything = await follow_ups(api)
    dues = [f["due_at"] for f in everything]
    assert len(everything) == 5
    assert dues == sorted(dues)
    # Page by two: the same follow-ups, in the same order, no repeats.
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await api.get("/v1/follow-ups", params=params)).json()
        seen += [f["id"] for f in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f["id"] for f in everything]

    mine = await follow_ups(api, candidate_id=candidate["id"])
    assert {f["candidate_id"] for f in mine} == {candidate["id"]}
    assert len(mine) == 3
    cutoff = everything[2]["due_at"]
    assert [f["id"] for f in await follow_ups(api, due_before=cutoff)] == [
        f["id"] for f in everything[:2]
    ]
    assert await follow_ups(api, kind="follow_up_nudge") == []
    # "What should each candidate do today": the due ones, in one call.
    await run_job(database, at(everything[1]["due_at"]))
    today = await follow_ups(api, status="due")
    assert [f["id"] for f in today] == [f["id"] for f in everything[:2]]
    both = await follow_ups(api, status=["due", "scheduled"])
    assert len(both) == 5
    bad = await api.get("/v1/follow-ups", params={"status": "later"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["pointer"].startswith("/query/status")


async def test_another_organisations_follow_ups_are_absent(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    request = await only(api, session_["id"], "feedback_request_email")
    url = f"/v1/follow-ups/{request['id']}"
    for response in (
        await other_api.get(url),
        await other_api.post(f"{url}/snooze", json={"days": 1}),
        await other_api.post(f"{url}/dismiss"),
        await other_api.get("/v1/follow-ups/fu_not-an-id"),
    ):
        assert response.status_code == 404
        assert response.json()["type"] == "/problems/not-found"
    assert await follow_ups(other_api) == []
    assert await follow_ups(other_api, candidate_id=session_["candidate_id"]) == []
    assert (await api.get(url)).json() == request


async def test_the_cadence_starts_from_the_method_and_changes_with_if_match(
    api: httpx.AsyncClient, database: Database, tenant: Tenant, client: httpx.AsyncClient
) -> None:
    first = await api.get("/v1/follow-up-cadence")
    assert first.status_code == 200
    assert first.json() == {**DEFAULTS, "is_default": True, "updated_at": None}
    etag = first.headers["etag"]
    changed = {**DEFAULTS, "nudge_after_days": 7}
    put = await api.put("/v1/follow-up-cadence", json=changed, headers={"If-Match": etag})
    assert put.status_code == 200, put.text
    assert put.json()["nudge_after_days"] == 7
    assert put.json()["is_default"] is False
    assert put.headers["etag"] != etag
    stale = await api.put("/v1/follow-up-cadence", json=DEFAULTS, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert (await api.get("/v1/follow-up-cadence")).json()["nudge_after_days"] == 7

    read_key = await make_key(database, tenant, Scope.READ)
    refused = await client.put(
        "/v1/follow-up-cadence", json=DEFAULTS, headers=tenant.headers(read_key)
    )
    assert refused.status_code == 403
    readable = await client.get("/v1/follow-up-cadence", headers=tenant.headers(read_key))
    assert readable.status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("feedback_request_after_days", -1),
        ("feedback_request_after_days", 31),
        ("nudge_after_days", 0),
        ("nudge_after_days", 31),
        ("thank_you_after_days", 8),
        ("stay_in_touch_after_months", 0),
        ("stay_in_touch_after_months", 25),
        ("no_reply_after_days", 0),
        ("no_reply_after_days", 91),
        ("no_reply_after_days", "two weeks"),
        ("no_reply_after_days", None),
    ],
)
async def test_every_delay_has_its_bounds(
    api: httpx.AsyncClient, field: str, value: object
) -> None:
    response = await api.put("/v1/follow-up-cadence", json={**DEFAULTS, field: value})
    assert response.status_code == 422, response.text
    assert [e["pointer"] for e in response.json()["errors"]] == [f"/body/{field}"]


async def test_a_cadence_is_whole_and_has_no_unknown_fields(api: httpx.AsyncClient) -> None:
    missing = {k: v for k, v in DEFAULTS.items() if k != "nudge_after_days"}
    response = await api.put("/v1/follow-up-cadence", json=missing)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/body/nudge_after_days"
    extra = await api.put("/v1/follow-up-cadence", json={**DEFAULTS, "call_after_days": 2})
    assert extra.status_code == 422
    assert extra.json()["errors"][0]["pointer"] == "/body/call_after_days"


async def test_a_cadence_change_applies_to_follow_ups_planned_after_it(
    api: httpx.AsyncClient, candidate: dict[str, Any]
) -> None:
    before = await open_session(api, candidate["id"])
    put = await api.put(
        "/v1/follow-up-cadence",
        json={**DEFAULTS, "feedback_request_after_days": 3, "nudge_after_days": 2},
    )
    assert put.status_code == 200
    after = await open_session(api, candidate["id"])
    old = at((await only(api, before["id"], "feedback_request_email"))["due_at"])
    new = at((await only(api, after["id"], "feedback_request_email"))["due_at"])
    assert new - old == timedelta(days=2)

    await reflect(api, after["id"])
    sent_at = utc_now() - timedelta(days=3)
    await write_and_send(api, after["id"], "feedback_request_email", sent_at)
    nudge = await only(api, after["id"], "follow_up_nudge")
    assert at(nudge["due_at"]) == sent_at + timedelta(days=2)


@pytest.mark.parametrize(("nudge_after_days", "allowed"), [(2, True), (5, False), (10, False)])
async def test_the_nudge_rule_reads_the_cadence(
    api: httpx.AsyncClient, session_: dict[str, Any], nudge_after_days: int, allowed: bool
) -> None:
    await api.put("/v1/follow-up-cadence", json={**DEFAULTS, "nudge_after_days": nudge_after_days})
    await reflect(api, session_["id"])
    await write_and_send(
        api, session_["id"], "feedback_request_email", utc_now() - timedelta(days=3)
    )
    response = await api.post(
        f"/v1/sessions/{session_['id']}/messages", json={"kind": "follow_up_nudge"}
    )
    if allowed:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 409
        assert f"give it {nudge_after_days} days" in response.json()["detail"]


async def test_follow_ups_are_in_the_export_and_go_with_the_candidate(
    api: httpx.AsyncClient, database: Database, session_: dict[str, Any]
) -> None:
    candidate_id = session_["candidate_id"]
    export = await api.get(f"/v1/candidates/{candidate_id}/export")
    assert export.status_code == 200
    (exported,) = export.json()["sessions"]
    request = await only(api, session_["id"], "feedback_request_email")
    assert exported["follow_ups"] == [request]
    # Everything that mentions them: follow-ups, their `follow_up.due` events, the feed.
    await run_job(database, at(request["due_at"]))
    assert (await api.post(f"/v1/candidates/{candidate_id}/calendar-feed")).status_code == 201
    assert (await api.delete(f"/v1/candidates/{candidate_id}")).status_code == 204
    assert await rows_mentioning(database, candidate_id, session_["id"], request["id"]) == []
    assert await follow_ups(api) == []
    assert (await api.get(f"/v1/follow-ups/{request['id']}")).status_code == 404


async def test_a_candidates_token_lists_and_moves_their_own_follow_ups_only(
    api: httpx.AsyncClient, client: httpx.AsyncClient, candidate: dict[str, Any]
) -> None:
    other = (await api.post("/v1/candidates", json={**ALEX, "external_ref": "other"})).json()
    mine = await open_session(api, candidate["id"])
    await open_session(api, other["id"])
    assert len(await follow_ups(api)) == 2
    async with as_person(client, await mint_token(api, candidate["id"])) as person:
        listed = await follow_ups(person)
        assert [f["session_id"] for f in listed] == [mine["id"]]
        snoozed = await person.post(f"/v1/follow-ups/{listed[0]['id']}/snooze", json={"days": 2})
        assert snoozed.status_code == 200
        assert (await person.get("/v1/follow-up-cadence")).status_code == 403
        feed = await person.post(f"/v1/candidates/{candidate['id']}/calendar-feed")
        assert feed.status_code == 201
        assert (await person.post(f"/v1/candidates/{other['id']}/calendar-feed")).status_code == 404
