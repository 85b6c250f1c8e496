"""Tenant A with two candidates, X and Y, each with everything a candidate can have, and
A's own organisation-wide objects: what the access tests try to reach."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.candidates.test_candidates import ALEX
from tests.diagnosis.test_diagnoses import REFLECTION
from tests.diagnosis.test_rule_sets import my_rule_set
from tests.messages.test_templates import TEMPLATE
from tests.question_sets.test_api import MY_SET
from tests.sessions.conftest import SESSION

COACH = {"external_ref": "coach-17", "name": "Sam Rivera", "email": "sam@example.com"}


@dataclass
class Person:
    candidate: str
    session: str
    item: str
    diagnosis: str
    message: str
    follow_up: str
    events: list[str] = field(default_factory=list)

    def ids(self) -> set[str]:
        return {
            self.candidate,
            self.session,
            self.item,
            self.diagnosis,
            self.message,
            self.follow_up,
            *self.events,
        }


@dataclass
class World:
    x: Person
    y: Person
    template: str
    api_key: str
    question_set_draft: str
    question_set_published: str
    rule_set_draft: str
    webhook_endpoint: str
    webhook_delivery: str
    # Coach C was granted access by Y, then Y revoked it; coach D was granted access by X
    # (with `comment`) and never by Y. `grant` is Y's revoked grant to C.
    coach: str = ""
    other_coach: str = ""
    grant: str = ""

    def organisation_ids(self) -> set[str]:
        """A's organisation-wide objects that a person's token must not see."""
        return {
            self.template,
            self.api_key,
            self.question_set_draft,
            self.rule_set_draft,
            self.webhook_endpoint,
            self.webhook_delivery,
            self.coach,
            self.grant,
        }


async def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201, 202), response.text
    body: dict[str, Any] = response.json()
    return body


async def make_person(api: httpx.AsyncClient, external_ref: str) -> Person:
    candidate = await _created(
        await api.post("/v1/candidates", json={**ALEX, "external_ref": external_ref})
    )
    session = await _created(
        await api.post("/v1/sessions", json={**SESSION, "candidate_id": candidate["id"]})
    )
    url = f"/v1/sessions/{session['id']}"
    await _created(await api.put(f"{url}/answers", json={"answers": REFLECTION}))
    item = await _created(await api.post(f"{url}/action-items", json={"text": "Call Sam"}))
    diagnosis = await _created(await api.post(f"{url}/diagnoses", json={}))
    message = await _created(
        await api.post(f"{url}/messages", json={"kind": "feedback_request_email"})
    )
    events = (await api.get(f"{url}/events", params={"limit": 100})).json()["items"]
    follow_ups = await api.get("/v1/follow-ups", params={"session_id": session["id"]})
    return Person(
        candidate["id"],
        session["id"],
        item["id"],
        diagnosis["id"],
        message["id"],
        follow_ups.json()["items"][0]["id"],
        [event["id"] for event in events],
    )


async def make_world(api: httpx.AsyncClient) -> World:
    x = await make_person(api, "x")
    y = await make_person(api, "y")
    template = await _created(await api.post("/v1/templates", json=TEMPLATE))
    key = await _created(await api.post("/v1/api-keys", json={"name": "k", "scopes": ["read"]}))
    draft = await _created(await api.post("/v1/question-sets", json=MY_SET))
    published = await _created(
        await api.post("/v1/question-sets", json={**MY_SET, "key": "shared-checkin"})
    )
    await _created(await api.post("/v1/question-sets/shared-checkin/versions/1/publish"))
    rule_set = await _created(await api.post("/v1/rule-sets", json=my_rule_set()))
    # A literal public address: the SSRF guard accepts it without resolving a name, and no
    # worker runs here to send anything to it.
    endpoint = await _created(
        await api.post("/v1/webhook-endpoints", json={"url": "https://1.1.1.1/debrief"})
    )
    ping = await _created(await api.post(f"/v1/webhook-endpoints/{endpoint['id']}/test"))
    coach = await _created(await api.post("/v1/coaches", json={**COACH, "external_ref": "c"}))
    other = await _created(await api.post("/v1/coaches", json={**COACH, "external_ref": "d"}))
    grant = await _created(
        await api.post(
            f"/v1/candidates/{y.candidate}/grants",
            json={"coach_id": coach["id"], "permissions": ["read", "comment"]},
        )
    )
    await _created(await api.post(f"/v1/candidates/{y.candidate}/grants/{grant['id']}/revoke"))
    await _created(
        await api.post(
            f"/v1/candidates/{x.candidate}/grants",
            json={"coach_id": other["id"], "permissions": ["read", "comment"]},
        )
    )
    world = World(
        x,
        y,
        template["id"],
        key["id"],
        draft["id"],
        published["id"],
        rule_set["id"],
        endpoint["id"],
        ping["id"],
    )
    world.coach, world.other_coach, world.grant = coach["id"], other["id"], grant["id"]
    return world
