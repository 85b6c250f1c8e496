"""Connections in use, counted from the pool's own checkout and checkin events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from app.platform import metrics


def _checked_out(*_args: Any) -> None:
    metrics.DATABASE_CONNECTIONS_IN_USE.inc()
    metrics.DATABASE_POOL_WAITS.inc()


def _checked_in(*_args: Any) -> None:
    metrics.DATABASE_CONNECTIONS_IN_USE.dec()


def watch_pool(engine: AsyncEngine) -> None:
    pool = engine.sync_engine.pool
    if not event.contains(pool, "checkout", _checked_out):
        event.listen(pool, "checkout", _checked_out)
        event.listen(pool, "checkin", _checked_in)
