"""The per-route dependency plan: which routes have one, that each answers exactly as
FastAPI's solver does, and that the FastAPI internals it relies on are still there."""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import fastapi
import fastapi.routing
import httpx
import pytest
from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.dependencies.utils import (
    SolvedDependency,
    _validate_value_with_model_field,
    solve_dependencies,
)
from fastapi.routing import APIRoute
from pydantic_core import PydanticUndefined as Undefined

from app.core import dependency_plan
from app.core.config import Settings
from app.core.dependency_plan import DependencyPlan, blank_response
from app.core.routing import DebriefRoute
from tests.request_catalogue import base_bodies, operations, subjects, url

pytestmark = pytest.mark.anyio

# Routes FastAPI's solver keeps, and why: none of the application's own routes today.
FALLBACKS: dict[str, str] = {}
# Routes that are not DebriefRoutes, served as FastAPI and Starlette serve them.
NOT_DEBRIEF = {
    "/openapi.json": "a Starlette route (the cached document)",
    "/mcp": "a Starlette route (the MCP server)",
    "/docs-assets": "a static files mount",
    "/docs": "a FastAPI APIRoute, no dependencies (documentation page)",
    "/docs/oauth2-redirect": "a FastAPI APIRoute, no dependencies (documentation page)",
    "/redoc": "a FastAPI APIRoute, no dependencies (documentation page)",
}


def test_fastapi_internals_the_plan_relies_on() -> None:
    assert fastapi.__version__ == "0.165.0", "recheck app/core/dependency_plan.py against it"
    handler = fastapi.routing.get_request_handler
    (request_app,) = [c for c in handler.__code__.co_consts if getattr(c, "co_name", "") == "app"]
    assert "solve_dependencies" in request_app.co_names
    assert handler.__closure__ is None
    assert fastapi.routing.solve_dependencies is solve_dependencies
    assert "get_request_handler" in APIRoute.get_route_handler.__code__.co_names
    assert APIRoute.get_route_handler.__closure__ is None
    called = inspect.getsource(handler)
    assert "await solve_dependencies(\n" in called
    for keyword in (
        "request=request",
        "dependant=dependant",
        "body=body",
        "dependency_overrides_provider=dependency_overrides_provider",
        "async_exit_stack=async_exit_stack",
        "embed_body_fields=embed_body_fields",
    ):
        assert keyword in called
    for used in ("values", "errors", "background_tasks", "response"):
        assert used in SolvedDependency.__dataclass_fields__
    # The solver's steps the plan replays, as the plan replays them.
    solver = inspect.getsource(solve_dependencies)
    for step in (
        "if sub_dependant.use_cache and sub_dependant_cache_key in dependency_cache:",
        "request_params_to_args(\n        dependant.path_params, request.path_params",
        "request_params_to_args(\n        dependant.cookie_params,",
        "errors += path_errors + query_errors + header_errors + cookie_errors",
        "await request_body_to_args(",
        "solved = await run_in_threadpool(call, **solved_result.values)",
    ):
        assert step in solver, step
    # The one-field body the plan validates itself, as `request_body_to_args` does.
    body_to_args = inspect.getsource(fastapi.dependencies.utils.request_body_to_args)
    for step in (
        "len(body_fields) == 1\n        and not embed_body_fields\n"
        "        and not _should_embed_body_fields(body_fields)\n"
        "        and not _get_form_models(body_fields[0])",
        'if single_not_embedded_field:\n        loc: tuple[str, ...] = ("body",)\n'
        "        v_, errors_ = _validate_value_with_model_field(\n"
        "            field=first_field,\n            value=body_to_process,\n"
        "            values=values,\n            loc=loc,\n        )\n"
        "        return {first_field.name: v_}, errors_",
    ):
        assert step in body_to_args, step
    fields = {f.name for f in fastapi.dependencies.models.Dependant.__dataclass_fields__.values()}
    assert fields == {
        "path_params", "query_params", "header_params", "cookie_params", "body_params",
        "dependencies", "name", "call", "request_param_name", "websocket_param_name",
        "http_connection_param_name", "response_param_name", "background_tasks_param_name",
        "security_scopes_param_name", "own_oauth_scopes", "parent_oauth_scopes", "use_cache",
        "path", "scope", "concurrency",
    }  # fmt: skip


