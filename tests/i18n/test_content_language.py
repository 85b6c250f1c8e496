"""Every answer a person reads says its language. The operations are found by walking the
OpenAPI document: each whose success answer carries texts for people (a verdict, a message,
a question set, a calendar or a rendition as text) must document `Content-Language`, and
answers it when called; a localised operation missing from CALLS fails the test."""

from __future__ import annotations

import itertools
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from app.main import create_app
from tests.candidates.test_candidates import ALEX
from tests.question_sets.test_api import MERGE_PATCH, MY_SET
from tests.sessions.conftest import SESSION

pytestmark = pytest.mark.anyio

# Schemas whose texts are written for people, in a locale.
TEXT_SCHEMAS = {"VerdictRead", "MessageRead", "MessagePreview", "QuestionSetRead"}
TEXT_SUMMARIES = {"QuestionSetSummary"}  # titles, in each set's default locale
TEXT_MEDIA = ("text/", "message/")


def _refs(node: Any, schemas: dict[str, Any], seen: set[str]) -> set[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                _refs(schemas[name], schemas, seen)
        for value in node.values():
            _refs(value, schemas, seen)
    elif isinstance(node, list):
        for value in node:
            _refs(value, schemas, seen)
    return seen


def localised_operations() -> dict[str, dict[str, Any]]:
    """operationId -> its success answer, for every operation that renders text for people."""
    document = create_app().openapi()
    schemas = document["components"]["schemas"]
    shared = document["components"]["responses"]
    found = {}
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, answer in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                if "$ref" in answer:  # an answer several operations share
                    answer = shared[answer["$ref"].rsplit("/", 1)[1]]
                content = answer.get("content", {})
                names = _refs(content, schemas, set())
                if names & (TEXT_SCHEMAS | TEXT_SUMMARIES) or any(
                    media.startswith(TEXT_MEDIA) for media in content
                ):
                    found[operation["operationId"]] = answer
    return found


LOCALISED = localised_operations()


@pytest.mark.parametrize("operation_id", sorted(LOCALISED))
def test_every_localised_operation_documents_content_language(operation_id: str) -> None:
    assert "Content-Language" in LOCALISED[operation_id].get("headers", {}), operation_id


Call = Callable[[httpx.AsyncClient, dict[str, Any]], Awaitable[httpx.Response]]
REFS = itertools.count()


async def _world(api: httpx.AsyncClient) -> dict[str, Any]:
    """A French-speaking candidate, a session of theirs written in German, answered,
    diagnosed, with a message, a scheduled call and a calendar feed."""
    person = {**ALEX, "locale": "fr", "external_ref": f"content-language-{next(REFS)}"}
    candidate = (await api.post("/v1/candidates", json=person)).json()
    session = (
        await api.post(
            "/v1/sessions", json={**SESSION, "candidate_id": candidate["id"], "locale": "de"}
        )
    ).json()
    url = f"/v1/sessions/{session['id']}"
    await api.put(f"{url}/answers", json={"answers": {"wanted_job": True, "enthusiasm": 4}})
    diagnosis = (await api.post(f"{url}/diagnoses", json={})).json()
    message = (await api.post(f"{url}/messages", json={"kind": "feedback_request_email"})).json()
    await api.post(
        f"{url}/transitions",
        json={"to": "call_scheduled", "call_scheduled_for": "2030-01-07T09:00:00Z"},
    )
    feed = (await api.post(f"/v1/candidates/{candidate['id']}/calendar-feed")).json()
    draft = await api.post("/v1/question-sets", json=MY_SET)
    return {
        "candidate": candidate["id"],
        "session": session["id"],
        "diagnosis": diagnosis["id"],
        "message": message["id"],
        "feed": httpx.URL(feed["url"]).path,
        "set_url": "/v1/question-sets/coach-checkin/versions/1",
        "set_etag": draft.headers["etag"],
        "draft": draft,
    }


async def _publish(api: httpx.AsyncClient, w: dict[str, Any]) -> httpx.Response:
    return await api.post(f"{w['set_url']}/publish")


async def _retire(api: httpx.AsyncClient, w: dict[str, Any]) -> httpx.Response:
    await _publish(api, w)
    return await api.post(f"{w['set_url']}/retire")


async def _draft(api: httpx.AsyncClient, w: dict[str, Any]) -> httpx.Response:
    return w["draft"]  # type: ignore[no-any-return]


async def _update_draft(api: httpx.AsyncClient, w: dict[str, Any]) -> httpx.Response:
    return await api.patch(
        w["set_url"], json={"title": "Check-in"}, headers={**MERGE_PATCH, "If-Match": w["set_etag"]}
    )


CALLS: dict[str, Call] = {
    "previewDiagnosis": lambda api, w: api.post(
        "/v1/diagnoses/preview", json={"answers": {"wanted_job": False}}
    ),
    "getDiagnosis": lambda api, w: api.get(f"/v1/diagnoses/{w['diagnosis']}"),
    "listSessionDiagnoses": lambda api, w: api.get(f"/v1/sessions/{w['session']}/diagnoses"),
    "diagnoseSession": lambda api, w: api.post(f"/v1/sessions/{w['session']}/diagnoses", json={}),
    "previewMessage": lambda api, w: api.post(
        "/v1/messages/preview",
        json={"kind": "call_script", "locale": "es", "facts": {"company": "A", "role": "B"}},
    ),
    "getMessage": lambda api, w: api.get(f"/v1/messages/{w['message']}"),
    "getMessageFile": lambda api, w: api.get(f"/v1/messages/{w['message']}/files/text"),
    "markMessageSent": lambda api, w: api.post(f"/v1/messages/{w['message']}/sent"),
    "listSessionMessages": lambda api, w: api.get(f"/v1/sessions/{w['session']}/messages"),
    "createSessionMessage": lambda api, w: api.post(
        f"/v1/sessions/{w['session']}/messages", json={"kind": "call_script"}
    ),
    "previewTemplate": lambda api, w: api.post(
        "/v1/templates/preview",
        json={
            "kind": "call_script",
            "locale": "de",
            "subject": "Hallo",
            "body": "{{ greeting }} {{ role }}",
            "facts": {"company": "A", "role": "B"},
        },
    ),
    "getCalendarFeed": lambda api, w: api.get(w["feed"]),
    "exportCandidate": lambda api, w: api.get(f"/v1/candidates/{w['candidate']}/export"),
    "listQuestionSets": lambda api, w: api.get("/v1/question-sets"),
    "listQuestionSetVersions": lambda api, w: api.get("/v1/question-sets/self-reflection/versions"),
    "getQuestionSet": lambda api, w: api.get(
        "/v1/question-sets/self-reflection", headers={"Accept-Language": "es"}
    ),
    "getQuestionSetVersion": lambda api, w: api.get(
        "/v1/question-sets/self-reflection/versions/1", params={"locale": "fr"}
    ),
    "createQuestionSet": _draft,
    "updateQuestionSetDraft": _update_draft,
    "publishQuestionSet": _publish,
    "retireQuestionSet": _retire,
}
# What each answer is written in, where the world decides it (the session's German).
EXPECTED = {
    "getDiagnosis": "de",
    "listSessionDiagnoses": "de",
    "diagnoseSession": "de",
    "previewMessage": "es",
    "getMessage": "de",
    "getMessageFile": "de",
    "markMessageSent": "de",
    "listSessionMessages": "de",
    "createSessionMessage": "de",
    "previewTemplate": "de",
    "getCalendarFeed": "de",
    "exportCandidate": "de",
    "getQuestionSet": "es",
    "getQuestionSetVersion": "fr",
}


def test_every_localised_operation_is_called() -> None:
    assert set(CALLS) == set(LOCALISED)


@pytest.mark.parametrize("operation_id", sorted(LOCALISED))
async def test_every_localised_answer_carries_content_language(
    api: httpx.AsyncClient, operation_id: str
) -> None:
    world = await _world(api)
    response = await CALLS[operation_id](api, world)
    assert response.status_code < 300, response.text
    language = response.headers.get("content-language")
    assert language, operation_id
    assert language == EXPECTED.get(operation_id, language), (operation_id, language)
    if operation_id == "getCalendarFeed":
        unfolded = response.text.replace("\r\n ", "")
        assert "SUMMARY:Bei Jordan Lee (Northwind Health) um Feedback bitten" in unfolded


def test_the_document_lists_the_localised_operations() -> None:
    # A readable reminder of what the walk finds today (it must not silently shrink).
    assert len(LOCALISED) >= 20, json.dumps(sorted(LOCALISED))
