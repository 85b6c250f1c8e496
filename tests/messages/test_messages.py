from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import icalendar
import pytest

from tests.diagnosis.test_diagnoses import REFLECTION

pytestmark = pytest.mark.anyio


async def _write(api: httpx.AsyncClient, session_id: str, **body: Any) -> httpx.Response:
    return await api.post(f"/v1/sessions/{session_id}/messages", json=body)


async def _reflect_and_diagnose(api: httpx.AsyncClient, session_id: str) -> None:
    response = await api.put(f"/v1/sessions/{session_id}/answers", json={"answers": REFLECTION})
    assert response.json()["status"] == "reflected"
    assert (await api.post(f"/v1/sessions/{session_id}/diagnoses", json={})).status_code == 201


async def test_a_feedback_request_is_written_from_the_session(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    response = await _write(api, session_["id"], kind="feedback_request_email")
    assert response.status_code == 201, response.text
    message = response.json()
    assert response.headers["location"] == f"/v1/messages/{message['id']}"
    assert message["status"] == "draft"
    assert message["to"] == {"name": "Jordan Lee", "email": "jordan@example.com"}
    # No address_as: a greeting right for any name, never "Hi Jordan Lee,".
    assert message["text"].startswith("Hello,\n")
    assert "Product designer" in message["subject"]
    assert "Northwind Health" in message["text"]
    assert "10 November 2026" in message["text"]
    assert "Alex Morgan" in message["text"]
    assert "15 minutes" in message["text"] or "15-minute" in message["text"]
    assert message["template"] == {"source": "builtin", "id": None, "version": None}
    assert message["locale"] == "en"  # the candidate's en-GB, written in English
    assert set(message["formats"]) == {"json", "text", "markdown", "html", "eml"}
    assert message["html"].startswith("<p>")

    url = urlsplit(message["mailto_url"])
    assert url.scheme == "mailto"
    assert unquote(url.path) == "jordan@example.com"
    query = parse_qs(url.query)
    assert query["subject"] == [message["subject"]]
    assert query["body"][0].replace("\r\n", "\n") == message["text"].rstrip("\n")

    listed = await api.get(f"/v1/sessions/{session_['id']}/messages")
    assert [m["id"] for m in listed.json()["items"]] == [message["id"]]
    events = await api.get(f"/v1/sessions/{session_['id']}/events")
    assert events.json()["items"][-1]["kind"] == "message_written"


async def test_a_message_comes_in_every_format_asked_for(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    message = (await _write(api, session_["id"], kind="feedback_request_email")).json()
    url = f"/v1/messages/{message['id']}"

    as_json = await api.get(url)
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json() == message

    text = await api.get(url, headers={"Accept": "text/plain"})
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    assert text.text == message["text"]
    assert "accept" in text.headers["vary"].lower()

    markdown = await api.get(url, headers={"Accept": "text/markdown, text/plain;q=0.5"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text == message["markdown"]

    html = await api.get(url, params={"format": "html"}, headers={"Accept": "text/plain"})
    assert html.headers["content-type"].startswith("text/html")
    assert "<!DOCTYPE html>" in html.text
    assert message["html"] in html.text

    eml = await api.get(url, headers={"Accept": "message/rfc822"})
    assert eml.headers["content-type"] == "message/rfc822"
    assert "feedback-request-email.eml" in eml.headers["content-disposition"]
    parsed = email.message_from_bytes(eml.content, policy=policy.default)
    assert parsed["To"] == "Jordan Lee <jordan@example.com>"
    assert parsed["From"] == "Alex Morgan <alex@example.com>"
    # A long subject is folded after "Subject:"; Python's parser keeps the fold's space.
    assert parsed["Subject"].strip() == message["subject"]
    assert parsed["X-Unsent"] == "1"
    plain = parsed.get_body(("plain",))
    assert plain is not None
    assert plain.get_content().replace("\r\n", "\n") == message["text"]

    refused = await api.get(url, headers={"Accept": "text/calendar"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["available"] == ["json", "text", "markdown", "html", "eml"]
    assert (await api.get(url, params={"format": "ics"})).status_code == 406
    # A format that does not exist is no different: the documented 406, not a 422.
    for asked in ("pdf", "JSON", "e"):
        unknown = await api.get(url, params={"format": asked})
        assert unknown.status_code == 406, asked
        assert unknown.json()["available"] == ["json", "text", "markdown", "html", "eml"]
    file = await api.get(f"/v1/messages/{message['id']}/files/eml")
    assert file.headers["content-type"] == "message/rfc822"
    as_file = email.message_from_bytes(file.content, policy=policy.default)
    assert as_file["Subject"].strip() == message["subject"]
    assert (await api.get(f"/v1/messages/{message['id']}/files/ics")).status_code == 406


async def test_the_call_script_asks_about_the_leading_reason_first_and_comes_with_an_invite(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    await _reflect_and_diagnose(api, session_["id"])
    diagnosis = (await api.get(f"/v1/sessions/{session_['id']}/diagnoses")).json()["items"][0]
    leading = diagnosis["verdict"]["primary_category"]
    request = (await _write(api, session_["id"], kind="feedback_request_email")).json()
    assert (await api.post(f"/v1/messages/{request['id']}/sent")).status_code == 200
    call_at = datetime(2030, 12, 3, 15, 0, tzinfo=UTC)
    moved = await api.post(
        f"/v1/sessions/{session_['id']}/transitions",
        json={"to": "call_scheduled", "call_scheduled_for": call_at.isoformat()},
    )
    assert moved.status_code == 200, moved.text

    response = await _write(api, session_["id"], kind="call_script", tone="formal")
    assert response.status_code == 201, response.text
    script = response.json()
    questions = script["questions"]
    assert len(questions) == 5
    assert leading in {"in_person", "on_paper", "direction"}
    assert questions[0]["focus_reason"] is not None
    answer_keys = [k for q in questions for k in q["answer_keys"]]
    feedback_set = (await api.get("/v1/question-sets/interviewer-feedback")).json()
    known = {q["key"] for s in feedback_set["sections"] for q in s["questions"]}
    assert set(answer_keys) <= known
    for question in questions:
        assert question["ask"] in script["text"]
        assert question["follow_up"] in script["text"]
    assert script["text"].index(questions[0]["ask"]) < script["text"].index(questions[1]["ask"])
    assert "Notes: Staying in touch" in script["text"]
    assert "_" not in script["text"].replace("____", "")
    assert script["mailto_url"] is None
    assert "ics" in script["formats"]
    assert "eml" not in script["formats"]
    assert script["call_at"] == "2030-12-03T15:00:00Z"

    ics = await api.get(f"/v1/messages/{script['id']}", headers={"Accept": "text/calendar"})
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(ics.content)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == call_at
    assert event.decoded("duration") == timedelta(minutes=15)
    assert str(event["attendee"]) == "mailto:jordan@example.com"
    assert event["attendee"].params["CN"] == "Jordan Lee"
    assert str(event["organizer"]) == "mailto:alex@example.com"
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(minutes=-10)


async def test_a_missing_required_fact_is_named(
    api: httpx.AsyncClient, candidate: dict[str, Any]
) -> None:
    bare = await api.post(
        "/v1/sessions",
        json={"candidate_id": candidate["id"], "company": "Acme", "role_title": "Designer"},
    )
    response = await _write(api, bare.json()["id"], kind="feedback_request_email")
    assert response.status_code == 422
    problem = response.json()
    assert "interviewer's name" in problem["detail"]
    assert problem["errors"] == [
        {
            "pointer": "/session/interviewer/name",
            "detail": "required for a feedback request email",
            "code": "missing",
        }
    ]
    thanks = await _write(api, bare.json()["id"], kind="call_script")
    assert thanks.status_code == 201  # the script needs no interviewer name
    assert "None" not in thanks.json()["text"]
    nothing = await api.get(f"/v1/sessions/{bare.json()['id']}/messages")
    assert len(nothing.json()["items"]) == 1


async def test_a_thank_you_needs_the_one_thing_learned(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    response = await _write(api, session_["id"], kind="thank_you_email")
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/body/facts/learned"
    learned = "that a case study with measurable outcomes would have made the difference"
    written = await _write(api, session_["id"], kind="thank_you_email", facts={"learned": learned})
    assert written.status_code == 201
    assert learned in written.json()["text"]


async def test_sending_the_request_moves_the_session_on_once(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    await api.put(f"/v1/sessions/{session_['id']}/answers", json={"answers": REFLECTION})
    message = (await _write(api, session_["id"], kind="feedback_request_email")).json()
    at = "2026-11-20T09:30:00Z"
    sent = await api.post(f"/v1/messages/{message['id']}/sent", json={"at": at})
    assert sent.status_code == 200, sent.text
    body = sent.json()
    assert body["session_status"] == "feedback_requested"
    assert body["session_moved"] is True
    assert body["message"]["status"] == "sent"
    assert body["message"]["sent_at"] == at
    session = (await api.get(f"/v1/sessions/{session_['id']}")).json()
    assert session["status"] == "feedback_requested"
    assert session["timeline"]["feedback_requested_at"] == at

    later = {"at": "2026-11-21T09:00:00Z"}
    again = await api.post(f"/v1/messages/{message['id']}/sent", json=later)
    assert again.status_code == 200
    assert again.json()["message"]["sent_at"] == at
    assert again.json()["session_moved"] is False


async def test_sending_before_the_reflection_is_done_keeps_the_status(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    message = (await _write(api, session_["id"], kind="feedback_request_email")).json()
    sent = (await api.post(f"/v1/messages/{message['id']}/sent")).json()
    assert sent["message"]["status"] == "sent"
    assert sent["session_status"] == "open"
    assert sent["session_moved"] is False


async def test_one_nudge_and_only_after_a_few_days(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    early = await _write(api, session_["id"], kind="follow_up_nudge")
    assert early.status_code == 409
    assert "No feedback request" in early.json()["detail"]

    await api.put(f"/v1/sessions/{session_['id']}/answers", json={"answers": REFLECTION})
    request = (await _write(api, session_["id"], kind="feedback_request_email")).json()
    await api.post(f"/v1/messages/{request['id']}/sent")
    too_soon = await _write(api, session_["id"], kind="follow_up_nudge")
    assert too_soon.status_code == 409
    assert "5 days" in too_soon.json()["detail"]

    week_ago = (datetime.now(UTC) - timedelta(days=7)).replace(microsecond=0)
    other = (await _write(api, session_["id"], kind="feedback_request_email")).json()
    await api.post(f"/v1/messages/{other['id']}/sent", json={"at": week_ago.isoformat()})
    # The latest sent request counts: still too soon.
    assert (await _write(api, session_["id"], kind="follow_up_nudge")).status_code == 409


async def test_a_nudge_after_a_week_then_no_second_one(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    await api.put(f"/v1/sessions/{session_['id']}/answers", json={"answers": REFLECTION})
    request = (await _write(api, session_["id"], kind="feedback_request_email")).json()
    week_ago = (datetime.now(UTC) - timedelta(days=7)).replace(microsecond=0)
    await api.post(f"/v1/messages/{request['id']}/sent", json={"at": week_ago.isoformat()})
    nudge = await _write(api, session_["id"], kind="follow_up_nudge", tone="concise")
    assert nudge.status_code == 201, nudge.text
    assert nudge.json()["text"].startswith("Hello,\n")
    assert (await api.post(f"/v1/messages/{nudge.json()['id']}/sent")).status_code == 200
    second = await _write(api, session_["id"], kind="follow_up_nudge")
    assert second.status_code == 409
    assert "already" in second.json()["detail"]


async def test_names_come_out_literally_never_executed_or_injected(
    api: httpx.AsyncClient,
) -> None:
    tricky = 'Zoë "Z" <b>O’Brien</b> {{ 7*7 }} {% if true %}x{% endif %} *star* [link](x)'
    created = await api.post(
        "/v1/candidates",
        json={"external_ref": "tricky", "display_name": tricky, "email": "zoe@example.com"},
    )
    assert created.status_code == 201, created.text
    session = await api.post(
        "/v1/sessions",
        json={
            "candidate_id": created.json()["id"],
            "company": "{{ company }} & <Co>",
            "role_title": "Designer",
            "interviewer": {"name": "Dana {{ x }} Ñúñez", "email": "dana@example.com"},
        },
    )
    message = (await _write(api, session.json()["id"], kind="feedback_request_email")).json()
    assert tricky in message["text"]
    assert "{{ company }} & <Co>" in message["text"]
    assert "49" not in message["text"]
    assert "<b>" not in message["html"]
    assert "&lt;b&gt;O’Brien&lt;/b&gt;" in message["html"]
    assert "{{ 7*7 }}" in message["html"]
    assert "<em>" not in message["html"]
    assert "<a " not in message["html"]
    assert "\\*star\\*" in message["markdown"]

    eml = await api.get(f"/v1/messages/{message['id']}", params={"format": "eml"})
    parsed = email.message_from_bytes(eml.content, policy=policy.default)
    assert parsed["To"].addresses[0].display_name == "Dana {{ x }} Ñúñez"
    assert parsed["From"].addresses[0].display_name == tricky
    assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == message["text"]


async def test_line_breaks_cannot_reach_a_header(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/v1/candidates",
        json={"external_ref": "crlf", "display_name": "Alex\r\nBcc: evil@example.com"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/body/display_name"


async def test_another_tenant_sees_no_message(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    message = (await _write(api, session_["id"], kind="feedback_request_email")).json()
    assert (await other_api.get(f"/v1/messages/{message['id']}")).status_code == 404
    assert (await other_api.post(f"/v1/messages/{message['id']}/sent")).status_code == 404
    assert (await other_api.get(f"/v1/sessions/{session_['id']}/messages")).status_code == 404
    written = await _write(other_api, session_["id"], kind="feedback_request_email")
    assert written.status_code == 404
    assert (await api.get(f"/v1/messages/{message['id']}")).json()["status"] == "draft"


async def test_erasing_the_candidate_erases_the_messages(
    api: httpx.AsyncClient, session_: dict[str, Any], candidate: dict[str, Any]
) -> None:
    message = (await _write(api, session_["id"], kind="feedback_request_email")).json()
    assert (await api.delete(f"/v1/candidates/{candidate['id']}")).status_code == 204
    assert (await api.get(f"/v1/messages/{message['id']}")).status_code == 404


async def test_address_as_and_sign_as_are_used_when_given(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    patched = await api.patch(
        f"/v1/sessions/{session_['id']}", json={"interviewer": {"address_as": "Jordan"}}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["interviewer"]["address_as"] == "Jordan"
    candidate = await api.patch(
        f"/v1/candidates/{session_['candidate_id']}", json={"sign_as": "Alex"}
    )
    assert candidate.status_code == 200, candidate.text
    assert candidate.json()["sign_as"] == "Alex"
    for tone, salutation in (("warm", "Hi Jordan,"), ("formal", "Dear Jordan,")):
        message = (
            await _write(api, session_["id"], kind="feedback_request_email", tone=tone)
        ).json()
        assert message["text"].startswith(salutation + "\n"), message["text"][:40]
        assert message["text"].rstrip().splitlines()[-2:] == ["Alex", "alex@example.com"]
