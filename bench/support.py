"""What the benchmarks share: throwaway databases, the `debrief` command, the app on a
fresh database with its fixture (for the in-process benchmarks), percentiles.

Scripts in bench/ are run as `python bench/x.py`, which puts bench/ first on sys.path,
where bench/http.py would shadow the standard library's `http`. Each script therefore
starts with the same three lines (drop bench/ from sys.path, add the repository root)
before it imports anything else, and then imports this module as `bench.support`.
"""

from __future__ import annotations

import asyncio
import json
import logging.config
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.http import Fixture

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


@dataclass(frozen=True)
class FreshApp:
    """What `fresh_app` set up: the organisation's key, and bench/http.py's fixture (None
    where none was asked for)."""

    api_key: str
    fixture: Fixture | None

    def create(self) -> Any:
        """The app as the server builds it (app.main.create_app), on this database."""
        from app.core.config import get_settings
        from app.main import create_app

        return create_app(get_settings())


@contextmanager
def fresh_app(
    kind: str, pg_url: str, label: str, sessions: int | None = None
) -> Iterator[FreshApp]:
    """For a benchmark that drives the app in this process: a fresh database (`kind`
    sqlite or postgres), migrated with `debrief migrate`, an organisation from `debrief
    create-org --json`, and with `sessions`, bench/http.py's fixture (candidates and that
    many sessions) made through a server of its own, stopped once it is made. This
    process's DEBRIEF_* settings then point at the database and its logging is the
    server's (INFO, an access line a request), written to /dev/null. All removed after."""
    from bench import http as bench_http  # bench/http.py imports this module

    workdir = Path(tempfile.mkdtemp(prefix=f"debrief-{label}-"))
    try:
        with fresh_database(kind, workdir, pg_url, label) as url:
            env = environment(url, workdir)
            debrief_cli(["migrate"], env, workdir)
            created = debrief_cli(["create-org", label.title(), "--json"], env, workdir)
            api_key = json.loads(created)["api_key"]
            fixture = None
            if sessions is not None:
                server = bench_http.Server("debrief", env, workdir)  # only to make the fixture
                try:
                    server.wait_ready("/healthz")
                    fixture = bench_http.make_fixture(server, api_key, sessions)
                finally:
                    server.stop()
            os.environ.update({k: v for k, v in env.items() if k.startswith("DEBRIEF_")})
            _log_to_devnull()
            yield FreshApp(api_key, fixture)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _log_to_devnull() -> None:
    """The server's logging (INFO, an access line a request), written to /dev/null."""
    from app.core.config import get_settings
    from app.core.logging import logging_config

    devnull = open(os.devnull, "w")  # noqa: SIM115 (lives as long as the process)
    real_stderr, sys.stderr = sys.stderr, devnull
    logging.config.dictConfig(logging_config(get_settings()))
    sys.stderr = real_stderr


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]
