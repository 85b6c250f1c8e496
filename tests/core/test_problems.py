from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.core.logging import RequestIdFilter
from tests.core.probe_routes import router as probe_router

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    app.include_router(probe_router)
    return app


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == response.request.url.path
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/nope"), 404, "not-found")
    assert "/nope" in str(body["detail"])


async def test_wrong_method_is_a_405_problem_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/healthz")
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "GET"


async def test_validation_problem_points_at_each_field(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/probe/things?verbose=perhaps", json={"name": "", "size": -1, "colour": "red"}
    )
    body = assert_problem(response, 422, "validation-error")
    errors = body["errors"]
    assert isinstance(errors, list)
    pointers = {e["pointer"]: e["code"] for e in errors}
    assert pointers == {
        "/query/verbose": "bool_parsing",
        "/body/name": "string_too_short",
        "/body/size": "greater_than_equal",
        "/body/colour": "extra_forbidden",
    }
    assert all(e["detail"] for e in errors)


async def test_missing_body_points_at_body(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/probe/things"), 422, "validation-error")
    assert [e["pointer"] for e in body["errors"]] == ["/body"]  # type: ignore[union-attr]


async def test_pointer_escapes_slash_and_tilde(client: httpx.AsyncClient) -> None:
    response = await client.post("/probe/things", json={"name": "a", "size": 1, "a/b~c": 1})
    body = assert_problem(response, 422, "validation-error")
    assert [e["pointer"] for e in body["errors"]] == ["/body/a~1b~0c"]  # type: ignore[union-attr]


async def test_malformed_json_is_a_400_problem_naming_the_fault(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/probe/things",
        content=b'{"name": "a", "size": }',
        headers={"content-type": "application/json"},
    )
    body = assert_problem(response, 400, "malformed-json")
    assert "Expecting value" in str(body["detail"])
    assert "character 22" in str(body["detail"])


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe{", b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000],
)
async def test_unreadable_body_is_a_malformed_json_problem(
    client: httpx.AsyncClient, content: bytes
) -> None:
    response = await client.post(
        "/probe/things", content=content, headers={"content-type": "application/json"}
    )
    assert_problem(response, 400, "malformed-json")


async def test_declared_oversized_body_is_refused_before_reading(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/healthz", content=b"x" * 2_000_000)
    body = assert_problem(response, 413, "content-too-large")
    assert body["max_body_bytes"] == 1_048_576


async def test_streamed_oversized_body_is_cut_off(client: httpx.AsyncClient) -> None:
    chunks_sent = 0

    async def stream() -> AsyncIterator[bytes]:
        nonlocal chunks_sent
        for _ in range(64):
            chunks_sent += 1
            yield b"x" * 65_536

    response = await client.post(
        "/probe/things", content=stream(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "content-too-large")
    assert chunks_sent < 64  # refused once past the limit, not after buffering it all


async def test_unhandled_error_is_a_500_without_internals(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.ERROR, logger="debrief.error"):
        response = await client.get("/probe/crash", headers={"X-Request-ID": "trace-42"})
    body = assert_problem(response, 500, "internal-error")
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert body["request_id"] == "trace-42"
    logged = [r for r in caplog.records if r.name == "debrief.error"]
    assert logged
    assert logged[0].exc_info is not None
    assert logged[0].request_id == "trace-42"  # type: ignore[attr-defined]


async def test_every_problem_type_is_documented(client: httpx.AsyncClient) -> None:
    catalogue = (await client.get("/problems")).json()
    slugs = {entry["type"] for entry in catalogue}
    assert {"/problems/not-found", "/problems/validation-error"} <= slugs
    one = await client.get("/problems/malformed-json")
    assert one.status_code == 200
    assert one.json()["status"] == 400
    assert_problem(await client.get("/problems/nonsense"), 404, "not-found")


@pytest.mark.parametrize("url", ["/v1/candidates?external_ref=a%00b", "/v1/question-sets/a%00b"])
async def test_nul_in_path_or_query_is_a_400(client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url)
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/bad-request"
