"""The method over days and months, on a frozen clock: the job is run at chosen times."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.core.database import Database
from app.core.ids import utc_now
from app.follow_ups.schedule import add_months
from tests.follow_ups.conftest import (
    LEARNED,
    at,
    of_kind,
    only,
    reflect,
    run_job,
    schedule_call,
    write_and_send,
)

pytestmark = pytest.mark.anyio
MINUTE = timedelta(minutes=1)


async def _due_events(api: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await api.get("/v1/events", params={"type": "follow_up.due", "limit": 100})
    return list(response.json()["items"])


async def test_from_the_no_to_staying_in_touch(
    api: httpx.AsyncClient, database: Database, session_: dict[str, Any]
) -> None:
    sid = session_["id"]
    # The rejection: the request is due the morning after the decision (London time).
    request = await only(api, sid, "feedback_request_email")
    assert request["status"] == "scheduled"
    assert request["candidate_id"] == session_["candidate_id"]
    assert request["id"].startswith("fu_")
    due = at(request["due_at"])
    decided = session_["decision_date"]
    assert (due - timedelta(days=1)).date().isoformat() == decided
    assert due.hour in (8, 9)  # 9:00 in London, in winter or summer time

    assert await run_job(database, due - MINUTE) == "made 0 follow-ups due"
    assert (await only(api, sid, "feedback_request_email"))["status"] == "scheduled"
    assert await run_job(database, due + MINUTE) == "made 1 follow-ups due"
    assert await run_job(database, due + MINUTE) == "made 0 follow-ups due"
    assert (await only(api, sid, "feedback_request_email"))["status"] == "due"

    # The request goes out: done; a nudge and a "no reply" are planned.
    await reflect(api, sid)
    sent_at = due + timedelta(hours=2)
    sent = await write_and_send(api, sid, "feedback_request_email", sent_at)
    assert sent["session_status"] == "feedback_requested"
    request = await only(api, sid, "feedback_request_email")
    assert request["status"] == "done"
    assert request["resolved_at"] is not None
    nudge = await only(api, sid, "follow_up_nudge")
    assert at(nudge["due_at"]) == sent_at + timedelta(days=5)
    no_reply = await only(api, sid, "mark_no_reply")
    assert at(no_reply["due_at"]) == sent_at + timedelta(days=5 + 14)

    # Five days of silence: the nudge falls due, once.
    await run_job(database, sent_at + timedelta(days=5) - MINUTE)
    assert (await only(api, sid, "follow_up_nudge"))["status"] == "scheduled"
    await run_job(database, sent_at + timedelta(days=5) + MINUTE)
    assert (await only(api, sid, "follow_up_nudge"))["status"] == "due"

    # The interviewer answers with a call: no nudge, no "no reply"; a thank-you and a
    # stay-in-touch note are planned from the call.
    call_at = (utc_now() + timedelta(days=2)).replace(microsecond=0)
    assert (await schedule_call(api, sid, call_at)).status_code == 200
    assert (await only(api, sid, "follow_up_nudge"))["status"] == "cancelled"
    assert (await only(api, sid, "mark_no_reply"))["status"] == "cancelled"
    thank_you = await only(api, sid, "thank_you_email")
    end_of_call = call_at + timedelta(minutes=15)
    assert at(thank_you["due_at"]) == end_of_call
    assert at(thank_you["due_at"]).date() == call_at.date()
    stay = await only(api, sid, "stay_in_touch_note")
    assert at(stay["due_at"]) == add_months(end_of_call, 3)

    # The call: the thank-you is due the same day, and is sent.
    await run_job(database, end_of_call + MINUTE)
    assert (await only(api, sid, "thank_you_email"))["status"] == "due"
    assert (await only(api, sid, "stay_in_touch_note"))["status"] == "scheduled"
    sent = await write_and_send(api, sid, "thank_you_email", facts={"learned": LEARNED})
    assert sent["session_status"] == "feedback_received"
    assert (await only(api, sid, "thank_you_email"))["status"] == "done"
    # Feedback arriving plans no second thank-you.
    assert len(await of_kind(api, sid, "thank_you_email")) == 1

    # Three months on: time to stay in touch.
    await run_job(database, add_months(end_of_call, 3) - timedelta(days=1))
    assert (await only(api, sid, "stay_in_touch_note"))["status"] == "scheduled"
    await run_job(database, add_months(end_of_call, 3) + MINUTE)
    assert (await only(api, sid, "stay_in_touch_note"))["status"] == "due"

    # One `follow_up.due` event per follow-up that fell due, however often the job ran.
    events = await _due_events(api)
    kinds = [e["data"]["kind"] for e in events]
    assert kinds == [
        "feedback_request_email",
        "follow_up_nudge",
        "thank_you_email",
        "stay_in_touch_note",
    ]
    assert len({e["data"]["follow_up_id"] for e in events}) == 4
    assert all(e["data"]["session_id"] == sid for e in events)


async def test_closing_the_session_cancels_what_is_left(
    api: httpx.AsyncClient, database: Database, session_: dict[str, Any]
) -> None:
    sid = session_["id"]
    await reflect(api, sid)
    sent_at = utc_now() - timedelta(days=30)
    await write_and_send(api, sid, "feedback_request_email", sent_at)
    await run_job(database, utc_now())
    # Nobody answered: the nudge and then the "no reply" are due.
    assert (await only(api, sid, "follow_up_nudge"))["status"] == "due"
    assert (await only(api, sid, "mark_no_reply"))["status"] == "due"
    closed = await api.post(f"/v1/sessions/{sid}/transitions", json={"to": "closed"})
    assert closed.status_code == 200, closed.text
    # Closing is marking the outreach "no reply"; the unsent nudge is cancelled.
    assert (await only(api, sid, "mark_no_reply"))["status"] == "done"
    assert (await only(api, sid, "follow_up_nudge"))["status"] == "cancelled"
    assert (await only(api, sid, "feedback_request_email"))["status"] == "done"


async def test_a_closed_session_before_the_request_cancels_it(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    sid = session_["id"]
    await api.post(f"/v1/sessions/{sid}/transitions", json={"to": "closed"})
    assert (await only(api, sid, "feedback_request_email"))["status"] == "cancelled"


async def test_a_nudge_after_the_nudge_waits_from_the_nudge(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    sid = session_["id"]
    await reflect(api, sid)
    sent_at = utc_now() - timedelta(days=7)
    await write_and_send(api, sid, "feedback_request_email", sent_at)
    nudged_at = utc_now() - timedelta(days=1)
    await write_and_send(api, sid, "follow_up_nudge", nudged_at)
    assert (await only(api, sid, "follow_up_nudge"))["status"] == "done"
    no_reply = await only(api, sid, "mark_no_reply")
    assert no_reply["status"] == "scheduled"
    assert at(no_reply["due_at"]) == nudged_at + timedelta(days=14)


async def test_feedback_by_email_plans_a_thank_you_the_same_day(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    sid = session_["id"]
    await reflect(api, sid)
    await write_and_send(api, sid, "feedback_request_email", utc_now() - timedelta(days=2))
    received_at = utc_now() - timedelta(hours=1)
    moved = await api.post(
        f"/v1/sessions/{sid}/transitions",
        json={"to": "feedback_received", "at": received_at.isoformat()},
    )
    assert moved.status_code == 200, moved.text
    assert (await only(api, sid, "follow_up_nudge"))["status"] == "cancelled"
    thank_you = await only(api, sid, "thank_you_email")
    assert at(thank_you["due_at"]) == received_at
    stay = await only(api, sid, "stay_in_touch_note")
    assert at(stay["due_at"]) == add_months(received_at, 3)


async def test_only_a_rejection_asks_for_feedback_and_a_new_decision_date_moves_it(
    api: httpx.AsyncClient, candidate: dict[str, Any]
) -> None:
    from tests.follow_ups.conftest import open_session

    offer = await open_session(api, candidate["id"], outcome="offer")
    assert await of_kind(api, offer["id"], "feedback_request_email") == []
    became = await api.patch(
        f"/v1/sessions/{offer['id']}",
        json={"outcome": "rejected", "decision_date": "2030-01-10"},
        headers={"content-type": "application/merge-patch+json"},
    )
    assert became.status_code == 200, became.text
    request = await only(api, offer["id"], "feedback_request_email")
    assert request["due_at"].startswith("2030-01-11T")
    moved = await api.patch(
        f"/v1/sessions/{offer['id']}",
        json={"decision_date": "2030-02-01"},
        headers={"content-type": "application/merge-patch+json"},
    )
    assert moved.status_code == 200
    assert (await only(api, offer["id"], "feedback_request_email"))["due_at"].startswith(
        "2030-02-02T"
    )
