"""The article's path, end to end: a rejection, the reflection, the call, the close."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sessions.conftest import SESSION

pytestmark = pytest.mark.anyio


async def test_the_method_end_to_end(api: httpx.AsyncClient, candidate: dict[str, Any]) -> None:
    created = await api.post("/v1/sessions", json={**SESSION, "candidate_id": candidate["id"]})
    assert created.status_code == 201
    ses = created.json()
    url = f"/v1/sessions/{ses['id']}"
    assert created.headers["location"] == url
    assert ses["status"] == "open"
    assert ses["self_reflection"]["question_set"] == {"key": "self-reflection", "version": 1}
    assert ses["interviewer_feedback"]["question_set"] == {
        "key": "interviewer-feedback",
        "version": 1,
    }
    assert ses["self_reflection"]["progress"]["missing_required"] == [
        "wow_self_rating",
        "wanted_job",
    ]

    # Three partial saves, as a phone would send them.
    first = await api.put(
        f"{url}/answers",
        json={"answers": {"feeling": 2, "wow_self_rating": 3, "interviewer_signals": ["engaged"]}},
        headers={"If-Match": created.headers["etag"]},
    )
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "open"
    second = await api.put(
        f"{url}/answers",
        json={"answers": {"wanted_job": True, "had_advocate": False, "referral": False}},
        headers={"If-Match": first.headers["etag"]},
    )
    body = second.json()
    progress = body["self_reflection"]["progress"]
    assert "willing_to_invest" in progress["shown"]  # section 4 shown
    assert "better_fit_positions" not in progress["shown"]  # section 5 hidden
    assert progress["complete"]
    assert body["status"] == "reflected"  # completing the reflection moves it on
    assert body["timeline"]["reflected_at"]
    hidden = await api.put(f"{url}/answers", json={"answers": {"better_fit_positions": ["UX"]}})
    assert hidden.status_code == 422
    assert hidden.json()["errors"][0]["pointer"] == "/body/answers/better_fit_positions"
    third = await api.put(
        f"{url}/answers",
        json={
            "answers": {
                "missing_required_credentials": ["Healthcare domain"],
                "willing_to_invest": True,
                "feeling": None,
            }
        },
    )
    answers = third.json()["self_reflection"]["answers"]
    assert answers["willing_to_invest"] is True
    assert "feeling" not in answers  # null removed it

    requested = await api.post(f"{url}/transitions", json={"to": "feedback_requested"})
    assert requested.json()["status"] == "feedback_requested"
    early_close_check = await api.post(f"{url}/transitions", json={"to": "reflected"})
    assert early_close_check.status_code == 409
    assert early_close_check.json()["allowed"] == ["call_scheduled", "feedback_received", "closed"]
    no_time = await api.post(f"{url}/transitions", json={"to": "call_scheduled"})
    assert no_time.status_code == 422
    scheduled = await api.post(
        f"{url}/transitions",
        json={"to": "call_scheduled", "call_scheduled_for": "2030-12-02T15:00:00Z"},
    )
    assert scheduled.json()["timeline"]["call_scheduled_for"] == "2030-12-02T15:00:00Z"

    feedback = await api.put(
        f"{url}/interviewer-feedback",
        json={
            "answers": {
                "interview_feedback": "Strong portfolio; less healthcare context.",
                "hired_edge": ["domain_knowledge"],
                "stay_in_touch": True,
            }
        },
    )
    assert feedback.status_code == 200
    assert feedback.json()["interviewer_feedback"]["progress"]["answered"] == [
        "interview_feedback",
        "hired_edge",
        "stay_in_touch",
    ]
    # Recording the interviewer's answers is the feedback arriving: the session moves on.
    assert feedback.json()["status"] == "feedback_received"
    assert feedback.json()["timeline"]["feedback_received_at"]
    closed = await api.post(f"{url}/transitions", json={"to": "closed"})
    assert closed.json()["status"] == "closed"
    after = await api.post(f"{url}/transitions", json={"to": "feedback_requested"})
    assert after.status_code == 409
    assert after.json()["allowed"] == []

    events = (await api.get(f"{url}/events", params={"limit": 100})).json()["items"]
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "created"
    assert kinds.count("answers_updated") == 3
    moves = [(e["data"]["from"], e["data"]["to"]) for e in events if e["kind"] == "status_changed"]
    assert moves == [
        ("open", "reflected"),
        ("reflected", "feedback_requested"),
        ("feedback_requested", "call_scheduled"),
        ("call_scheduled", "feedback_received"),
        ("feedback_received", "closed"),
    ]
    page = (await api.get(f"{url}/events", params={"limit": 3})).json()
    assert len(page["items"]) == 3
    assert page["next_cursor"]
