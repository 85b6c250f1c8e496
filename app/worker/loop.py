"""The worker: fans events out, sends due webhook deliveries, runs periodic tasks.

`debrief worker` runs it on its own (any number of them on PostgreSQL); on the embedded
SQLite default `debrief serve` runs it inside the server process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import models  # noqa: F401 (every table, for the foreign keys it follows)
from app.core.config import Environment, Settings
from app.core.database import SQLITE_BEGIN_OPTION, Database
from app.events import dispatch
from app.events.outcome import Outcome
from app.platform import metrics
from app.worker.periodic import PeriodicTask, ensure_rows, run_due
from app.worker.tasks import PERIODIC_TASKS

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger("debrief.worker")
HEALTH_EVERY_SECONDS = 60.0


class Worker:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        tasks: Sequence[PeriodicTask] = PERIODIC_TASKS,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.tasks = tasks
        # Made at the first delivery: a server running this worker in process (SQLite)
        # loads no HTTP client until it has a webhook to send.
        self.client = client
        self._limit = asyncio.Semaphore(settings.worker_concurrency)
        self._last_health = 0.0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A short write transaction; on SQLite it queues with the server's writers."""
        async with contextlib.AsyncExitStack() as stack:
            session = await stack.enter_async_context(self.database.sessionmaker())
            if self.database.is_sqlite:
                await stack.enter_async_context(self.database.sqlite_writer)
                await session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            await session.commit()

    async def run_tasks(self) -> None:
        async with self.transaction() as session:
            await ensure_rows(session, self.tasks)
        for task in self.tasks:
            async with self.transaction() as session:
                summary = await run_due(session, task)
            if summary is not None:
                logger.info("periodic task %s: %s", task.name, summary)

    async def _attempt(self, claim: dispatch.Claim) -> Outcome:
        from app.events.sender import attempt, new_client

        if self.client is None:
            self.client = new_client(self.settings.webhooks_timeout_seconds)
        async with self._limit:
            return await attempt(
                self.client,
                claim.url,
                claim.message_id,
                claim.payload,
                claim.secrets,
                allow_private=self.settings.webhooks_allow_private,
                require_https=self.settings.environment is Environment.PROD,
            )

    async def _settle(self, claims: Sequence[dispatch.Claim], outcomes: Sequence[Outcome]) -> None:
        """The batch's outcomes in one short transaction (one write turn on SQLite), not one
        each. A crash before it commits sends the batch again: at least once, as before."""
        lost = []
        async with self.transaction() as session:
            for claim, outcome in zip(claims, outcomes, strict=True):
                kept = await dispatch.settle(
                    session,
                    claim,
                    outcome,
                    retry_factor=self.settings.webhooks_retry_delay_factor,
                    disable_after=timedelta(days=self.settings.webhooks_disable_after_days),
                )
                if not kept:
                    lost.append(claim.delivery_id)
        for delivery_id in lost:
            logger.warning("lease on delivery %s expired before its outcome was saved", delivery_id)

    async def deliver_once(self) -> int:
        """Fan out what is new, then send one batch of due deliveries; how many were sent."""
        batch = self.settings.worker_batch_size
        while True:
            async with self.transaction() as session:
                fanned = await dispatch.fan_out(session, batch)
            if fanned < batch:
                break
        async with self.transaction() as session:
            claims = await dispatch.claim(session, batch, self.settings.worker_lease_seconds)
        if claims:
            outcomes = await asyncio.gather(*(self._attempt(claim) for claim in claims))
            await self._settle(claims, outcomes)
        return len(claims)

    async def report_health(self) -> None:
        """The health line: how late the oldest due work is."""
        now = time.monotonic()
        if now - self._last_health < HEALTH_EVERY_SECONDS:
            return
        self._last_health = now
        async with self.database.sessionmaker() as session:
            lag = await dispatch.lag_seconds(session)
        metrics.WORKER_LAG.set(lag)
        logger.info("worker health: lag %.1f s", lag)

    async def run(self, stop: asyncio.Event) -> None:
        logger.info("worker started")
        while not stop.is_set():
            try:
                await self.run_tasks()
                sent = await self.deliver_once()
                await self.report_health()
            except Exception:
                # A database blip must not end the loop; the next turn tries again.
                logger.exception("worker turn failed")
                sent = 0
            if sent == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.worker_poll_seconds)
        await self.close()
        logger.info("worker stopped")

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
