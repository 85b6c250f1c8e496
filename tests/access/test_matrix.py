"""Every operation of the OpenAPI document, called on tenant A's objects (a) with another
organisation's API key, (b) with candidate X's token on candidate Y's objects and (c) with
the token of a coach whom Y never let in, and of one whose access Y revoked.

An object the caller may not see is a 404, an operation that names none and is not theirs
a 403, and a list holds none of it. An operation missing from CALLS fails the test: a new
route cannot be added without saying how it is scoped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.access.world import COACH, World, make_world
from tests.candidates.test_candidates import ALEX
from tests.diagnosis.test_diagnoses import REFLECTION
from tests.diagnosis.test_rule_sets import my_rule_set
from tests.messages.test_templates import TEMPLATE
from tests.question_sets.test_api import MY_SET
from tests.sessions.conftest import SESSION
from tests.tenants import as_person, mint_token

pytestmark = pytest.mark.anyio

HIDDEN = "404"  # the object does not exist for the caller
FORBIDDEN = "403"  # names no object; not the caller's to do
UNKNOWN = "422"  # the body names an object the caller cannot see
SEES_NONE = "200 without any of it"  # a list, or a read of no one's object
CREATES = "creates its own"  # makes an object of the caller's own


@dataclass(frozen=True)
class Call:
    tenant: str
    person: str
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # A coach's token, where it differs from a candidate's.
    coach: str | None = None


MERGE = {"Content-Type": "application/merge-patch+json"}
OBJECT = Call(HIDDEN, HIDDEN)
ORGANISATION_LIST = Call(SEES_NONE, FORBIDDEN)
OPEN = Call(SEES_NONE, SEES_NONE)


CADENCE = {
    "feedback_request_after_days": 1,
    "nudge_after_days": 5,
    "thank_you_after_days": 0,
    "stay_in_touch_after_months": 3,
    "no_reply_after_days": 14,
}


def patch(body: dict[str, Any]) -> Call:
    return Call(HIDDEN, HIDDEN, body, MERGE)


def write(body: Any) -> Call:
    return Call(HIDDEN, HIDDEN, body)


CALLS: dict[tuple[str, str], Call] = {
    ("GET", "/healthz"): OPEN,
    ("GET", "/readyz"): OPEN,
    ("GET", "/problems"): OPEN,
    ("GET", "/problems/{slug}"): OPEN,
    ("GET", "/v1/time-zones"): OPEN,
    ("GET", "/v1/me"): OPEN,
    # API keys and tokens: the organisation's server only.
    ("GET", "/v1/api-keys"): ORGANISATION_LIST,
    ("POST", "/v1/api-keys"): Call(CREATES, FORBIDDEN, {"name": "k", "scopes": ["read"]}),
    ("GET", "/v1/api-keys/{api_key_id}"): OBJECT,
    ("DELETE", "/v1/api-keys/{api_key_id}"): OBJECT,
    ("POST", "/v1/tokens"): Call(
        HIDDEN, FORBIDDEN, {"subject": "{candidate_id}", "scopes": ["read"]}
    ),
    # Candidates.
    ("GET", "/v1/candidates"): OPEN,
    ("POST", "/v1/candidates"): Call(CREATES, FORBIDDEN, {**ALEX, "external_ref": "new"}),
    ("GET", "/v1/candidates/{candidate_id}"): OBJECT,
    ("PATCH", "/v1/candidates/{candidate_id}"): patch({"display_name": "Hijacked"}),
    ("DELETE", "/v1/candidates/{candidate_id}"): OBJECT,
    ("GET", "/v1/candidates/{candidate_id}/export"): OBJECT,
    ("GET", "/v1/candidates/{candidate_id}/insights"): OBJECT,
    ("GET", "/v1/candidates/{candidate_id}/sessions"): OBJECT,
    # Consent: Y's grants and access log.
    ("GET", "/v1/candidates/{candidate_id}/grants"): OBJECT,
    ("POST", "/v1/candidates/{candidate_id}/grants"): write(
        {"coach_id": "{coach_id}", "permissions": ["read"]}
    ),
    ("GET", "/v1/candidates/{candidate_id}/grants/{grant_id}"): OBJECT,
    ("POST", "/v1/candidates/{candidate_id}/grants/{grant_id}/revoke"): OBJECT,
    ("GET", "/v1/candidates/{candidate_id}/access-log"): OBJECT,
    # Coaches: the organisation's server only.
    ("GET", "/v1/coaches"): ORGANISATION_LIST,
    ("POST", "/v1/coaches"): Call(CREATES, FORBIDDEN, {**COACH, "external_ref": "new"}),
    ("GET", "/v1/coaches/{coach_id}"): OBJECT,
    ("PATCH", "/v1/coaches/{coach_id}"): patch({"name": "Hijacked"}),
    ("DELETE", "/v1/coaches/{coach_id}"): OBJECT,
    # Sessions and what hangs off them.
    ("GET", "/v1/sessions"): OPEN,
    # A coach creates no session, whoever it names: 403 before the body is looked at.
    ("POST", "/v1/sessions"): Call(
        UNKNOWN, UNKNOWN, {**SESSION, "candidate_id": "{candidate_id}"}, coach=FORBIDDEN
    ),
    ("GET", "/v1/sessions/{session_id}"): OBJECT,
    ("PATCH", "/v1/sessions/{session_id}"): patch({"company": "Hijacked"}),
    ("DELETE", "/v1/sessions/{session_id}"): OBJECT,
    ("PUT", "/v1/sessions/{session_id}/answers"): write({"answers": {}}),
    ("PUT", "/v1/sessions/{session_id}/interviewer-feedback"): write({"answers": {}}),
    ("POST", "/v1/sessions/{session_id}/transitions"): write({"to": "closed"}),
    ("GET", "/v1/sessions/{session_id}/events"): OBJECT,
    ("GET", "/v1/sessions/{session_id}/action-items"): OBJECT,
    ("POST", "/v1/sessions/{session_id}/action-items"): write({"text": "Hijacked"}),
    ("GET", "/v1/sessions/{session_id}/action-items/{item_id}"): OBJECT,
    ("PATCH", "/v1/sessions/{session_id}/action-items/{item_id}"): patch({"text": "Hijacked"}),
    ("DELETE", "/v1/sessions/{session_id}/action-items/{item_id}"): OBJECT,
    ("GET", "/v1/sessions/{session_id}/diagnoses"): OBJECT,
    ("POST", "/v1/sessions/{session_id}/diagnoses"): write({}),
    ("GET", "/v1/sessions/{session_id}/messages"): OBJECT,
    ("POST", "/v1/sessions/{session_id}/messages"): write({"kind": "feedback_request_email"}),
    # Diagnoses and messages by their own ids.
    ("POST", "/v1/diagnoses/preview"): Call(SEES_NONE, FORBIDDEN, {"answers": REFLECTION}),
    ("GET", "/v1/diagnoses/{diagnosis_id}"): OBJECT,
    ("GET", "/v1/messages/{message_id}"): OBJECT,
    ("GET", "/v1/messages/{message_id}/files/{file_format}"): OBJECT,
    ("POST", "/v1/messages/{message_id}/sent"): write({}),
    ("POST", "/v1/messages/preview"): Call(
        UNKNOWN, UNKNOWN, {"kind": "feedback_request_email", "template": "{template_id}"}
    ),
    # Question sets: A's draft `coach-checkin`; published ones are shared with people.
    ("GET", "/v1/question-sets"): OPEN,
    ("POST", "/v1/question-sets"): Call(CREATES, FORBIDDEN, {**MY_SET, "key": "other-set"}),
    ("GET", "/v1/question-sets/{key}"): OBJECT,
    ("GET", "/v1/question-sets/{key}/versions"): OBJECT,
    ("GET", "/v1/question-sets/{key}/versions/{version}"): OBJECT,
    ("PATCH", "/v1/question-sets/{key}/versions/{version}"): patch({"title": "Hijacked"}),
    ("DELETE", "/v1/question-sets/{key}/versions/{version}"): OBJECT,
    ("POST", "/v1/question-sets/{key}/versions/{version}/publish"): OBJECT,
    ("POST", "/v1/question-sets/{key}/versions/{version}/retire"): OBJECT,
    ("POST", "/v1/question-sets/{key}/versions/{version}/validate"): write({"answers": {}}),
    # Rule sets: A's draft `coach-rules`; managing them is the organisation's.
    ("GET", "/v1/rule-sets"): ORGANISATION_LIST,
    ("POST", "/v1/rule-sets"): Call(CREATES, FORBIDDEN, my_rule_set(key="other-rules")),
    ("GET", "/v1/rule-sets/{key}/versions/{version}"): OBJECT,
    ("PATCH", "/v1/rule-sets/{key}/versions/{version}"): patch({"title": "Hijacked"}),
    ("POST", "/v1/rule-sets/{key}/versions/{version}/publish"): OBJECT,
    ("POST", "/v1/rule-sets/{key}/versions/{version}/activate"): OBJECT,
    ("POST", "/v1/rule-sets/{key}/versions/{version}/test"): write({}),
    ("POST", "/v1/rule-sets/{key}/versions/{version}/validate"): OBJECT,
    # Templates: the organisation's.
    ("GET", "/v1/templates"): ORGANISATION_LIST,
    ("POST", "/v1/templates"): Call(CREATES, FORBIDDEN, {**TEMPLATE, "key": "other-template"}),
    ("POST", "/v1/templates/preview"): Call(
        SEES_NONE,
        FORBIDDEN,
        {
            "kind": "linkedin_message",
            "subject": "Hello",
            "body": "Hi {{ interviewer.name }} — {{ role }} at {{ company }}?",
            "facts": {"interviewer": {"name": "Dana"}, "company": "Acme", "role": "Designer"},
        },
    ),
    ("GET", "/v1/templates/variables"): ORGANISATION_LIST,
    ("GET", "/v1/templates/{template_id}"): OBJECT,
    ("PATCH", "/v1/templates/{template_id}"): patch({"body": "Hijacked {{ company }}"}),
    ("DELETE", "/v1/templates/{template_id}"): OBJECT,
    ("GET", "/v1/templates/{template_id}/versions"): OBJECT,
    ("GET", "/v1/templates/{template_id}/versions/{version}"): OBJECT,
    # Follow-ups: a person sees their own; the cadence is the organisation's.
    ("GET", "/v1/follow-up-cadence"): ORGANISATION_LIST,
    ("PUT", "/v1/follow-up-cadence"): Call(SEES_NONE, FORBIDDEN, CADENCE),
    ("GET", "/v1/follow-ups"): OPEN,
    ("GET", "/v1/follow-ups/{follow_up_id}"): OBJECT,
    ("POST", "/v1/follow-ups/{follow_up_id}/snooze"): write({"days": 1}),
    ("POST", "/v1/follow-ups/{follow_up_id}/dismiss"): OBJECT,
    ("POST", "/v1/candidates/{candidate_id}/calendar-feed"): OBJECT,
    ("DELETE", "/v1/candidates/{candidate_id}/calendar-feed"): OBJECT,
    # The feed's token is its credential; nobody here holds one of Y's.
    ("GET", "/v1/calendar-feeds/{token}.ics"): OBJECT,
    # The event stream: a person sees the events about themselves only.
    ("GET", "/v1/events"): OPEN,
    ("GET", "/v1/events/{event_id}"): OBJECT,
    # Webhook endpoints: the organisation's server only (admin).
    ("GET", "/v1/webhook-endpoints"): ORGANISATION_LIST,
    ("POST", "/v1/webhook-endpoints"): Call(CREATES, FORBIDDEN, {"url": "https://1.1.1.1/x"}),
    ("GET", "/v1/webhook-endpoints/{endpoint_id}"): OBJECT,
    ("PATCH", "/v1/webhook-endpoints/{endpoint_id}"): patch({"description": "Hijacked"}),
    ("DELETE", "/v1/webhook-endpoints/{endpoint_id}"): OBJECT,
    ("POST", "/v1/webhook-endpoints/{endpoint_id}/rotate-secret"): OBJECT,
    ("POST", "/v1/webhook-endpoints/{endpoint_id}/test"): OBJECT,
    ("GET", "/v1/webhook-endpoints/{endpoint_id}/deliveries"): OBJECT,
    ("POST", "/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/replay"): OBJECT,
}


def operations(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, methods in app.openapi()["paths"].items()
        for method in methods
    }


async def test_every_operation_has_a_row(app: FastAPI) -> None:
    missing = operations(app) - set(CALLS)
    assert not missing, f"say how these are called and scoped in CALLS: {sorted(missing)}"
    assert not set(CALLS) - operations(app), "CALLS names operations that no longer exist"


def _fill(text: str, world: World) -> str:
    key = "coach-rules" if text.startswith("/v1/rule-sets") else "coach-checkin"
    values = {
        "candidate_id": world.y.candidate,
        "session_id": world.y.session,
        "item_id": world.y.item,
        "diagnosis_id": world.y.diagnosis,
        "message_id": world.y.message,
        "follow_up_id": world.y.follow_up,
        "token": "not-a-feed-token",
        "template_id": world.template,
        "api_key_id": world.api_key,
        "event_id": world.y.events[0],
        "endpoint_id": world.webhook_endpoint,
        "delivery_id": world.webhook_delivery,
        "key": key,
        "version": "1",
        "slug": "not-found",
        "coach_id": world.coach,
        "grant_id": world.grant,
        "file_format": "text",
    }
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def _body(value: Any, world: World) -> Any:
    if isinstance(value, str):
        return _fill(value, world)
    if isinstance(value, dict):
        return {k: _body(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_body(v, world) for v in value]
    return value


async def _check(
    caller: httpx.AsyncClient, world: World, secrets: set[str], axis: str
) -> list[str]:
    failures = []
    for (method, path), call in CALLS.items():
        expected = getattr(call, axis) or call.person
        url = _fill(path, world)
        body = _body(call.body, world)
        response = (
            await caller.request(method, url, json=body, headers=call.headers)
            if body is not None
            else await caller.request(method, url, headers=call.headers)
        )
        status = response.status_code
        ok = {
            HIDDEN: status == 404,
            FORBIDDEN: status == 403,
            UNKNOWN: status == 422,
            SEES_NONE: status == 200,
            CREATES: status == 201,
        }[expected]
        if expected in (HIDDEN, FORBIDDEN, UNKNOWN):
            ok = ok and response.headers["content-type"] == "application/problem+json"
        if expected in (SEES_NONE, CREATES):
            leaked = [secret for secret in secrets if secret in response.text]
            ok = ok and not leaked
        if not ok:
            failures.append(
                f"{method} {path}: expected {expected}, got {status} {response.text[:200]}"
            )
    return failures


async def test_another_organisations_key_reaches_nothing_of_a(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient
) -> None:
    world = await make_world(api)
    everything = world.x.ids() | world.y.ids() | world.organisation_ids()
    everything.add(world.question_set_published)
    assert await _check(other_api, world, everything, "tenant") == []


async def test_a_candidates_token_reaches_nothing_of_another_candidate(
    client: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    world = await make_world(api)
    async with as_person(client, await mint_token(api, world.x.candidate)) as x:
        failures = await _check(x, world, world.y.ids() | world.organisation_ids(), "person")
    assert failures == []


@pytest.mark.parametrize("which", ["never_granted", "revoked"])
async def test_a_coachs_token_reaches_nothing_of_a_candidate_who_did_not_let_it_in(
    client: httpx.AsyncClient, api: httpx.AsyncClient, which: str
) -> None:
    world = await make_world(api)
    coach = world.other_coach if which == "never_granted" else world.coach
    hidden = (world.y.ids() | world.organisation_ids()) - {coach}
    async with as_person(client, await mint_token(api, coach)) as caller:
        failures = await _check(caller, world, hidden, "coach")
        # Y is in none of its lists either.
        listed = {c["id"] for c in (await caller.get("/v1/candidates")).json()["items"]}
        assert world.y.candidate not in listed
        # ... while D, whom X let in, does see X: the token is a working one.
        assert (world.x.candidate in listed) is (which == "never_granted")
    assert failures == []
