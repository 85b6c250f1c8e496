from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.config import Settings
from app.core.database import Database
from app.core.ids import utc_now
from app.follow_ups.service import make_due
from tests.diagnosis.test_diagnoses import REFLECTION
from tests.sessions.conftest import SESSION, candidate

__all__ = ["candidate"]

PUBLIC_BASE_URL = "https://debrief.example.com/api"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=database_url,
        data_dir=tmp_path,
        public_base_url=PUBLIC_BASE_URL,
        _env_file=None,
    )


LEARNED = "that a case study with measurable outcomes would have made the difference"


def days_ago(days: int) -> date:
    return (utc_now() - timedelta(days=days)).date()


async def open_session(
    api: httpx.AsyncClient, candidate_id: str, **overrides: Any
) -> dict[str, Any]:
    body = {**SESSION, "candidate_id": candidate_id, "decision_date": days_ago(8).isoformat()}
    response = await api.post("/v1/sessions", json={**body, **overrides})
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture
async def session_(api: httpx.AsyncClient, candidate: dict[str, Any]) -> dict[str, Any]:
    return await open_session(api, candidate["id"])


async def follow_ups(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await api.get("/v1/follow-ups", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def of_kind(api: httpx.AsyncClient, session_id: str, kind: str) -> list[dict[str, Any]]:
    return await follow_ups(api, session_id=session_id, kind=kind)


async def only(api: httpx.AsyncClient, session_id: str, kind: str) -> dict[str, Any]:
    (found,) = await of_kind(api, session_id, kind)
    return found


async def run_job(database: Database, now: datetime) -> str:
    """The worker's periodic task, at a time of the test's choosing."""
    async with database.sessionmaker() as session, session.begin():
        return await make_due(session, now)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


async def reflect(api: httpx.AsyncClient, session_id: str) -> None:
    response = await api.put(f"/v1/sessions/{session_id}/answers", json={"answers": REFLECTION})
    assert response.json()["status"] == "reflected", response.text


async def write_and_send(
    api: httpx.AsyncClient, session_id: str, kind: str, sent_at: datetime | None = None, **body: Any
) -> dict[str, Any]:
    written = await api.post(f"/v1/sessions/{session_id}/messages", json={"kind": kind, **body})
    assert written.status_code == 201, written.text
    payload = {"at": sent_at.isoformat()} if sent_at else {}
    sent = await api.post(f"/v1/messages/{written.json()['id']}/sent", json=payload)
    assert sent.status_code == 200, sent.text
    return dict(sent.json())


async def schedule_call(
    api: httpx.AsyncClient, session_id: str, call_at: datetime
) -> httpx.Response:
    return await api.post(
        f"/v1/sessions/{session_id}/transitions",
        json={"to": "call_scheduled", "call_scheduled_for": call_at.isoformat()},
    )
