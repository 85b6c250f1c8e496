"""Every GET that answers an ETag answers If-None-Match with a 304 that has no body."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from app.core.config import Settings
from tests.diagnosis.test_rule_sets import my_rule_set
from tests.events.conftest import event_settings
from tests.messages.test_templates import TEMPLATE
from tests.sessions.conftest import SESSION

pytestmark = pytest.mark.anyio

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return event_settings(database_url, tmp_path)  # a webhook endpoint on this machine


def documented_etag_gets() -> set[str]:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    shared = document["components"]["responses"]
    answers = {
        path: item.get("get", {}).get("responses", {}).get("200", {})
        for path, item in document["paths"].items()
    }
    return {
        path
        for path, answer in answers.items()
        if "ETag"
        in shared.get(answer.get("$ref", "").rsplit("/", 1)[-1], answer).get("headers", {})
    }


async def created(api: httpx.AsyncClient, url: str, body: object) -> dict[str, str]:
    response = await api.post(url, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_every_etag_get_answers_304(api: httpx.AsyncClient) -> None:
    candidate = await created(
        api, "/v1/candidates", {"external_ref": "etag", "display_name": "Alex"}
    )
    session = await created(api, "/v1/sessions", {**SESSION, "candidate_id": candidate["id"]})
    item = await created(
        api, f"/v1/sessions/{session['id']}/action-items", {"text": "Ask for a referral"}
    )
    template = await created(api, "/v1/templates", TEMPLATE)
    rule_set = await created(api, "/v1/rule-sets", my_rule_set())
    endpoint = await created(api, "/v1/webhook-endpoints", {"url": "http://127.0.0.1:9/hook"})
    coach = await created(api, "/v1/coaches", {"name": "Sam", "external_ref": "etag-coach"})
    urls = {
        "/v1/candidates/{candidate_id}": f"/v1/candidates/{candidate['id']}",
        "/v1/question-sets/{key}": "/v1/question-sets/self-reflection",
        "/v1/question-sets/{key}/versions/{version}": (
            "/v1/question-sets/self-reflection/versions/1"
        ),
        "/v1/rule-sets/{key}/versions/{version}": (
            f"/v1/rule-sets/{rule_set['key']}/versions/{rule_set['version']}"
        ),
        "/v1/sessions/{session_id}": f"/v1/sessions/{session['id']}",
        "/v1/sessions/{session_id}/action-items/{item_id}": (
            f"/v1/sessions/{session['id']}/action-items/{item['id']}"
        ),
        "/v1/templates/{template_id}": f"/v1/templates/{template['id']}",
        "/v1/webhook-endpoints/{endpoint_id}": f"/v1/webhook-endpoints/{endpoint['id']}",
        "/v1/coaches/{coach_id}": f"/v1/coaches/{coach['id']}",
        "/v1/follow-up-cadence": "/v1/follow-up-cadence",
    }
    assert set(urls) == documented_etag_gets(), "add the new GET with an ETag here"
    for path, url in urls.items():
        first = await api.get(url)
        assert first.status_code == 200, path
        etag = first.headers["ETag"]
        for sent in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
            again = await api.get(url, headers={"If-None-Match": sent})
            assert again.status_code == 304, (path, sent)
            assert again.content == b"", path
            assert "content-type" not in again.headers, path
            assert again.headers["ETag"] == etag, path
        changed = await api.get(url, headers={"If-None-Match": '"other"'})
        assert changed.status_code == 200, path
