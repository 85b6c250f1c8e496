"""The request metrics' series of a route: its template as the label, looked up once."""

from __future__ import annotations

from typing import Any

from starlette.types import Scope

from app.platform import metrics

UNMATCHED_ROUTE = "<unmatched>"


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    root = scope.get("root_path", "")
    return "/mcp" if scope["path"].startswith(root + "/mcp") else UNMATCHED_ROUTE


_CHILDREN: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def children(route: str, method: str, status: int) -> tuple[Any, Any]:
    """The labelled series of one route, method and status; looked up once (labels() takes
    a lock and builds a key on every call). Bounded: route templates, not paths."""
    key = (route, method, status)
    found = _CHILDREN.get(key)
    if found is None:
        found = _CHILDREN[key] = (
            metrics.HTTP_REQUESTS.labels(route, method, str(status)),
            metrics.HTTP_LATENCY.labels(route, method),
        )
    return found
