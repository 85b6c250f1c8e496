"""Renders organisations' templates in worker processes, each under a wall-clock limit.

A template is bounded as it runs (`limits`), but its rendering is still Python work.
Done here, off the event loop, in a process that is killed and replaced when it takes
too long, not even a template nobody foresaw can hold up other requests. Built-in
templates, which ship with the code, render in-process: they need no guard, and a round
trip to a worker would cost more than they do.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from pebble import ProcessExpired, ProcessPool

from app.messages.render import Rendered, RenderError, Source, render


class RenderTimedOut(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"The template took longer than {seconds:g} seconds to render.")
        self.seconds = seconds


@dataclass(frozen=True)
class _Failure:
    """A RenderError, as a worker sends it back (an exception with its own arguments
    does not survive pickling)."""

    detail: str
    part: str
    line: int | None
    costly: bool


def _render_in_worker(source: Source, variables: dict[str, Any]) -> Rendered | _Failure:
    try:
        return render(source, variables)
    except RenderError as exc:
        return _Failure(exc.detail, exc.part, exc.line, exc.costly)


def _warm_up() -> None:
    """Nothing: scheduling it makes the pool start its workers."""


# Workers fork from a small server process that has already imported the renderer:
# quick to replace, and no fork of the threaded API process itself.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload([__name__])

# One pool of workers per process, however many apps it makes (the tests make one per
# test); started on first use, stopped by the app's shutdown or at exit.
_lock = threading.Lock()
_pools: dict[int, ProcessPool] = {}


def _pool(workers: int) -> ProcessPool:
    with _lock:
        pool = _pools.get(workers)
        if pool is None or not pool.active:
            pool = _pools[workers] = ProcessPool(max_workers=workers, context=_CONTEXT)
        return pool


def stop_all() -> None:
    with _lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.stop()  # type: ignore[no-untyped-call]
        pool.join()


atexit.register(stop_all)


class RenderPool:
    """Where an app renders templates it did not ship: `workers` processes, each
    rendering stopped after `timeout` seconds."""

    work = staticmethod(_render_in_worker)  # what a worker runs for a rendering

    def __init__(self, workers: int, timeout: float) -> None:
        self.workers = workers
        self.timeout = timeout

    def start(self) -> None:
        """Start the workers now rather than on the first rendering."""
        _pool(self.workers).schedule(_warm_up)

    async def render(self, source: Source, variables: dict[str, Any]) -> Rendered:
        future = _pool(self.workers).schedule(
            self.work, args=(source, variables), timeout=self.timeout
        )
        try:
            result = await asyncio.wrap_future(future)
        except FutureTimeout:
            raise RenderTimedOut(self.timeout) from None
        except ProcessExpired:  # the worker died (not our code's doing: the OS's)
            raise RenderError("The template could not be rendered.", "body", None) from None
        if isinstance(result, _Failure):
            raise RenderError(result.detail, result.part, result.line, result.costly)
        return result

    def close(self) -> None:
        stop_all()
