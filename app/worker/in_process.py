"""On the embedded SQLite default, the server runs the worker itself: `make run` does all."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.core.config import Settings
from app.core.database import Database


@asynccontextmanager
async def in_process_worker(settings: Settings, database: Database) -> AsyncIterator[None]:
    if not settings.runs_worker_in_process:
        yield
        return
    from app.worker.loop import Worker

    stop = asyncio.Event()
    task = asyncio.create_task(Worker(database, settings).run(stop), name="debrief-worker")
    try:
        yield
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=10)
