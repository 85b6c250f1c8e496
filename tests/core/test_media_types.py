"""Bodies are JSON (anything else is a 415 problem); a 204 carries no Content-Type."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from tests.messages.test_templates import TEMPLATE
from tests.request_catalogue import operations
from tests.sessions.conftest import SESSION

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "text/json", None]
)
async def test_a_body_that_is_not_json_is_a_415_on_every_route_that_takes_one(
    app: FastAPI, api: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    tried = 0
    for method, path, operation in operations(app):
        if "requestBody" not in operation:
            continue
        url = re.sub(r"\{[^}]+\}", "x", path)
        response = await api.request(method, url, content=b"{}", headers=headers)
        assert response.status_code == 415, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "/problems/unsupported-media-type"
        assert "415" in operation["responses"], (method, path)
        tried += 1
    assert tried >= 20


@pytest.mark.parametrize("content_type", ["application/json", "Application/JSON; charset=utf-8"])
async def test_json_is_accepted_with_or_without_a_charset(
    api: httpx.AsyncClient, content_type: str
) -> None:
    response = await api.post(
        "/v1/candidates",
        content=b'{"external_ref": "json", "display_name": "Alex"}',
        headers={"Content-Type": content_type},
    )
    assert response.status_code == 201, response.text


async def test_a_merge_patch_is_json(api: httpx.AsyncClient) -> None:
    created = await api.post("/v1/candidates", json={"external_ref": "mp", "display_name": "A"})
    response = await api.patch(
        f"/v1/candidates/{created.json()['id']}",
        content=b'{"display_name": "B"}',
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.text


async def test_a_204_has_no_content_type(api: httpx.AsyncClient) -> None:
    candidate = await api.post("/v1/candidates", json={"external_ref": "d", "display_name": "A"})
    session = await api.post(
        "/v1/sessions", json={**SESSION, "candidate_id": candidate.json()["id"]}
    )
    base = f"/v1/sessions/{session.json()['id']}"
    item = await api.post(f"{base}/action-items", json={"text": "Ask"})
    template = await api.post("/v1/templates", json=TEMPLATE)
    for url in (
        f"{base}/action-items/{item.json()['id']}",
        base,
        f"/v1/candidates/{candidate.json()['id']}",
        f"/v1/templates/{template.json()['id']}",
    ):
        response = await api.delete(url)
        assert response.status_code == 204, url
        assert "content-type" not in response.headers, url
        assert "content-length" not in response.headers, url
        assert response.content == b""
