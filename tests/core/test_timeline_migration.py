"""Migration 0012: a session's timeline moves from `session_events` to the event stream
(rows from before the stream existed included) and comes back on a downgrade."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import JSON, bindparam, text

from app.core import ids, migrations
from app.core.config import Settings
from app.core.database import Database
from app.core.ids import utc_now
from app.main import create_app
from tests.candidates.test_candidates import ALEX
from tests.databases import fresh_database
from tests.sessions.conftest import SESSION
from tests.tenants import Tenant, make_tenant

MOVE = {"from": "open", "to": "reflected", "at": "2026-11-01T10:00:00+00:00", "automatic": True}


def _settings(url: str, directory: Path) -> Settings:
    return Settings(database_url=url, data_dir=directory, _env_file=None)  # type: ignore[call-arg]


async def _with_api(url: str, directory: Path, tenant: Tenant | None, work: Any) -> Any:
    settings = _settings(url, directory)
    database = Database(settings.effective_database_url)
    try:
        tenant = tenant or await make_tenant(database)
        app = create_app(settings, database=database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=tenant.headers()
        ) as api:
            return tenant, await work(api, database)
    finally:
        await database.dispose()


async def _seed(api: httpx.AsyncClient, database: Database) -> tuple[str, str, str]:
    """A session made at 0011 (its `created` row in both tables) and a legacy timeline row
    from before the stream (in `session_events` only)."""
    candidate = (await api.post("/v1/candidates", json=ALEX)).json()
    session_ = (
        await api.post("/v1/sessions", json={**SESSION, "candidate_id": candidate["id"]})
    ).json()
    legacy_id = ids.EVENT.new(utc_now())
    created = {"company": SESSION["company"], "role_title": SESSION["role_title"]}
    async with database.engine.begin() as connection:
        # What 0010's code wrote beside the stream's row (this code writes only that).
        created_id = (
            await connection.execute(
                text(
                    "INSERT INTO session_events (id, organization_id, session_id, kind, data, "
                    "created_at) SELECT id, organization_id, session_id, 'created', :data, "
                    "created_at FROM events WHERE type = 'session.created' RETURNING id"
                ).bindparams(bindparam("data", created, type_=JSON))
            )
        ).scalar_one()
        await connection.execute(
            text(
                "INSERT INTO session_events (id, organization_id, session_id, kind, data, "
                "created_at) SELECT :id, organization_id, id, 'status_changed', :data, "
                "created_at FROM sessions"
            ).bindparams(bindparam("data", MOVE, type_=JSON), id=legacy_id)
        )
    return session_["id"], created_id, legacy_id


def test_timeline_moves_to_the_stream_and_back(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        migrations.upgrade(url, "0011")
        tenant, (sid, created_id, legacy_id) = asyncio.run(_with_api(url, tmp_path, None, _seed))
        migrations.upgrade(url)

        async def read(api: httpx.AsyncClient, database: Database) -> Any:
            timeline = (await api.get(f"/v1/sessions/{sid}/events")).json()["items"]
            stream = (await api.get("/v1/events", params={"session_id": sid})).json()["items"]
            async with database.engine.connect() as connection:
                undispatched = (
                    await connection.execute(
                        text("SELECT id FROM events WHERE dispatched_at IS NULL")
                    )
                ).scalars()
                return timeline, stream, set(undispatched)

        _, (timeline, stream, undispatched) = asyncio.run(_with_api(url, tmp_path, tenant, read))
        assert [(e["id"], e["kind"]) for e in timeline] == [
            (created_id, "created"),
            (legacy_id, "status_changed"),
        ]
        assert timeline[1]["data"] == MOVE
        assert timeline[0]["data"] == {
            "company": SESSION["company"],
            "role_title": SESSION["role_title"],
        }
        moved = next(e for e in stream if e["id"] == legacy_id)
        candidate_id = next(e for e in stream if e["id"] == created_id)["candidate_id"]
        assert (moved["type"], moved["candidate_id"]) == ("reflection.completed", candidate_id)
        assert moved["data"] == {
            "session_id": sid,
            "candidate_id": candidate_id,
            **MOVE,
        }
        assert legacy_id not in undispatched

        migrations.downgrade(url, "0011")

        async def rows(api: httpx.AsyncClient, database: Database) -> Any:
            async with database.engine.connect() as connection:
                result = await connection.execute(
                    text("SELECT id, kind, data FROM session_events ORDER BY id")
                )
                return [(r.id, r.kind, r.data) for r in result]

        _, back = asyncio.run(_with_api(url, tmp_path, tenant, rows))
        decoded = [(i, k, d if isinstance(d, dict) else json.loads(d)) for i, k, d in back]
        assert decoded == [
            (created_id, "created", timeline[0]["data"]),
            (legacy_id, "status_changed", MOVE),
        ]
        migrations.upgrade(url)
