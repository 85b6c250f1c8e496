"""Throwaway databases for tests: a SQLite file, or a fresh PostgreSQL database per use.

`DEBRIEF_TEST_DATABASE_URL` names the PostgreSQL server to use (any database on it serves
as the maintenance connection); unset, tests run on SQLite.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from app.core.config import normalise_database_url

SERVER_URL_VARIABLE = "DEBRIEF_TEST_DATABASE_URL"


def server_url() -> str | None:
    value = os.environ.get(SERVER_URL_VARIABLE, "").strip()
    return normalise_database_url(value) if value else None


def backend_name() -> str:
    url = server_url()
    return make_url(url).get_backend_name() if url else "sqlite"


async def _run_maintenance(url: str, statement: str) -> None:
    import asyncpg

    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database or "postgres",
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def fresh_database(directory: Path) -> Iterator[str]:
    """Yield the URL of an empty database that is removed afterwards."""
    url = server_url()
    if url is None:
        yield f"sqlite+aiosqlite:///{(directory / f'{uuid.uuid4().hex}.db').as_posix()}"
        return
    name = f"debrief_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_run_maintenance(url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_run_maintenance(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
