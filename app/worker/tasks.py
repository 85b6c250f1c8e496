"""The periodic tasks every worker runs (see app/worker/periodic.py to add one)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.idempotency import purge_expired
from app.follow_ups.service import make_due
from app.worker.periodic import PeriodicTask


async def purge_idempotency_records(session: AsyncSession, _now: datetime) -> str:
    removed = await purge_expired(session)
    return f"removed {removed} expired idempotency records"


PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    PeriodicTask("purge.idempotency_records", timedelta(days=1), purge_idempotency_records),
    PeriodicTask("follow_ups.fall_due", timedelta(minutes=1), make_due),
)
