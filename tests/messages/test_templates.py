from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.candidates.test_candidates import MERGE_PATCH

pytestmark = pytest.mark.anyio

TEMPLATE = {
    "key": "coach-request",
    "kind": "feedback_request_email",
    "tone": "warm",
    "subject": "15 minutes about {{ role }}?",
    "body": "Hello {{ interviewer.name }},\n\n"
    "Could we talk about {{ company }} for {{ call.minutes }} minutes?\n\n"
    "{{ candidate.name }}",
}


async def _create(api: httpx.AsyncClient, **changes: Any) -> httpx.Response:
    return await api.post("/v1/templates", json={**TEMPLATE, **changes})


async def test_a_template_is_created_versioned_and_used(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    created = await _create(api)
    assert created.status_code == 201, created.text
    template = created.json()
    assert template["version"] == 1
    assert created.headers["location"] == f"/v1/templates/{template['id']}"

    changed = await api.patch(
        f"/v1/templates/{template['id']}",
        content='{"body": "Dear {{ interviewer.name }},\\n\\n{{ candidate.name }}"}',
        headers={**MERGE_PATCH, "If-Match": created.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    stale = await api.patch(
        f"/v1/templates/{template['id']}",
        content='{"description": "x"}',
        headers={**MERGE_PATCH, "If-Match": created.headers["etag"]},
    )
    assert stale.status_code == 412
    same = await api.patch(
        f"/v1/templates/{template['id']}", content='{"description": "Ours"}', headers=MERGE_PATCH
    )
    assert same.json()["version"] == 2  # a description is not a new version of the text

    versions = (await api.get(f"/v1/templates/{template['id']}/versions")).json()
    assert [v["version"] for v in versions] == [2, 1]
    first = await api.get(f"/v1/templates/{template['id']}/versions/1")
    assert first.json()["body"] == TEMPLATE["body"]
    assert (await api.get(f"/v1/templates/{template['id']}/versions/3")).status_code == 404

    message = await api.post(
        f"/v1/sessions/{session_['id']}/messages",
        json={"kind": "feedback_request_email", "template": template["id"]},
    )
    assert message.status_code == 201, message.text
    body = message.json()
    assert body["template"] == {"source": "organization", "id": template["id"], "version": 2}
    assert body["text"] == "Dear Jordan Lee,\n\nAlex Morgan\n"
    assert body["subject"] == "15 minutes about Product designer?"

    wrong_kind = await api.post(
        f"/v1/sessions/{session_['id']}/messages",
        json={"kind": "call_script", "template": template["id"]},
    )
    assert wrong_kind.status_code == 422
    assert wrong_kind.json()["errors"][0]["pointer"] == "/body/template"

    assert (await api.delete(f"/v1/templates/{template['id']}")).status_code == 204
    kept = await api.get(f"/v1/messages/{body['id']}")
    assert kept.json()["text"] == body["text"]


async def test_problems_name_the_part_and_the_line(api: httpx.AsyncClient) -> None:
    response = await _create(
        api, body="Hello {{ interviewer.name }},\n\n{{ interviewer.nmae }}\n{{ secret }}"
    )
    assert response.status_code == 422
    problem = response.json()
    assert "body, line 3" in problem["detail"]
    assert [(e["pointer"], e["line"], e["code"]) for e in problem["errors"]] == [
        ("/body/body", 3, "template"),
        ("/body/body", 4, "template"),
    ]
    syntax = await _create(api, subject="Hi {{ role ")
    assert syntax.status_code == 422
    assert syntax.json()["errors"][0]["pointer"] == "/body/subject"
    assert syntax.json()["errors"][0]["line"] == 1
    assert (await api.get("/v1/templates")).json()["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{% include '/etc/passwd' %}",
        "{{ config }}",
        "{{ request.__class__ }}",
    ],
)
async def test_sandbox_escapes_are_refused_on_save(api: httpx.AsyncClient, body: str) -> None:
    response = await _create(api, body=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/body/body"


async def test_a_template_that_fails_on_the_sample_facts_is_refused_with_its_line(
    api: httpx.AsyncClient,
) -> None:
    response = await _create(api, body="Hello,\n\n{{ request.days + company }}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["line"] == 3
    assert response.json()["errors"][0]["pointer"] == "/body/body"


async def test_keys_are_unique_and_kinds_must_be_known(api: httpx.AsyncClient) -> None:
    assert (await _create(api)).status_code == 201
    assert (await _create(api)).status_code == 409
    assert (await _create(api, key="other", kind="poem")).status_code == 422


async def test_preview_a_template_before_saving(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/v1/templates/preview",
        json={
            "kind": "linkedin_message",
            "subject": "Hello",
            "body": "Hi {{ interviewer.name }} — {{ role }} at {{ company }}?",
            "facts": {"interviewer": {"name": "Dana"}, "company": "Acme", "role": "Designer"},
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["text"] == "Hi Dana — Designer at Acme?\n"
    assert response.json()["template"]["source"] == "inline"
    failing = await api.post(
        "/v1/templates/preview",
        json={
            "kind": "call_script",
            "subject": "Script",
            "body": "ok\n{{ 'x' * 100000000 }}",
            "facts": {"company": "Acme", "role": "Designer"},
        },
    )
    assert failing.status_code == 422
    assert failing.json()["type"] == "/problems/template-too-costly"
    assert failing.json()["errors"][0] == {
        "pointer": "/body/body",
        "detail": "A value in the template would be longer than 50,000 characters.",
        "code": "too_costly",
        "line": 2,
    }


async def test_the_variables_are_listed(api: httpx.AsyncClient) -> None:
    names = {v["name"] for v in (await api.get("/v1/templates/variables")).json()}
    assert {"interviewer.name", "interviewer.they", "questions", "call.when"} <= names


async def test_another_tenant_cannot_see_or_use_a_template(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    template = (await _create(api)).json()
    assert (await other_api.get(f"/v1/templates/{template['id']}")).status_code == 404
    assert (await other_api.get(f"/v1/templates/{template['id']}/versions")).status_code == 404
    assert (await other_api.get("/v1/templates")).json()["items"] == []
    assert (await other_api.delete(f"/v1/templates/{template['id']}")).status_code == 404
    other_session = await other_api.post(
        "/v1/candidates", json={"external_ref": "b", "display_name": "Bo"}
    )
    ses = await other_api.post(
        "/v1/sessions",
        json={
            "candidate_id": other_session.json()["id"],
            "company": "Acme",
            "role_title": "Designer",
            "interviewer": {"name": "Kim"},
        },
    )
    used = await other_api.post(
        f"/v1/sessions/{ses.json()['id']}/messages",
        json={"kind": "feedback_request_email", "template": template["id"]},
    )
    assert used.status_code == 422
    assert used.json()["errors"][0]["code"] == "unknown"
    previewed = await other_api.post(
        "/v1/messages/preview",
        json={
            "kind": "feedback_request_email",
            "template": template["id"],
            "facts": {"interviewer": {"name": "Kim"}, "company": "A", "role": "B"},
        },
    )
    assert previewed.status_code == 422


async def test_message_preview_from_inline_facts_stores_nothing(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/v1/messages/preview",
        json={
            "kind": "feedback_request_email",
            "tone": "formal",
            "facts": {
                "candidate": {"name": "Alex Morgan", "email": "alex@example.com"},
                "interviewer": {"name": "Dana Lee", "email": "dana@example.com"},
                "company": "Northwind",
                "role": "Designer",
                "interview_date": "2026-11-20",
            },
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["text"].startswith("Dear Dana Lee,")
    assert body["mailto_url"].startswith("mailto:dana@example.com?subject=")
    missing = await api.post(
        "/v1/messages/preview", json={"kind": "feedback_request_email", "facts": {}}
    )
    assert missing.status_code == 422
    assert [e["pointer"] for e in missing.json()["errors"]] == [
        "/body/facts/interviewer/name",
        "/body/facts/company",
        "/body/facts/role",
    ]


async def test_a_template_in_another_locale_gets_the_call_questions_in_english(
    api: httpx.AsyncClient,
) -> None:
    response = await api.post(
        "/v1/templates/preview",
        json={
            "kind": "call_script",
            "locale": "de-AT",
            "subject": "Skript",
            "body": "{% for q in questions %}{{ q.ask }}\n{% endfor %}",
            "facts": {"company": "Acme", "role": "Designer"},
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["locale"] == "de-AT"
    assert len(response.json()["questions"]) == 5
