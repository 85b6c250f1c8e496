"""What the benchmarks share: throwaway databases, the `debrief` command, percentiles.

Scripts in bench/ are run as `python bench/x.py`, which puts bench/ first on sys.path,
where bench/http.py would shadow the standard library's `http`. Each script therefore
starts with the same three lines (drop bench/ from sys.path, add the repository root)
before it imports anything else, and then imports this module as `bench.support`.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG_URL = os.environ.get(
    "DEBRIEF_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def environment(database_url: str, workdir: Path) -> dict[str, str]:
    """This process's environment with Debrief's settings replaced: `dev`, this database,
    a data directory in ``workdir``; nothing else of DEBRIEF_* leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEBRIEF_")}
    env.update(
        DEBRIEF_ENVIRONMENT="dev",
        DEBRIEF_DATABASE_URL=database_url,
        DEBRIEF_DATA_DIR=str(workdir / "data"),
        PYTHONPATH=str(ROOT),
        # Limits still counted on every request, never reached by a load generator.
        DEBRIEF_RATE_LIMIT_READS="1000000000",
        DEBRIEF_RATE_LIMIT_WRITES="1000000000",
        DEBRIEF_RATE_LIMIT_DIAGNOSES="1000000000",
        DEBRIEF_RATE_LIMIT_RENDERS="1000000000",
    )
    return env


def debrief_cli(args: list[str], env: dict[str, str], workdir: Path) -> str:
    """Run `debrief ARGS` (as `python -m app.cli`, from ``workdir``, which has no .env)."""
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"debrief {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


async def _postgres(server_url: str, statement: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    connection = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def fresh_database(kind: str, workdir: Path, pg_url: str, label: str) -> Iterator[str]:
    """The URL of an empty database (a file in ``workdir``, or a new PostgreSQL database on
    the server at ``pg_url``), removed afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{(workdir / f'{label}.db').as_posix()}"
        return
    from sqlalchemy.engine import make_url

    name = f"debrief_{label}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_postgres(pg_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_postgres(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]
