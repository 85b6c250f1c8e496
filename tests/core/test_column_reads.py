"""What a read hands back for the columns whose decoding the engine takes over: JSON values
equal to what was written (PostgreSQL's driver reads them from bytes), and datetimes aware
in UTC whatever the store (asyncpg's own values are kept as they come)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import JSON, Column, MetaData, String, Table, insert, select

from app.core.column_types import UTCDateTime
from app.core.database import Database

pytestmark = pytest.mark.anyio

_metadata = MetaData()
_probe = Table(
    "column_read_probe",
    _metadata,
    Column("id", String(10), primary_key=True),
    Column("document", JSON),
    Column("at", UTCDateTime()),
)

DOCUMENTS: list[Any] = [
    {},
    [],
    {"é": "ü", "emoji": "🙂", "nested": {"list": [1, 2.5, None, True, "x"]}},
    {"big": 12345678901234567890, "small": -0.000001, "text": 'quote " and \\ slash'},
    "a string",
    42,
    None,
]


async def test_json_and_utc_datetimes_read_back_as_written(database: Database) -> None:
    moments = [
        datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        datetime(2026, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=-7))),
    ]
    async with database.engine.begin() as connection:
        await connection.run_sync(_metadata.create_all)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(
                insert(_probe),
                [
                    {"id": str(n), "document": document, "at": moments[n % 2]}
                    for n, document in enumerate(DOCUMENTS)
                ],
            )
        async with database.read_sessionmaker() as session:
            connection = await session.connection()
            rows = (await connection.execute(select(_probe).order_by(_probe.c.id))).all()
    finally:
        async with database.engine.begin() as connection:
            await connection.run_sync(_metadata.drop_all)
    assert [row.document for row in rows] == DOCUMENTS
    for n, row in enumerate(rows):
        assert row.at == moments[n % 2]
        assert row.at.tzinfo is UTC
