"""Whatever stands where a path names a resource, what is not there is a 404 naming the noun.

Every operation of the OpenAPI document with an identifying path parameter is called with
an over-long id, a malformed one, one of another kind, and percent-encoded junk, the
other parameters naming things that exist, and a valid body where the operation takes one.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.request_catalogue import base_bodies, candidate_and_session, operations, url

pytestmark = pytest.mark.anyio

NOUNS = {
    "candidate_id": "candidate",
    "session_id": "session",
    "item_id": "action item",
    "diagnosis_id": "diagnosis",
    "message_id": "message",
    "template_id": "template",
    "api_key_id": "API key",
    "event_id": "event",
    "endpoint_id": "webhook endpoint",
    "delivery_id": "delivery",
    "follow_up_id": "follow-up",
    "token": "calendar feed",
    "slug": "problem type",
    "coach_id": "coach",
    "grant_id": "grant",
}
ULID = "01JD6Z7Q4X9V2M8N3K5H6G7F8E"
BAD_IDS = {
    "over-long": "cand_" + ULID * 80,
    "malformed": "not-an-id",
    "wrong prefix": f"zzz_{ULID}",
    "another kind": f"evt_{ULID}",
    "percent-encoded junk": "%FF%FE%25%20%0A%E2%80%A8%22%3C%3E",
    "lower case": f"cand_{ULID.lower()}",
}


def _noun(path: str, name: str) -> str:
    if name == "key":
        return "rule set" if path.startswith("/v1/rule-sets") else "question set"
    return NOUNS[name]


def _existing(candidate: dict[str, Any], session: dict[str, Any]) -> dict[str, str]:
    return {
        "candidate_id": candidate["id"],
        "session_id": session["id"],
        "key": "self-reflection",
        "version": "1",
        "file_format": "text",
    }


async def test_an_unknown_or_malformed_id_in_any_path_is_a_404_naming_the_noun(
    app: FastAPI,
    api: httpx.AsyncClient,
) -> None:
    candidate, session = await candidate_and_session(api)
    existing = _existing(candidate, session)
    endpoint = await api.post("/v1/webhook-endpoints", json={"url": "https://1.1.1.1/hooks"})
    existing["endpoint_id"] = endpoint.json()["id"]
    bases = base_bodies(candidate["id"])
    tried: set[tuple[str, str]] = set()
    for method, path, operation in operations(app):
        names = [
            p["name"]
            for p in operation.get("parameters", [])
            if p["in"] == "path" and p["schema"].get("type") == "string"
        ]
        content = list(operation.get("requestBody", {}).get("content", {}))
        for name in names:
            for label, bad in BAD_IDS.items():
                ids = {**existing, "key": "default" if "rule-sets" in path else "self-reflection"}
                ids[name] = bad
                for other in names:
                    ids.setdefault(other, f"zzz_{ULID}")  # a parent that does not exist
                kwargs: dict[str, Any] = {}
                if content:
                    kwargs = {
                        "content": json.dumps(bases.get((method, path), {})),
                        "headers": {"Content-Type": content[0]},
                    }
                response = await api.request(method, url(path, ids), **kwargs)
                what = f"{method.upper()} {path} with {name} {label}"
                assert response.status_code == 404, (what, response.text)
                problem = response.json()
                assert problem["type"] == "/problems/not-found", what
                assert _noun(path, name) in problem["detail"], (what, problem["detail"])
                assert len(problem["detail"]) < 200, what  # an over-long id is cut short
                tried.add((method, path))
    assert len(tried) >= 40
