"""What tests that walk every operation share: valid base bodies and real subjects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
from fastapi import FastAPI

from tests.candidates.test_candidates import ALEX
from tests.diagnosis.test_diagnoses import REFLECTION
from tests.diagnosis.test_rule_sets import my_rule_set
from tests.messages.test_templates import TEMPLATE
from tests.question_sets.test_api import MY_SET
from tests.sessions.conftest import SESSION


def base_bodies(candidate_id: str) -> dict[tuple[str, str], Any]:
    return {
        ("post", "/v1/candidates"): ALEX,
        ("patch", "/v1/candidates/{candidate_id}"): {"display_name": "Alex Q."},
        ("post", "/v1/sessions"): {**SESSION, "candidate_id": candidate_id},
        ("patch", "/v1/sessions/{session_id}"): {"company": "Contoso"},
        ("put", "/v1/sessions/{session_id}/answers"): {"answers": REFLECTION},
        ("post", "/v1/diagnoses/preview"): {"answers": REFLECTION},
        ("post", "/v1/rule-sets"): my_rule_set(),
        ("post", "/v1/sessions/{session_id}/action-items"): {"text": "Ask for a referral"},
        ("post", "/v1/api-keys"): {"name": "ci", "scopes": ["read"]},
        ("post", "/v1/coaches"): {"external_ref": "coach-1", "name": "Sam Rivera"},
        ("post", "/v1/candidates/{candidate_id}/grants"): {
            "coach_id": "coach_01JD6Z7Q4X9V2M8N3K5H6G7F8E",
            "permissions": ["read"],
        },
        ("post", "/v1/question-sets"): MY_SET,
        ("post", "/v1/question-sets/{key}/versions/{version}/validate"): {"answers": REFLECTION},
        ("put", "/v1/sessions/{session_id}/interviewer-feedback"): {"answers": {}},
        ("post", "/v1/sessions/{session_id}/transitions"): {"to": "feedback_requested"},
        ("post", "/v1/templates"): TEMPLATE,
        ("post", "/v1/templates/preview"): {k: v for k, v in TEMPLATE.items() if k != "key"},
        ("post", "/v1/sessions/{session_id}/messages"): {"kind": "feedback_request_email"},
        ("post", "/v1/messages/preview"): {
            "kind": "feedback_request_email",
            "facts": {"interviewer": {"name": "Kim"}, "company": "A", "role": "B"},
        },
        ("put", "/v1/follow-up-cadence"): {
            "feedback_request_after_days": 1,
            "nudge_after_days": 5,
            "thank_you_after_days": 0,
            "stay_in_touch_after_months": 3,
            "no_reply_after_days": 14,
        },
        ("post", "/v1/follow-ups/{follow_up_id}/snooze"): {"days": 2},
    }


def operations(app: FastAPI) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Each operation, its shared parameters (`components/parameters`) written out."""
    document = app.openapi()
    shared = document["components"].get("parameters", {})
    for path, item in document["paths"].items():
        for method, operation in item.items():
            parameters = [
                shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
                for p in operation.get("parameters", [])
            ]
            yield method, path, {**operation, "parameters": parameters}


def url(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return path


async def candidate_and_session(api: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    candidate = (await api.post("/v1/candidates", json=ALEX)).json()
    session = await api.post("/v1/sessions", json={**SESSION, "candidate_id": candidate["id"]})
    return candidate, session.json()


async def subjects(api: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, str]]:
    """A new candidate, and the values of every path parameter for a real subject."""
    candidate, session = await candidate_and_session(api)
    return candidate, {
        "candidate_id": candidate["id"],
        "session_id": session["id"],
        "key": "reflection",
        "version": "1",
    }
