"""`debrief worker`: the loop in a process of its own, stopped cleanly by SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import signal

from app.core.config import Settings
from app.core.database import Database
from app.worker.loop import Worker


async def run_worker(settings: Settings) -> None:
    database = Database(settings.effective_database_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await Worker(database, settings).run(stop)
    finally:
        await database.dispose()
