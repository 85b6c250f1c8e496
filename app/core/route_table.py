"""Route matching by a table, instead of a walk over every route.

Starlette's router tries each route in turn (two regular expressions each, ~100 routes) for
every request. Here a request tries only the routes that can match it fully: those whose
method, first two path segments (both literal in the route) and number of segments are
the request's, plus those whose second segment is a parameter and whose method, first
segment and length are the request's, plus every route that cannot be keyed so (a mount,
a path converter, a parameter in the first segment, no methods), all in the app's own
order. The first
full match among them is the first full match of the walk, since no other route can
match. Anything else (405, a slash redirect, 404, websockets, lifespan) goes to the
router's own walk, so those answers are unchanged. The table is rebuilt when the route
list changes.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import _apply_router_form_limits, _update_scope
from fastapi.telemetry._api import _route_selected
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

RouteKey = tuple[str, str, str | None, int]


def _path_key(path: str) -> tuple[str, str | None, int] | None:
    """First segment, second (None for a one-segment path) and the count of slashes."""
    parts = path.split("/", 3)
    if len(parts) < 2 or parts[0]:
        return None
    return parts[1], parts[2] if len(parts) > 2 else None, path.count("/")


def _route_key(route: BaseRoute) -> tuple[str, str | None, int] | None:
    """None for a route that must always be tried; a second segment holding a parameter
    (`/problems/{slug}`) is kept as written."""
    if not isinstance(route, Route) or not route.methods or ":" in route.path:
        return None
    key = _path_key(route.path)
    if key is None or "{" in key[0]:
        return None
    return key


def _any_second(key: tuple[str, str | None, int]) -> bool:
    return key[1] is not None and "{" in key[1]


def _fits(route: Any, key: tuple[str, str | None, int] | None, wanted: RouteKey) -> bool:
    """Whether `route` (keyed `key`) can match a request keyed `wanted`."""
    if key is None:
        return True
    method, first, second, count = wanted
    if method not in route.methods or key[0] != first or key[2] != count:
        return False
    return _any_second(key) or key[1] == second


class RouteTable:
    def __init__(self, app: FastAPI) -> None:
        self.router = app.router
        self.walk: ASGIApp = self.router.middleware_stack
        self._version: tuple[int, int] = (0, -1)
        self._table: dict[RouteKey, tuple[BaseRoute, ...]] = {}
        # By (method, first segment, slashes): routes whose second segment is a parameter.
        self._by_first: dict[tuple[str, str, int], tuple[BaseRoute, ...]] = {}
        self._always: tuple[BaseRoute, ...] = ()

    def _build(self, routes: list[BaseRoute]) -> None:
        keys = [_route_key(route) for route in routes]
        pairs = list(zip(routes, keys, strict=True))
        self._always = tuple(route for route, key in pairs if key is None)
        table: dict[RouteKey, tuple[BaseRoute, ...]] = {}
        by_first: dict[tuple[str, str, int], tuple[BaseRoute, ...]] = {}
        for route, key in pairs:
            if key is None:
                continue
            for method in route.methods or ():  # type: ignore[attr-defined]
                if not _any_second(key):
                    wanted: RouteKey = (method, *key)
                    table[wanted] = tuple(r for r, k in pairs if _fits(r, k, wanted))
                    continue
                # Any request with this method, first segment and length, whatever its
                # second segment, that no key of `table` covers.
                by_first[(method, key[0], key[2])] = tuple(
                    r
                    for r, k in pairs
                    if k is None or (_any_second(k) and _fits(r, k, (method, key[0], k[1], key[2])))
                )
        self._table, self._by_first = table, by_first
        self._version = (id(routes), len(routes))

    def candidates(self, scope: Scope) -> tuple[BaseRoute, ...]:
        routes = self.router.routes
        if (id(routes), len(routes)) != self._version:
            self._build(routes)
        key = _path_key(get_route_path(scope))
        if key is None:
            return self._always
        method = scope["method"]
        found = self._table.get((method, *key))
        if found is not None:
            return found
        return self._by_first.get((method, key[0], key[2]), self._always)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.walk(scope, receive, send)
            return
        for route in self.candidates(scope):
            match, child_scope = route.matches(scope)
            if match == Match.FULL:
                router: Any = self.router
                _apply_router_form_limits(scope, router.form_limits)
                if "router" not in scope:
                    scope["router"] = router
                _update_scope(scope, child_scope)
                _route_selected(scope=scope, path=getattr(route, "path_format", None))
                await route.handle(scope, receive, send)
                return
        await self.walk(scope, receive, send)


def install_route_table(app: FastAPI) -> None:
    """Once every route is in place (routes added later are picked up all the same)."""
    app.router.middleware_stack = RouteTable(app)
