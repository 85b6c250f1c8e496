"""What a read asks the database, once this process has the caller's key cached: one
statement for a session, none for a preview (the active rule set is cached as well)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from app.core.database import Database

pytestmark = pytest.mark.anyio

MESSAGE_PREVIEW_BODY = {
    "kind": "feedback_request_email",
    "tone": "warm",
    "facts": {
        "candidate": {"name": "Alex Morgan"},
        "interviewer": {"name": "Dana Lee", "email": "dana@example.com"},
        "company": "Northwind",
        "role": "Designer",
        "interview_date": "2026-11-20",
    },
}


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    """The statements run meanwhile, without the transaction control SQLite's BEGIN adds."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            seen.append(statement)

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_a_cached_caller_gets_a_session_in_one_statement(
    api: httpx.AsyncClient, database: Database, session_: dict[str, Any]
) -> None:
    path = f"/v1/sessions/{session_['id']}"
    first = await api.get(path)  # the key is checked, and its use recorded
    with statements(database) as seen:
        again = await api.get(path)
    assert again.json() == first.json()
    assert len(seen) == 1, seen


async def test_a_cached_caller_previews_without_the_database(
    api: httpx.AsyncClient, database: Database
) -> None:
    body = {"answers": {"wanted_job": False}}
    first = await api.post("/v1/diagnoses/preview", json=body)
    assert first.status_code == 200
    with statements(database) as seen:
        again = await api.post("/v1/diagnoses/preview", json=body)
        message = await api.post("/v1/messages/preview", json=MESSAGE_PREVIEW_BODY)
    assert again.json() == first.json()
    assert message.status_code == 200, message.text
    assert seen == []
