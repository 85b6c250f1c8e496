"""Time to a 503 when PostgreSQL goes away, and to recovery, with the configured timeouts.

Puts the tests' TCP proxy between the app and PostgreSQL, kills it (refused and reset)
and black-holes it (silent), and times requests through the app in this process.
The timeouts are the settings' (DEBRIEF_DATABASE_*_TIMEOUT, defaults 5/5/15 s).

    .venv/bin/python bench/outage.py [--server postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent  # keep bench/http.py from shadowing `http`
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import asyncio
import logging
import time
import uuid

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from app.core import migrations
from app.core.config import Settings, normalise_database_url
from app.core.database import Database
from app.main import create_app
from tests.tcp_proxy import TcpProxy
from tests.tenants import make_tenant


async def _timed(client: httpx.AsyncClient, label: str, path: str) -> None:
    started = time.monotonic()
    response = await client.get(path)
    elapsed = time.monotonic() - started
    retry_after = response.headers.get("retry-after", "-")
    print(f"| {label} | {response.status_code} | {retry_after} | {elapsed:.3f} |")


async def _recover(client: httpx.AsyncClient, proxy: TcpProxy, label: str) -> None:
    await proxy.restore()
    started = time.monotonic()
    for _ in range(1200):
        if (await client.get("/v1/candidates")).status_code == 200:
            elapsed = time.monotonic() - started
            print(f"| {label}: first 200 after restore | 200 | - | {elapsed:.3f} |")
            return
        await asyncio.sleep(0.05)
    print(f"| {label}: no recovery within a minute | - | - | - |")


async def _measure(server: str) -> None:
    url = make_url(normalise_database_url(server))
    name = f"debrief_outage_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password
    )
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        direct = url.set(database=name).render_as_string(hide_password=False)
        await asyncio.to_thread(migrations.upgrade, direct)
        setup = Database(direct)
        tenant = await make_tenant(setup)
        await setup.dispose()
        proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
        await proxy.start()
        proxied = url.set(database=name, host="127.0.0.1", port=proxy.port)
        settings = Settings(
            database_url=proxied.render_as_string(hide_password=False), auth_cache_seconds=0
        )
        print(f"timeouts: {settings.database_timeouts}\n")
        print("| scenario | status | Retry-After | seconds |\n| --- | --- | --- | --- |")
        database = Database(settings.effective_database_url, timeouts=settings.database_timeouts)
        transport = httpx.ASGITransport(app=create_app(settings, database=database))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=tenant.headers()
        ) as client:
            for mode in ("black_hole", "kill"):
                await asyncio.gather(*(client.get("/v1/candidates") for _ in range(3)))
                getattr(proxy, mode)()
                await _timed(client, f"{mode}: read, pooled connection", "/v1/candidates")
                await _timed(client, f"{mode}: next read", "/v1/candidates")
                await _timed(client, f"{mode}: /readyz", "/readyz")
                await _recover(client, proxy, mode)
        await proxy.stop()
        await database.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(_measure(arguments.server))


if __name__ == "__main__":
    main()
