from __future__ import annotations

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
