"""The route table picks the route the router's walk would, for every route and method."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import Match, Route

from app.core.route_table import RouteTable

pytestmark = pytest.mark.anyio

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _scope(method: str, path: str) -> dict[str, object]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}


def _walk(app: FastAPI, scope: dict[str, object]) -> object | None:
    for route in app.router.routes:
        if route.matches(dict(scope))[0] == Match.FULL:
            return route
    return None


def _table(table: RouteTable, scope: dict[str, object]) -> object | None:
    for route in table.candidates(scope):
        if route.matches(dict(scope))[0] == Match.FULL:
            return route
    return None


async def test_the_table_chooses_as_the_walk_does(app: FastAPI) -> None:
    table = app.router.middleware_stack
    assert isinstance(table, RouteTable)
    paths = {"/", "/nowhere", "/v1", "/v1/", "/v1/sessions/", "/v1/sessions/a/b/c/d/e"}
    for route in app.router.routes:
        if isinstance(route, Route):
            concrete = re.sub(r"\{[^}]+\}", "x1", route.path)
            paths |= {concrete, concrete + "/", concrete + "/extra"}
    for path in sorted(paths):
        for method in METHODS:
            scope = _scope(method, path)
            assert _table(table, scope) is _walk(app, scope), (method, path)


async def test_routes_added_later_are_found(app: FastAPI, client: httpx.AsyncClient) -> None:
    async def late() -> dict[str, str]:
        return {"late": "yes"}

    assert (await client.get("/v1/late-route")).status_code == 404
    app.router.add_api_route("/v1/late-route", late, methods=["GET"])
    response = await client.get("/v1/late-route")
    assert response.status_code == 200
    assert response.json() == {"late": "yes"}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("DELETE", "/v1/sessions", 405), ("GET", "/v1/nothing-here", 404), ("PUT", "/healthz", 405)],
)
async def test_no_match_answers_as_before(
    client: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    response = await client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
