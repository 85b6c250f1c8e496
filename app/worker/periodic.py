"""Periodic tasks: each runs at most once per interval across every worker process.

A task's row in `worker_jobs` is claimed with `FOR UPDATE SKIP LOCKED` and the task runs
inside that transaction: one worker runs it, the others skip it, and a worker that dies
mid-run rolls back and releases it.

To add a task (e.g. making follow-ups fall due), append a `PeriodicTask` to
`app.worker.tasks.PERIODIC_TASKS`: a name, an interval, and an async function that takes
the session and the time and returns a one-line summary. To notify platforms, it calls
`app.core.outbox.emit(...)` in that same session; the worker delivers the events.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.ids import utc_now
from app.worker.models import PeriodicJob

TaskFunction = Callable[[AsyncSession, datetime], Awaitable[str]]
MAX_RESULT_LENGTH = 200


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    every: timedelta
    run: TaskFunction


async def ensure_rows(session: AsyncSession, tasks: Sequence[PeriodicTask]) -> None:
    """One row per task, due now if new; concurrent workers may race to insert it."""
    existing = set(
        (
            await session.scalars(
                select(PeriodicJob.name).where(PeriodicJob.name.in_([t.name for t in tasks]))
            )
        ).all()
    )
    for task in tasks:
        if task.name in existing:
            continue
        try:
            async with session.begin_nested():
                session.add(PeriodicJob(name=task.name, next_run_at=utc_now()))
        except IntegrityError:
            pass


async def run_due(session: AsyncSession, task: PeriodicTask) -> str | None:
    """Run the task if it is due and no other worker is running it; its summary, or None."""
    now = utc_now()
    job = await session.scalar(
        select(PeriodicJob)
        .where(PeriodicJob.name == task.name, PeriodicJob.next_run_at <= now)
        .with_for_update(skip_locked=True)
    )
    if job is None:
        return None
    summary = await task.run(session, now)
    job.last_run_at = now
    job.next_run_at = now + task.every
    job.last_result = summary[:MAX_RESULT_LENGTH]
    return summary
