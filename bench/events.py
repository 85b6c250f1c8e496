"""What the outbox costs a write, and how fast one worker delivers.

    .venv/bin/python bench/events.py [--db sqlite|postgres] [--writes 300] [--events 500]

1. The write: `PATCH /v1/candidates/{id}` through the real app (httpx.ASGITransport, one
   request at a time), alternating runs with the outbox insert on and off (the writer,
   app.core.outbox.emit, swapped for a no-op); prints the medians and the overhead.
2. Delivery: `--events` events emitted in one transaction, one endpoint pointing at a local
   threading HTTP receiver, one in-process Worker draining them; prints events per second.
PostgreSQL: DEBRIEF_TEST_DATABASE_URL names the server (a fresh database is made).
"""

from __future__ import annotations

import sys
from pathlib import Path

# The repository, in place of bench/ (whose http.py would shadow the standard library's).
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time

import httpx

from app.candidates import service as candidates_service
from app.core import migrations
from app.core.config import Settings
from app.core.database import Database
from app.core.event_types import EventType
from app.core.outbox import emit
from app.main import create_app
from app.worker.loop import Worker
from tests.databases import SERVER_URL_VARIABLE, fresh_database
from tests.events.receiver import running_receiver
from tests.tenants import make_tenant

ALEX = {"external_ref": "bench", "display_name": "Alex", "email": "alex@example.com"}


def _no_emit(*_args: object, **_kwargs: object) -> str:
    return ""


async def _write_medians(api: httpx.AsyncClient, writes: int) -> tuple[float, float]:
    candidate = (await api.post("/v1/candidates", json=ALEX)).json()
    path = f"/v1/candidates/{candidate['id']}"
    timings: dict[bool, list[float]] = {True: [], False: []}
    cpu: dict[bool, list[float]] = {True: [], False: []}
    for n in range(writes):
        with_outbox = n % 2 == 0
        candidates_service.emit = emit if with_outbox else _no_emit  # type: ignore[attr-defined]
        started, started_cpu = time.perf_counter(), time.process_time()
        response = await api.patch(path, json={"display_name": f"Alex {n}"})
        cpu[with_outbox].append(time.process_time() - started_cpu)
        timings[with_outbox].append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    candidates_service.emit = emit  # type: ignore[attr-defined]
    print(
        "PATCH candidate, this process's CPU a write (median): "
        f"with outbox {statistics.median(cpu[True]) * 1e6:.0f} µs, "
        f"without {statistics.median(cpu[False]) * 1e6:.0f} µs"
    )
    return statistics.median(timings[True]), statistics.median(timings[False])


async def _throughput(
    database: Database,
    settings: Settings,
    api: httpx.AsyncClient,
    organization_id: str,
    events: int,
) -> float:
    with running_receiver() as receiver:
        await api.post("/v1/webhook-endpoints", json={"url": receiver.url})
        async with database.sessionmaker() as session, session.begin():
            for n in range(events):
                emit(session, organization_id, EventType.WEBHOOK_TEST, {"n": n})
        worker = Worker(database, settings)
        started = time.perf_counter()
        while len(receiver.received) < events:
            await worker.deliver_once()
        elapsed = time.perf_counter() - started
        await worker.client.aclose()
    return events / elapsed


async def run(url: str, writes: int, events: int, directory: Path) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        data_dir=directory,
        webhooks_allow_private=True,
        worker_batch_size=100,
        worker_concurrency=20,
        # The writes are measured, not limited; one line a request would be measured too.
        rate_limits_enabled=False,
        log_level="WARNING",
    )
    database = Database(settings.effective_database_url)
    tenant = await make_tenant(database, "Bench")
    app = create_app(settings, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", headers=tenant.headers()
    ) as api:
        with_outbox, without = await _write_medians(api, writes)
        print(
            f"PATCH candidate, median: with outbox {with_outbox * 1000:.2f} ms, "
            f"without {without * 1000:.2f} ms, overhead {(with_outbox / without - 1) * 100:+.1f} %"
        )
        rate = await _throughput(database, settings, api, tenant.organization_id, events)
        print(f"delivery: {events} events to a local receiver, one worker: {rate:.0f} events/s")
    await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--events", type=int, default=500)
    args = parser.parse_args()
    # The app and the worker's client log every request at INFO; the figures are what this prints.
    logging.disable(logging.INFO)
    if args.db == "sqlite":
        os.environ.pop(SERVER_URL_VARIABLE, None)
    elif not os.environ.get(SERVER_URL_VARIABLE):
        sys.exit(f"set {SERVER_URL_VARIABLE} to a PostgreSQL server for --db postgres")
    with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp)) as url:
        migrations.upgrade(url)
        asyncio.run(run(url, args.writes, args.events, Path(tmp)))


if __name__ == "__main__":
    main()
