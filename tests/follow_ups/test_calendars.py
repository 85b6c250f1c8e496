"""Call invites that stay right, and the candidate's subscribable calendar feed."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import icalendar
import pytest

from app.core.database import Database
from app.core.ids import utc_now
from tests.candidates.test_erasure import rows_mentioning
from tests.follow_ups.conftest import PUBLIC_BASE_URL, reflect, schedule_call, write_and_send

pytestmark = pytest.mark.anyio


def _future(days: int) -> Any:
    return (utc_now() + timedelta(days=days)).replace(microsecond=0)


async def _scheduled(api: httpx.AsyncClient, session_: dict[str, Any], days: int = 3) -> str:
    sid = session_["id"]
    await reflect(api, sid)
    await write_and_send(api, sid, "feedback_request_email")
    assert (await schedule_call(api, sid, _future(days))).status_code == 200
    script = await api.post(f"/v1/sessions/{sid}/messages", json={"kind": "call_script"})
    assert script.status_code == 201, script.text
    return str(script.json()["id"])


async def _invite(api: httpx.AsyncClient, message_id: str) -> icalendar.Calendar:
    response = await api.get(f"/v1/messages/{message_id}", params={"format": "ics"})
    assert response.status_code == 200, response.text
    return icalendar.Calendar.from_ical(response.content)


async def test_a_rescheduled_call_keeps_its_uid_and_raises_its_sequence(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    message_id = await _scheduled(api, session_)
    first = await _invite(api, message_id)
    (event,) = first.walk("VEVENT")
    uid, sequence = str(event["uid"]), int(event["sequence"])
    assert uid == f"call-{session_['id']}@debrief"
    assert str(first["method"]) == "REQUEST"

    for days in (4, 6):
        moved = _future(days)
        assert (await schedule_call(api, session_["id"], moved)).status_code == 200
        # The invite that came with the script follows the call.
        calendar = await _invite(api, message_id)
        (event,) = calendar.walk("VEVENT")
        assert str(event["uid"]) == uid
        assert int(event["sequence"]) > sequence
        assert event.decoded("dtstart") == moved
        assert str(calendar["method"]) == "REQUEST"
        sequence = int(event["sequence"])


async def test_a_cancelled_call_is_a_cancel_of_the_same_event(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    message_id = await _scheduled(api, session_)
    (before,) = (await _invite(api, message_id)).walk("VEVENT")
    requested_at = (await api.get(f"/v1/sessions/{session_['id']}")).json()["timeline"][
        "feedback_requested_at"
    ]
    cancelled = await api.post(
        f"/v1/sessions/{session_['id']}/transitions", json={"to": "feedback_requested"}
    )
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["status"] == "feedback_requested"
    assert body["timeline"]["call_cancelled_at"] is not None
    # Cancelling the call does not move the date the request went out.
    assert body["timeline"]["feedback_requested_at"] == requested_at

    calendar = await _invite(api, message_id)
    assert str(calendar["method"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == str(before["uid"])
    assert int(event["sequence"]) > int(before["sequence"])
    assert str(event["status"]) == "CANCELLED"
    assert event.decoded("dtstart") == before.decoded("dtstart")
    assert calendar.walk("VALARM") == []

    events = (await api.get("/v1/events", params={"type": "call.cancelled"})).json()["items"]
    assert [e["session_id"] for e in events] == [session_["id"]]
    follow_ups = (
        await api.get("/v1/follow-ups", params={"session_id": session_["id"], "limit": 100})
    ).json()["items"]
    statuses = {f["kind"]: f["status"] for f in follow_ups}
    assert statuses == {
        "feedback_request_email": "done",
        "follow_up_nudge": "cancelled",
        "mark_no_reply": "cancelled",
        "thank_you_email": "cancelled",
        "stay_in_touch_note": "cancelled",
    }

    # Scheduled again: the same event comes back, newer still.
    assert (await schedule_call(api, session_["id"], _future(9))).status_code == 200
    again = await _invite(api, message_id)
    assert str(again["method"]) == "REQUEST"
    (event_again,) = again.walk("VEVENT")
    assert str(event_again["uid"]) == str(before["uid"])
    assert int(event_again["sequence"]) > int(event["sequence"])


async def test_the_invite_shows_the_interviewer_nothing_meant_for_the_candidate(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    message_id = await _scheduled(api, session_)
    script = (await api.get(f"/v1/messages/{message_id}")).json()
    raw = (await api.get(f"/v1/messages/{message_id}", params={"format": "ics"})).text
    unfolded = raw.replace("\r\n ", "").replace("\\,", ",").replace("\\;", ";")
    candidate_only = [script["subject"]] + [q["ask"] for q in script["questions"]]
    candidate_only += [line.strip() for line in script["text"].splitlines() if len(line) > 25]
    for text in candidate_only:
        assert text not in unfolded, text
    assert re.search(r"\bscript\b", unfolded, re.IGNORECASE) is None
    (event,) = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert "feedback" in str(event["description"])
    # The script itself stays in the candidate's copy.
    assert script["questions"][0]["ask"] in script["text"]


@pytest.mark.parametrize("ago", [timedelta(minutes=1), timedelta(days=400)])
async def test_a_call_in_the_past_is_a_422_with_the_pointer(
    api: httpx.AsyncClient, session_: dict[str, Any], ago: timedelta
) -> None:
    sid = session_["id"]
    await reflect(api, sid)
    await write_and_send(api, sid, "feedback_request_email")
    for attempt in range(2):  # scheduling it, then rescheduling it
        response = await schedule_call(api, sid, utc_now() - ago)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["pointer"] == "/body/call_scheduled_for"
        assert "past" in response.json()["detail"]
        if attempt == 0:
            assert (await schedule_call(api, sid, _future(2))).status_code == 200


async def _feed(api: httpx.AsyncClient, candidate_id: str) -> str:
    response = await api.post(f"/v1/candidates/{candidate_id}/calendar-feed")
    assert response.status_code == 201, response.text
    return str(response.json()["url"])


def _path(url: str) -> str:
    """The path the API serves, under the public address it was told it has."""
    return urlsplit(url).path.removeprefix(urlsplit(PUBLIC_BASE_URL).path)


async def test_the_feed_lists_calls_and_follow_ups_without_authorization(
    api: httpx.AsyncClient, client: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    await _scheduled(api, session_)
    url = await _feed(api, session_["candidate_id"])
    assert url.startswith(PUBLIC_BASE_URL + "/v1/calendar-feeds/")
    assert url.endswith(".ics")
    response = await client.get(_path(url))  # no Authorization header
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    assert "private" in response.headers["cache-control"]
    calendar = icalendar.Calendar.from_ical(response.content)
    uids = sorted(str(e["uid"]) for e in calendar.walk("VEVENT"))
    follow_ups = (await api.get("/v1/follow-ups", params={"limit": 100})).json()["items"]
    open_ones = [f for f in follow_ups if f["status"] in ("scheduled", "due", "snoozed")]
    assert {f["kind"] for f in open_ones} == {"thank_you_email", "stay_in_touch_note"}
    expected = [f"call-{session_['id']}@debrief"] + [f"{f['id']}@debrief" for f in open_ones]
    assert uids == sorted(expected)
    # Stable: the same events, by the same UIDs, on every read.
    again = icalendar.Calendar.from_ical((await client.get(_path(url))).content)
    assert sorted(str(e["uid"]) for e in again.walk("VEVENT")) == uids


async def test_a_rotated_or_revoked_feed_token_is_a_404(
    api: httpx.AsyncClient,
    client: httpx.AsyncClient,
    other_api: httpx.AsyncClient,
    database: Database,
    session_: dict[str, Any],
) -> None:
    candidate_id = session_["candidate_id"]
    first = await _feed(api, candidate_id)
    second = await _feed(api, candidate_id)
    assert first != second
    old = await client.get(_path(first))
    assert old.status_code == 404
    assert old.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(_path(second))).status_code == 200
    # Only a hash of the token is stored.
    token = _path(second).rsplit("/", 1)[1].removesuffix(".ics")
    assert await rows_mentioning(database, token) == []

    # Another organisation can neither issue nor revoke this candidate's feed.
    assert (await other_api.post(f"/v1/candidates/{candidate_id}/calendar-feed")).status_code == 404
    assert (
        await other_api.delete(f"/v1/candidates/{candidate_id}/calendar-feed")
    ).status_code == 404
    assert (await client.get(_path(second))).status_code == 200

    assert (await api.delete(f"/v1/candidates/{candidate_id}/calendar-feed")).status_code == 204
    assert (await client.get(_path(second))).status_code == 404
    assert (await api.delete(f"/v1/candidates/{candidate_id}/calendar-feed")).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/v1/calendar-feeds/not-a-token.ics",
        "/v1/calendar-feeds/" + "A" * 43 + ".ics",
        "/v1/calendar-feeds/" + "A" * 300 + ".ics",
        "/v1/calendar-feeds/.ics",
        "/v1/calendar-feeds/",
    ],
)
async def test_the_feed_reveals_nothing_without_its_token(
    api: httpx.AsyncClient, client: httpx.AsyncClient, session_: dict[str, Any], path: str
) -> None:
    await _feed(api, session_["candidate_id"])
    response = await client.get(path)
    assert response.status_code in (404, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "BEGIN:VCALENDAR" not in response.text
    assert session_["company"] not in response.text


async def test_the_feed_token_stays_out_of_the_access_log(
    api: httpx.AsyncClient,
    client: httpx.AsyncClient,
    session_: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = await _feed(api, session_["candidate_id"])
    token = _path(url).rsplit("/", 1)[1].removesuffix(".ics")
    with caplog.at_level(logging.INFO):
        assert (await client.get(_path(url))).status_code == 200
        assert (await client.get(_path(url).replace(token, token[::-1]))).status_code == 404
    server = [r for r in caplog.records if r.name.startswith("debrief")]
    assert "/v1/calendar-feeds/[redacted].ics" in [getattr(r, "path", "") for r in server]
    assert not [r for r in server if token in r.getMessage() or token in str(r.__dict__)]