async def test_every_route_is_planned_or_listed(app: FastAPI) -> None:
    planned, fallbacks, others = 0, {}, set()
    for route in app.router.routes:
        path = getattr(route, "path", "")
        if not isinstance(route, DebriefRoute):
            others.add(path)
        elif isinstance(route.dependency_plan, DependencyPlan):
            planned += 1
        else:
            fallbacks[path] = route.dependency_plan
    assert fallbacks == FALLBACKS
    assert others == set(NOT_DEBRIEF)
    assert planned > 90


@contextmanager
def fastapi_solver(app: FastAPI) -> Iterator[None]:
    """FastAPI's solver for every route: any override sends the plan to it (the
    application's routes have no overrides provider, so the dummy changes nothing else)."""

    def never_called() -> None:  # pragma: no cover
        raise AssertionError

    app.dependency_overrides[never_called] = never_called
    try:
        yield
    finally:
        app.dependency_overrides.clear()


def _requests(
    operation_list: list[tuple[str, str, dict[str, Any]]],
    ids: dict[str, str],
    bodies: dict[tuple[str, str], Any],
    auth: dict[str, str],
) -> Iterator[tuple[str, str, str, dict[str, str], Any]]:
    """(method, url, headers, json body or raw content) a route is asked, none of which
    changes what is stored: reads, previews, and requests refused before any write."""
    pure_posts = {"/v1/diagnoses/preview", "/v1/messages/preview", "/v1/templates/preview"}
    for method, path, operation in operation_list:
        safe = method in ("get", "head") or path in pure_posts or path.endswith("/validate")
        target = url(path, ids)
        body = bodies.get((method, path))
        names = {p["name"] for p in operation["parameters"]}
        yield method, path, target, {}, body  # no credentials
        yield method, path, target, {"Authorization": "Bearer not-a-key"}, body
        yield method, path, target, {"Authorization": "Basic abc"}, body
        if "{" in path:
            bad = path
            for name in ids:
                bad = bad.replace("{" + name + "}", "not-an-id")
            yield method, path, bad, auth, body
            yield method, path, url(path, dict.fromkeys(ids, "%20")), auth, body
        if safe:
            yield method, path, target, auth, body
            yield method, path, target, {**auth, "If-None-Match": '"nope"'}, body
            yield method, path, target, {**auth, "If-None-Match": "*"}, body
            for parameter in operation["parameters"]:
                if parameter["in"] == "query":
                    name = parameter["name"]
                    yield method, path, f"{target}?{name}=%21%21", auth, body
                    yield method, path, f"{target}?{name}=1&{name}=2", auth, body
                    yield method, path, f"{target}?{name}=", auth, body
        if "If-Match" in names:
            yield method, path, target, {**auth, "If-Match": '"nope"'}, body
            yield method, path, target, {**auth, "If-Match": "garbage"}, body
        if body is not None:
            yield method, path, target, auth, b"{"
            yield method, path, target, auth, b"[]"
            yield method, path, target, {**auth, "Content-Type": "text/plain"}, b"{}"
            yield method, path, target, auth, {"unexpected": [1, {"x": None}]}
            if isinstance(body, dict):
                for key in list(body)[:3]:
                    yield method, path, target, auth, {**body, key: {"wrong": "type"}}
                    if not safe:
                        continue
                    yield method, path, target, auth, {k: v for k, v in body.items() if k != key}


# Responses stamped with the time they are made: compared with their timestamps masked.
STAMPED_NOW = {"/v1/candidates/{candidate_id}/export"}
_TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def _untimed(answer: tuple[int, list[tuple[str, str]], bytes]) -> Any:
    status, headers, content = answer
    headers = [(k, v) for k, v in headers if k not in ("etag", "content-length")]
    return status, headers, _TIMESTAMP.sub(b"T", content)


