"""No dependency of any route runs in the thread pool.

FastAPI awaits a coroutine function (or an object whose `__call__` is one) on the event
loop, and runs anything else, a class or a plain `def`, in its thread pool: two thread
hops a request for a dependency that does no blocking work.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.core.config import Settings
from app.main import create_app


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def _awaited_on_the_loop(call: Any) -> bool:
    if inspect.isclass(call):
        return False
    if inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call):
        return True
    dunder_call = getattr(call, "__call__", None)  # noqa: B004 - instances with async __call__
    return inspect.iscoroutinefunction(dunder_call) or inspect.isasyncgenfunction(dunder_call)


def test_every_dependency_of_every_route_is_awaited_on_the_event_loop(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings)
    routes = [r for r in app.routes if isinstance(r, APIRoute)]
    assert len(routes) > 30
    offenders = sorted(
        {
            f"{route.path} {sorted(route.methods)}: {getattr(dep.call, '__qualname__', dep.call)}"
            for route in routes
            for dep in _dependencies(route.dependant)
            if dep.call is not None and not _awaited_on_the_loop(dep.call)
        }
    )
    assert offenders == []
