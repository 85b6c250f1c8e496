"""A statement compiled once (app/core/driver_statements) sends the SQL and parameters
SQLAlchemy itself sends for it, on the store under test."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, insert

from app.core.database import Database
from app.core.driver_statements import driver_statement
from app.core.ids import utc_now
from app.core.outbox_models import OutboxEvent

pytestmark = pytest.mark.anyio


async def test_the_sql_and_parameters_are_sqlalchemys(database: Database, tenant: Any) -> None:
    statement = insert(OutboxEvent.__table__)
    at = utc_now()
    row = {
        "id": "evt_01TEST",
        "organization_id": tenant.organization_id,
        "type": "webhook.test",
        "candidate_id": None,
        "session_id": None,
        "data": {"n": 1, "text": "é"},
        "created_at": at,
        "dispatched_at": None,
    }
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_rest: Any) -> None:
        sent.append((sql, parameters))

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        async with database.sessionmaker() as session, session.begin():
            await session.execute(statement, row)
            await session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    compiled = driver_statement(statement, database.engine.dialect, list(row))
    sql, parameters = next((s, p) for s, p in sent if s.startswith("INSERT INTO events"))
    assert compiled.sql == sql
    assert compiled.positional(row) == tuple(parameters)
    assert driver_statement(statement, database.engine.dialect, list(row)) is compiled
