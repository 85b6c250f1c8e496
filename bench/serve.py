"""Serve Debrief, the bare app or a floor under one uvicorn worker, uvloop and httptools.

    python -m bench.serve {debrief|bare|floor-read|floor-body} --port N [--host 127.0.0.1]

Debrief is started the way `debrief serve` starts it (app/cli.py: the app factory, the
app's own logging configuration, no uvicorn access log, no Server header, httptools with
the limits on the request head), with the loop pinned; the bare app runs on plain
httptools. With one worker uvicorn serves in this very process, so this process's id is
the worker's (its /proc/<pid>/status carries the peak RSS, VmHWM).

With `DEBRIEF_BENCH_COUNTERS=FILE`, the worker counts in FILE (three little-endian 64-bit
integers, read by bench/http.py while it runs) the database round trips it makes and the
database connections it opens, at the driver (asyncpg): each simple query, each prepare
and each execution of a prepared statement is one round trip; and the connections its
pool closes (SQLAlchemy's pool `close` event: an overflow connection returned to a full
pool, an invalidated or recycled one), on any database. (PostgreSQL's own
statement counters need pg_stat_statements in shared_preload_libraries, a server
restart; its per-database counters count transactions, not statements, and reach
pg_stat_database up to 10 s late.)
"""

from __future__ import annotations

import argparse
import mmap
import os
import struct
from functools import wraps
from pathlib import Path
from typing import Any

import uvicorn

ROUND_TRIPS = 0
CONNECTIONS = 1
CLOSED = 2
SLOTS = 3


def count_database_work(path: Path, *, pool_closes: bool) -> None:
    """Count round trips and new connections at the driver, into a file mapped in memory."""
    import asyncpg
    from asyncpg import connection, prepared_stmt

    path.write_bytes(bytes(8 * SLOTS))
    with path.open("r+b") as file:
        counters = mmap.mmap(file.fileno(), 8 * SLOTS)

    def bump(slot: int) -> None:
        (value,) = struct.unpack_from("<q", counters, slot * 8)
        struct.pack_into("<q", counters, slot * 8, value + 1)

    def counted(function: Any, slot: int, *, only_without_args: bool = False) -> Any:
        @wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            # Connection.execute with arguments goes through _do_execute, counted there.
            if not only_without_args or len(args) <= 2:
                bump(slot)
            return await function(*args, **kwargs)

        return wrapper

    cls = connection.Connection
    cls.execute = counted(cls.execute, ROUND_TRIPS, only_without_args=True)  # type: ignore[method-assign]
    cls._do_execute = counted(cls._do_execute, ROUND_TRIPS)  # type: ignore[method-assign]
    cls._prepare = counted(cls._prepare, ROUND_TRIPS)  # type: ignore[method-assign]
    statement = prepared_stmt.PreparedStatement
    name = "_PreparedStatement__do_execute"
    setattr(statement, name, counted(getattr(statement, name), ROUND_TRIPS))
    asyncpg.connect = connection.connect = counted(connection.connect, CONNECTIONS)
    if pool_closes:  # Debrief only: the others have no SQLAlchemy pool (nor load it)
        from sqlalchemy import event
        from sqlalchemy.pool import Pool

        event.listen(Pool, "close", lambda *_: bump(CLOSED))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app", choices=["debrief", "bare", "floor-read", "floor-body"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "workers": 1,
        "loop": "uvloop",
        "http": "httptools",
        "access_log": False,
        "server_header": False,
    }
    counters = os.environ.get("DEBRIEF_BENCH_COUNTERS")
    if counters:
        count_database_work(Path(counters), pool_closes=args.app == "debrief")
    if args.app == "debrief":
        from app.cli import HTTP_PROTOCOL
        from app.core.config import get_settings
        from app.core.logging import logging_config

        uvicorn.run(
            "app.main:create_app",
            factory=True,
            log_config=logging_config(get_settings()),
            **{**options, "http": HTTP_PROTOCOL},
        )
    elif args.app == "bare":
        uvicorn.run("bench.bare_app:app", log_level="warning", **options)
    else:
        uvicorn.run("bench.floor_apps:app", log_level="warning", **options)


if __name__ == "__main__":
    main()
