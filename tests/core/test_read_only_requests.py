"""Previews and other computing POSTs read like GETs: they never wait for a writer."""

from __future__ import annotations

import time

import httpx
import pytest

from app.core.database import SQLITE_BEGIN_OPTION, Database

pytestmark = pytest.mark.anyio

PREVIEW = {
    "kind": "feedback_request_email",
    "facts": {"interviewer": {"name": "Dana"}, "company": "Acme", "role": "Designer"},
}


async def test_a_preview_does_not_wait_for_a_writer(
    api: httpx.AsyncClient, database: Database
) -> None:
    assert (await api.get("/v1/me")).status_code == 200
    async with database.sessionmaker() as writer:
        if database.is_sqlite:  # hold SQLite's one write lock, as a long write would
            await writer.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        started = time.monotonic()
        messages = await api.post("/v1/messages/preview", json=PREVIEW)
        diagnosis = await api.post("/v1/diagnoses/preview", json={"answers": {}})
        elapsed = time.monotonic() - started
        await writer.rollback()
    assert messages.status_code == 200
    assert diagnosis.status_code == 200
    assert elapsed < 2  # the busy timeout is 5 s
