"""What the outbox costs a write, and how fast one worker delivers.

    .venv/bin/python bench/events.py [--db sqlite|postgres] [--writes 300] [--events 500]
                                     [--rounds 3]

1. The writes: `PATCH /v1/candidates/{id}` and `PUT /v1/sessions/{id}/answers` through the
   real app (httpx.ASGITransport, one request at a time), alternating with the events on
   and off (their one-statement write, app.core.row_writes, given no events); prints the
   medians of wall time and of this process's CPU, for each of `--rounds` rounds and then
   the median of the rounds' medians (one noisy window does not decide).
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
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from app.candidates import service as candidates_service
from app.core import migrations
from app.core.config import Settings
from app.core.database import Database
from app.core.event_types import EventType
from app.core.outbox import emit
from app.core.outbox_models import OutboxEvent
from app.core.row_writes import update_with_events
from app.main import create_app
from app.sessions import service as sessions_service
from app.worker.loop import Worker
from tests.databases import SERVER_URL_VARIABLE, fresh_database
from tests.events.receiver import running_receiver
from tests.sessions.conftest import SESSION
from tests.tenants import make_tenant

ALEX = {"external_ref": "bench", "display_name": "Alex", "email": "alex@example.com"}


async def _without_events(*args: Any, **kwargs: Any) -> None:
    await update_with_events(*args[:3], [], **kwargs)


def _outbox(service: Any, on: bool) -> None:
    """The service's one-statement write, with its events or given none."""
    service.update_with_events = update_with_events if on else _without_events


_FLUSHED_EVENTS = {"on": True}


@event.listens_for(OrmSession, "before_flush")
def _drop_events(session: OrmSession, _context: Any, _instances: Any) -> None:
    """With the outbox off, a unit of work's flush leaves its events out (the reactions to
    them still run: they were remembered when the events were added)."""
    if not _FLUSHED_EVENTS["on"]:
        for instance in list(session.new):
            if isinstance(instance, OutboxEvent):
                session.expunge(instance)


def _unit_of_work_outbox(on: bool) -> None:
    _FLUSHED_EVENTS["on"] = on


_Medians = tuple[float, float, float, float]  # CPU with, CPU without, wall with, wall without


def _report(label: str, medians: _Medians) -> None:
    with_cpu, without_cpu, with_wall, without_wall = medians
    print(
        f"{label}, medians: this process's CPU a write with events {with_cpu * 1e6:.0f} µs, "
        f"without {without_cpu * 1e6:.0f} µs ({(with_cpu / without_cpu - 1) * 100:+.1f} %); "
        f"wall time with {with_wall * 1000:.2f} ms, without {without_wall * 1000:.2f} ms "
        f"(overhead {(with_wall / without_wall - 1) * 100:+.1f} %)",
        flush=True,
    )


async def _write_medians(
    writes: int,
    write: Callable[[int], Awaitable[httpx.Response]],
    outbox: Callable[[bool], None],
) -> _Medians:
    """Writes alternately with and without their events; their medians."""
    timings: dict[bool, list[float]] = {True: [], False: []}
    cpu: dict[bool, list[float]] = {True: [], False: []}
    for n in range(writes):
        with_outbox = n % 2 == 0
        outbox(with_outbox)
        started, started_cpu = time.perf_counter(), time.process_time()
        response = await write(n)
        cpu[with_outbox].append(time.process_time() - started_cpu)
        timings[with_outbox].append(time.perf_counter() - started)
        assert response.is_success, response.text
    outbox(True)
    return (
        statistics.median(cpu[True]),
        statistics.median(cpu[False]),
        statistics.median(timings[True]),
        statistics.median(timings[False]),
    )


async def _writes(api: httpx.AsyncClient, writes: int, rounds: int) -> None:
    candidate = (await api.post("/v1/candidates", json=ALEX)).json()
    path = f"/v1/candidates/{candidate['id']}"

    def patch(n: int) -> Awaitable[httpx.Response]:
        return api.patch(path, json={"display_name": f"Alex {n}"})

    created = await api.post("/v1/sessions", json={**SESSION, "candidate_id": candidate["id"]})
    answers = f"/v1/sessions/{created.json()['id']}/answers"

    def put(n: int) -> Awaitable[httpx.Response]:
        # Every write changes the answer (an unchanged set is not written).
        return api.put(answers, json={"answers": {"enthusiasm": 1 + n % 5}})

    def start(n: int) -> Awaitable[httpx.Response]:
        # A write still on the unit of work: the session, its event, the follow-ups its
        # reactions plan and their events, in one flush.
        return api.post("/v1/sessions", json={**SESSION, "candidate_id": candidate["id"]})

    cases = [
        ("PATCH candidate", patch, partial(_outbox, candidates_service)),
        ("PUT answers", put, partial(_outbox, sessions_service)),
        ("POST session (unit of work)", start, _unit_of_work_outbox),
    ]
    results: dict[str, list[_Medians]] = {label: [] for label, _, _ in cases}
    for round_number in range(1, rounds + 1):
        for label, write, outbox in cases:
            medians = await _write_medians(writes, write, outbox)
            results[label].append(medians)
            _report(f"round {round_number}/{rounds}: {label}", medians)
    for label, rounds_medians in results.items():
        _report(f"{label} over {rounds} rounds", _median_of(rounds_medians))


def _median_of(rounds_medians: list[_Medians]) -> _Medians:
    columns = list(zip(*rounds_medians, strict=True))
    return (
        statistics.median(columns[0]),
        statistics.median(columns[1]),
        statistics.median(columns[2]),
        statistics.median(columns[3]),
    )


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
        await worker.close()
    return events / elapsed


async def run(url: str, writes: int, events: int, rounds: int, directory: Path) -> None:
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
        await _writes(api, writes, rounds)
        rate = await _throughput(database, settings, api, tenant.organization_id, events)
        print(f"delivery: {events} events to a local receiver, one worker: {rate:.0f} events/s")
    await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    # The app and the worker's client log every request at INFO; the figures are what this prints.
    logging.disable(logging.INFO)
    if args.db == "sqlite":
        os.environ.pop(SERVER_URL_VARIABLE, None)
    elif not os.environ.get(SERVER_URL_VARIABLE):
        sys.exit(f"set {SERVER_URL_VARIABLE} to a PostgreSQL server for --db postgres")
    with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp)) as url:
        migrations.upgrade(url)
        asyncio.run(run(url, args.writes, args.events, args.rounds, Path(tmp)))


if __name__ == "__main__":
    main()
