from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from app.core.database import Database

pytestmark = pytest.mark.anyio


async def test_sqlite_file_gets_wal_foreign_keys_busy_timeout_and_its_directory(
    tmp_path: Path,
) -> None:
    path = tmp_path / "not" / "yet" / "there.db"
    database = Database(f"sqlite+aiosqlite:///{path.as_posix()}")
    try:
        async with database.engine.connect() as connection:
            journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
            foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
            busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar()
    finally:
        await database.dispose()
    assert path.parent.is_dir()
    assert journal == "wal"
    assert foreign_keys == 1
    assert busy == 5000


async def test_sqlite_pool_keeps_its_connections_under_concurrency(tmp_path: Path) -> None:
    from sqlalchemy import event

    from app.core.database import SQLITE_POOL_SIZE

    database = Database(f"sqlite+aiosqlite:///{(tmp_path / 'pool.db').as_posix()}")
    closed: list[object] = []
    event.listen(database.engine.sync_engine, "close", lambda *_: closed.append(1))

    async def hold() -> None:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            await asyncio.sleep(0.01)

    try:
        for _ in range(3):
            await asyncio.gather(*(hold() for _ in range(SQLITE_POOL_SIZE)))
        kept = database.engine.pool.checkedin()  # type: ignore[attr-defined]
        closed_while_used = len(closed)
    finally:
        await database.dispose()
    assert kept == SQLITE_POOL_SIZE
    assert closed_while_used == 0  # none opened only to be closed on return (an overflow)
