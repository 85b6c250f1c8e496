"""FastAPI's own request handler for a route, with only its solve step replaced.

`fastapi.routing.get_request_handler` (and `APIRoute.get_route_handler`, which calls it)
find `solve_dependencies` among `fastapi.routing`'s globals. Copies of the two functions
whose globals are a copy of that module's, with `solve_dependencies` bound to the route's
plan, run FastAPI's code unchanged for that route alone: nothing in FastAPI's modules is
patched. `tests/core/test_dependency_plan.py` fails if these internals move.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Coroutine
from typing import Any

import fastapi.routing
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _rebound(function: Any, namespace: dict[str, Any]) -> Any:
    copy = types.FunctionType(
        function.__code__,
        namespace,
        function.__name__,
        function.__defaults__,
        function.__closure__,
    )
    copy.__kwdefaults__ = function.__kwdefaults__
    return copy


def planned_route_handler(route: APIRoute, solve: Callable[..., Any]) -> Handler:
    """`route`'s FastAPI handler, solving its dependencies with `solve`."""
    namespace = dict(vars(fastapi.routing))
    namespace["solve_dependencies"] = solve
    namespace["get_request_handler"] = _rebound(fastapi.routing.get_request_handler, namespace)
    get_route_handler = _rebound(APIRoute.get_route_handler, namespace)
    handler: Handler = get_route_handler(route)
    return handler
