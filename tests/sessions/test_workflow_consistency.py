"""A workflow that never contradicts itself: branching answers, 409s, closed sessions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

WANTED = {
    "wow_self_rating": 3,
    "wanted_job": True,
    "missing_required_credentials": ["Portfolio"],
    "willing_to_invest": True,
}


async def _answers(api: httpx.AsyncClient, url: str, answers: dict[str, Any]) -> httpx.Response:
    return await api.put(f"{url}/answers", json={"answers": answers})


async def test_flipping_a_branching_answer_keeps_hidden_answers_and_restores_them(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    url = f"/v1/sessions/{session_['id']}"
    assert (await _answers(api, url, WANTED)).status_code == 200

    flipped = await _answers(api, url, {"wanted_job": False})
    assert flipped.status_code == 200, flipped.text
    part = flipped.json()["self_reflection"]
    assert part["hidden_answers"] == {
        "missing_required_credentials": ["Portfolio"],
        "willing_to_invest": True,
    }
    assert "willing_to_invest" not in part["answers"]
    assert "willing_to_invest" not in part["progress"]["answered"]
    assert "better_fit_positions" in part["progress"]["shown"]

    # Hidden answers are out of the diagnosis: no on-paper rule reads them.
    diagnosis = (await api.post(f"{url}/diagnoses", json={})).json()
    fired = {rule["id"] for rule in diagnosis["verdict"]["fired_rules"]}
    assert "missing_required_credentials" not in fired
    assert "answers.willing_to_invest" not in diagnosis["verdict"]["missing"]

    back = await _answers(api, url, {"wanted_job": True})
    assert back.json()["self_reflection"]["hidden_answers"] == {}
    assert back.json()["self_reflection"]["answers"] == WANTED


async def test_answering_a_hidden_question_in_the_request_is_still_a_422(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    url = f"/v1/sessions/{session_['id']}"
    response = await _answers(api, url, {"wanted_job": False, "willing_to_invest": True})
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["/body/answers/willing_to_invest"]
    unknown = await _answers(api, url, {"no_such_question": 1})
    assert [e["pointer"] for e in unknown.json()["errors"]] == ["/body/answers/no_such_question"]


async def test_every_move_a_409_allows_succeeds(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    """From each status the session can reach, whatever `allowed` lists is then accepted."""
    url = f"/v1/sessions/{session_['id']}"
    seen = 0
    for target in ("reflected", "feedback_requested", "call_scheduled", "feedback_received"):
        refused = await api.post(f"{url}/transitions", json={"to": "open"})
        assert refused.status_code == 409
        assert target in refused.json()["allowed"] or target == "reflected"
        if target == "reflected":
            assert "reflected" not in refused.json()["allowed"]
            assert (await _answers(api, url, WANTED)).json()["status"] == "reflected"
            continue
        body: dict[str, Any] = {"to": target}
        if target == "call_scheduled":
            body["call_scheduled_for"] = "2030-12-03T15:00:00Z"
        assert (await api.post(f"{url}/transitions", json=body)).status_code == 200
        seen += 1
    assert seen == 3


async def test_call_scheduled_records_when_it_happened_and_the_call_time_apart(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    url = f"/v1/sessions/{session_['id']}"
    await _answers(api, url, WANTED)
    await api.post(f"{url}/transitions", json={"to": "feedback_requested"})
    before = datetime.now(UTC)
    moved = await api.post(
        f"{url}/transitions",
        json={"to": "call_scheduled", "call_scheduled_for": "2027-01-05T15:00:00Z"},
    )
    assert moved.json()["timeline"]["call_scheduled_for"] == "2027-01-05T15:00:00Z"
    events = (await api.get(f"{url}/events", params={"limit": 100})).json()["items"]
    (event,) = [e for e in events if e["data"].get("to") == "call_scheduled"]
    assert event["data"]["call_scheduled_for"] == "2027-01-05T15:00:00+00:00"
    assert datetime.fromisoformat(event["data"]["at"]) >= before.replace(microsecond=0)
    assert datetime.fromisoformat(event["data"]["at"]) < datetime(2027, 1, 1, tzinfo=UTC)


async def test_recording_feedback_moves_the_session_when_the_workflow_allows(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    url = f"/v1/sessions/{session_['id']}"
    await _answers(api, url, WANTED)
    early = await api.put(f"{url}/interviewer-feedback", json={"answers": {"stay_in_touch": True}})
    assert early.json()["status"] == "reflected"  # not requested yet: nothing to receive
    await api.post(f"{url}/transitions", json={"to": "feedback_requested"})
    received = await api.put(
        f"{url}/interviewer-feedback", json={"answers": {"right_opportunities": True}}
    )
    assert received.json()["status"] == "feedback_received"


async def test_a_closed_session_is_read_only(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    url = f"/v1/sessions/{session_['id']}"
    assert (await api.post(f"{url}/transitions", json={"to": "closed"})).status_code == 200
    writes = [
        await _answers(api, url, {"wow_self_rating": 4}),
        await api.put(f"{url}/interviewer-feedback", json={"answers": {"stay_in_touch": True}}),
        await api.post(f"{url}/messages", json={"kind": "feedback_request_email"}),
        await api.patch(url, json={"notes": "more"}),
        await api.post(f"{url}/transitions", json={"to": "reflected"}),
    ]
    for response in writes:
        assert response.status_code == 409, response.text
        assert response.json()["allowed"] == []
        assert "cannot be reopened" in response.json()["detail"]
    assert (await api.get(url)).json()["status"] == "closed"
