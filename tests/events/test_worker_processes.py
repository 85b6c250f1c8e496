"""`debrief worker` processes on PostgreSQL: killed mid-batch, or two side by side."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from app.core.database import Database
from app.core.event_types import EventType
from app.core.outbox import emit
from tests.databases import backend_name
from tests.events.conftest import add_endpoint
from tests.events.receiver import Receiver
from tests.tenants import Tenant

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(backend_name() != "postgresql", reason="SKIP LOCKED: the PostgreSQL lane"),
]
EVENTS = 60
WAIT_SECONDS = 90


@contextmanager
def worker_process(
    database_url: str, lease_seconds: float = 60
) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DEBRIEF_DATABASE_URL": database_url,
        "DEBRIEF_WEBHOOKS_ALLOW_PRIVATE": "true",
        "DEBRIEF_WORKER_POLL_SECONDS": "0.05",
        "DEBRIEF_WORKER_LEASE_SECONDS": str(lease_seconds),
        "DEBRIEF_WORKER_BATCH_SIZE": "10",
        "DEBRIEF_WEBHOOKS_RETRY_DELAY_FACTOR": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        env=env,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def _emit_events(database: Database, tenant: Tenant) -> set[str]:
    async with database.sessionmaker() as session, session.begin():
        return {
            emit(session, tenant.organization_id, EventType.WEBHOOK_TEST, {"n": n})
            for n in range(EVENTS)
        }


async def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_a_killed_worker_loses_nothing(
    api: httpx.AsyncClient,
    receiver: Receiver,
    database: Database,
    tenant: Tenant,
    database_url: str,
) -> None:
    await add_endpoint(api, receiver.url)
    expected = await _emit_events(database, tenant)
    receiver.delay = 0.05
    with worker_process(database_url, lease_seconds=2) as first:
        await _wait_for(lambda: len(receiver.received) >= 5)
        first.send_signal(signal.SIGKILL)  # in the middle of a batch
        first.wait()
    assert set(receiver.ids()) < expected
    with worker_process(database_url, lease_seconds=2):
        await _wait_for(lambda: set(receiver.ids()) >= expected)
    assert set(receiver.ids()) == expected


async def test_two_workers_never_send_one_event_twice_at_once(
    api: httpx.AsyncClient,
    receiver: Receiver,
    database: Database,
    tenant: Tenant,
    database_url: str,
) -> None:
    await add_endpoint(api, receiver.url)
    expected = await _emit_events(database, tenant)
    receiver.delay = 0.02
    with worker_process(database_url), worker_process(database_url):
        await _wait_for(lambda: set(receiver.ids()) >= expected)
    by_id: dict[str, list[tuple[float, float]]] = {}
    for got in receiver.received:
        by_id.setdefault(got.headers["webhook-id"], []).append((got.started, got.ended))
    assert set(by_id) == expected
    for spans in by_id.values():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start >= end, "one event was being delivered twice at the same moment"
    # Without a crash, each event went out exactly once.
    assert sum(len(spans) for spans in by_id.values()) == EVENTS
