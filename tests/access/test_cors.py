"""Browsers of configured origins pass the preflight of every operation; others get nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.access.cors import ALLOWED_HEADERS, EXPOSED_HEADERS
from app.core.config import Settings
from app.core.database import Database
from app.main import create_app

pytestmark = pytest.mark.anyio

ALLOWED = "http://127.0.0.1:8001"
STRANGER = "https://evil.example"
REQUEST_HEADERS = "authorization, content-type, if-match, if-none-match, idempotency-key"


@pytest.fixture
def cors_app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings.model_copy(update={"cors_origins": [ALLOWED]}), database=database)


@pytest.fixture
async def browser(cors_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=cors_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def _operations(app: FastAPI) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    ]


def _concrete(path: str) -> str:
    return path.replace("{", "x").replace("}", "")


async def _preflight(
    client: httpx.AsyncClient, method: str, path: str, origin: str
) -> httpx.Response:
    return await client.options(
        _concrete(path),
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": REQUEST_HEADERS,
        },
    )


async def test_every_operation_passes_the_preflight_of_an_allowed_origin(
    browser: httpx.AsyncClient, cors_app: FastAPI
) -> None:
    operations = _operations(cors_app)
    assert len(operations) > 60
    for method, path in operations:
        response = await _preflight(browser, method, path, ALLOWED)
        assert response.status_code == 200, (method, path, response.text)
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert method in response.headers["access-control-allow-methods"]
        allowed = response.headers["access-control-allow-headers"].lower()
        for header in ALLOWED_HEADERS:
            assert header.lower() in allowed


async def test_no_operation_gives_cors_headers_to_another_origin(
    browser: httpx.AsyncClient, cors_app: FastAPI
) -> None:
    for method, path in _operations(cors_app):
        response = await _preflight(browser, method, path, STRANGER)
        assert "access-control-allow-origin" not in response.headers, (method, path)
        assert response.status_code == 400


async def test_answers_expose_the_headers_a_client_reads(
    browser: httpx.AsyncClient,
) -> None:
    response = await browser.get("/v1/me", headers={"Origin": ALLOWED})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == ALLOWED
    exposed = response.headers["access-control-expose-headers"].lower()
    for header in EXPOSED_HEADERS:
        assert header.lower() in exposed
    stranger = await browser.get("/v1/me", headers={"Origin": STRANGER})
    assert "access-control-allow-origin" not in stranger.headers


async def test_without_origins_configured_a_preflight_is_refused_as_before(
    client: httpx.AsyncClient,
) -> None:
    response = await _preflight(client, "GET", "/v1/me", ALLOWED)
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert not any(name.startswith("access-control-") for name in response.headers)