async def _send(
    client: httpx.AsyncClient, method: str, target: str, headers: dict[str, str], body: Any
) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = {"X-Request-ID": "differential", **headers}
    if isinstance(body, bytes):
        headers.setdefault("Content-Type", "application/json")
        response = await client.request(method, target, headers=headers, content=body)
    elif body is not None:
        response = await client.request(method, target, headers=headers, json=body)
    else:
        response = await client.request(method, target, headers=headers)
    return response.status_code, list(response.headers.multi_items()), response.content


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Thousands of requests: the limits would answer 429 and count down in every response.
    return settings.model_copy(update={"rate_limits_enabled": False})


@pytest.fixture
async def raw_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_planned_routes_answer_as_fastapis_solver(
    app: FastAPI,
    api: httpx.AsyncClient,
    raw_client: httpx.AsyncClient,
    tenant: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    candidate, ids = await subjects(api)
    planned = {
        (method, route.path)
        for route in app.router.routes
        if isinstance(route, DebriefRoute) and isinstance(route.dependency_plan, DependencyPlan)
        for method in {m.lower() for m in route.methods}
    }
    operation_list = [op for op in operations(app) if (op[0], op[1]) in planned]
    assert len(operation_list) > 90

    plan_solves = 0
    solve = dependency_plan._solve

    async def counted(*args: Any) -> Any:
        nonlocal plan_solves
        plan_solves += 1
        return await solve(*args)

    monkeypatch.setattr(dependency_plan, "_solve", counted)
    timed: set[str] = set()
    compared = solved_by_plan = 0
    statuses: set[int] = set()
    requests = _requests(operation_list, ids, base_bodies(candidate["id"]), tenant.headers())
    for method, path, target, headers, body in requests:
        before = plan_solves
        planned_answer = await _send(raw_client, method, target, headers, body)
        solved_by_plan += plan_solves > before  # not when refused before the solve step
        with fastapi_solver(app):
            during = plan_solves
            fastapi_answer = await _send(raw_client, method, target, headers, body)
            assert plan_solves == during
        if planned_answer != fastapi_answer:
            timed.add(path)
            assert _untimed(planned_answer) == _untimed(fastapi_answer), (target, headers, body)
        compared += 1
        statuses.add(planned_answer[0])
    assert compared > 900
    assert timed <= STAMPED_NOW
    assert solved_by_plan > compared / 2
    assert {200, 304, 400, 401, 404, 412, 415, 422} <= statuses


# A small app: overrides still apply, and the plan keeps FastAPI's order and caching.


def small_app(calls: list[str]) -> FastAPI:
    async def leaf(x_trace: str = Header("none")) -> str:
        calls.append(f"leaf:{x_trace}")
        return x_trace

    def sync_middle(leaf_value: str = Depends(leaf)) -> str:
        calls.append("middle")
        return leaf_value + "+middle"

    async def top(
        request: Request,
        response: Response,
        middle: str = Depends(sync_middle),
        again: str = Depends(leaf),
        fresh: str = Depends(leaf, use_cache=False),
    ) -> str:
        response.headers["x-top"] = "1"
        calls.append("top")
        return f"{middle}|{again}|{fresh}|{request.url.path}"

    app = FastAPI()
    app.router.route_class = DebriefRoute

    @app.get("/thing/{n}")
    async def thing(n: int, value: str = Depends(top), q: int = 0) -> dict[str, Any]:
        return {"n": n, "q": q, "value": value}

    app.state.leaf = leaf
    return app


async def test_small_app_plan_matches_fastapi_and_applies_overrides() -> None:
    calls: list[str] = []
    app = small_app(calls)
    route = next(r for r in app.router.routes if getattr(r, "path", "") == "/thing/{n}")
    assert isinstance(route, DebriefRoute)
    assert isinstance(route.dependency_plan, DependencyPlan)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answers = []
        for solver in ("plan", "fastapi"):
            calls.clear()
            if solver == "fastapi":
                app.dependency_overrides[object] = object
            for target, headers in (
                ("/thing/3?q=2", {"x-trace": "t"}),
                ("/thing/x?q=y", {}),
                ("/thing/3", {}),
            ):
                response = await client.get(target, headers=headers)
                answers.append((response.status_code, response.headers.get("x-top"), response.text))
            answers.append(tuple(calls))
            app.dependency_overrides.clear()
        assert answers[:4] == answers[4:]
        assert answers[3] == (
            "leaf:t", "middle", "leaf:t", "top",
            "leaf:none", "middle", "leaf:none", "top",
            "leaf:none", "middle", "leaf:none", "top",
        )  # fmt: skip

        async def overridden(x_trace: str = Header("none")) -> str:
            return "override"

        app.dependency_overrides[app.state.leaf] = overridden
        response = await client.get("/thing/1")
        assert response.json()["value"] == "override+middle|override|override|/thing/1"


async def test_generator_dependencies_stay_with_fastapis_solver() -> None:
    order: list[str] = []

    async def opened() -> AsyncIterator[int]:
        order.append("open")
        yield 1
        order.append("close")

    app = FastAPI()
    app.router.route_class = DebriefRoute

    @app.get("/g")
    async def g(value: int = Depends(opened)) -> int:
        order.append("endpoint")
        return value

    route = next(r for r in app.router.routes if getattr(r, "path", "") == "/g")
    assert isinstance(route, DebriefRoute)
    assert route.dependency_plan == "generator dependency 'opened'"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/g")).json() == 1
    assert order == ["open", "endpoint", "close"]


def _solvers_response() -> Response:
    """The response FastAPI's `solve_dependencies` makes for the dependencies."""
    source = inspect.getsource(solve_dependencies)
    made = (
        "response = Response()\n"
        '        del response.headers["content-length"]\n'
        "        response.status_code = None  # type: ignore\n"
    )
    assert made in source, "recheck dependency_plan.blank_response against FastAPI"
    response = Response()
    del response.headers["content-length"]
    response.status_code = None  # type: ignore[assignment]
    return response


def _used(response: Response) -> list[Any]:
    seen: list[Any] = [type(response), response.status_code, response.background]
    seen += [response.body, response.media_type, response.charset, list(response.raw_headers)]
    seen += [set(vars(response)) - {"_headers"}, response.headers.raw, dict(response.headers)]
    response.headers["X-Top"] = "1"
    response.headers.append("x-top", "2")
    response.set_cookie("a", "b", max_age=5)
    response.delete_cookie("c")
    del response.headers["x-top"]
    response.status_code = 201
    response.headers["Content-Language"] = "fr"
    seen += [response.raw_headers, response.headers.raw, response.status_code]
    return seen


def test_the_plans_response_is_the_solvers() -> None:
    assert _used(blank_response()) == _used(_solvers_response())


def _params(node: Any) -> Iterator[Any]:
    yield from (*node.path, *node.query, *node.header, *node.cookie)
    for step in node.steps:
        yield from _params(step.node)


async def test_a_missing_parameter_reads_as_fastapi_validates_it(app: FastAPI) -> None:
    plans = [
        route.dependency_plan
        for route in app.router.routes
        if isinstance(route, DebriefRoute) and isinstance(route.dependency_plan, DependencyPlan)
    ]
    compared = shortcut = 0
    for plan in plans:
        for param in _params(plan._root):
            errors: list[Any] = []
            read = dependency_plan._read_params((param,), {}, errors)
            loc = (param.location, param.request_keys[0])
            value, expected_errors = _validate_value_with_model_field(
                field=param.field, value=Undefined, values={}, loc=loc
            )
            assert errors == expected_errors
            if not expected_errors:
                assert type(read[param.name]) is type(value)
                assert read[param.name] == value
            compared += 1
            shortcut += param.missing is not None
    assert compared > 100
    assert shortcut > 50
