"""PUT answers writes the session and its timeline as one statement: no lost update, no
event without its change, the same answers as the unit of work gave."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.database import AUTOCOMMIT_KEY, Database, in_autocommit, start_transaction
from app.core.errors import Conflict, PreconditionFailed
from app.core.ids import utc_now
from app.core.outbox_models import OutboxEvent
from app.core.row_writes import update_with_events
from app.sessions import service
from app.sessions.models import ReflectionSession

pytestmark = pytest.mark.anyio


async def _timeline(api: httpx.AsyncClient, sid: str) -> list[dict[str, Any]]:
    response = await api.get(f"/v1/sessions/{sid}/events", params={"limit": 100})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_two_puts_with_one_if_match_one_wins(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    url = f"/v1/sessions/{session_['id']}/answers"
    responses = await asyncio.gather(
        api.put(url, json={"answers": {"enthusiasm": 2}}, headers={"If-Match": '"1"'}),
        api.put(url, json={"answers": {"enthusiasm": 5}}, headers={"If-Match": '"1"'}),
    )
    assert sorted(r.status_code for r in responses) == [200, 412]
    winner = next(r for r in responses if r.status_code == 200)
    assert winner.headers["etag"] == '"2"'
    stored = (await api.get(f"/v1/sessions/{session_['id']}")).json()
    assert stored["self_reflection"]["answers"] == winner.json()["self_reflection"]["answers"]
    kinds = [e["kind"] for e in await _timeline(api, session_["id"])]
    assert kinds == ["created", "answers_updated"]


async def test_parallel_puts_lose_no_update(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    url = f"/v1/sessions/{session_['id']}/answers"
    values = [1, 2, 3, 4, 5]  # distinct: every 200 is a write (an unchanged set is not)
    responses = await asyncio.gather(
        *(api.put(url, json={"answers": {"enthusiasm": v}}) for v in values)
    )
    assert {r.status_code for r in responses} <= {200, 409}
    won = [r for r in responses if r.status_code == 200]
    assert won
    stored = await api.get(f"/v1/sessions/{session_['id']}")
    # Every 200 was a write of its own: the revision counts them, the timeline shows each.
    assert stored.headers["etag"] == f'"{1 + len(won)}"'
    assert {r.headers["etag"] for r in won} == {f'"{n}"' for n in range(2, 2 + len(won))}
    kinds = [e["kind"] for e in await _timeline(api, session_["id"])]
    assert kinds.count("answers_updated") == len(won)


async def test_a_write_after_a_stale_read_is_refused_and_adds_no_event(
    api: httpx.AsyncClient, session_: dict[str, Any], database: Database, tenant: Any
) -> None:
    async with database.sessionmaker() as session:
        row = await session.get_one(ReflectionSession, session_["id"])
    async with database.sessionmaker() as session, session.begin():
        await session.execute(
            update(ReflectionSession)
            .where(ReflectionSession.id == row.id)
            .values(revision=ReflectionSession.revision + 1)
        )
    now = utc_now()
    event = service.timeline_event(row, "answers_updated", {"keys": ["x"], "complete": False})
    for if_match, problem in ((None, Conflict), ('"1"', PreconditionFailed)):
        async with database.sessionmaker() as session, session.begin():
            with pytest.raises(problem):
                await update_with_events(
                    session,
                    row,
                    {"answers": {"x": 1}, "updated_at": now},
                    [event],
                    at=now,
                    noun="session",
                    if_match=if_match,
                )
    async with database.sessionmaker() as session:
        events = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.session_id == row.id)
        )
        stored = await session.get_one(ReflectionSession, row.id)
    assert events == 1  # session.created only
    assert (stored.revision, stored.answers) == (2, {})


async def test_completing_the_reflection_moves_the_session_in_the_same_write(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    answers = {
        "wanted_job": True,
        "wow_self_rating": 2,
        "articulated_fit": False,
        "interviewer_signals": ["bored"],
        "enthusiasm": 4,
        "had_advocate": True,
    }
    response = await api.put(f"/v1/sessions/{session_['id']}/answers", json={"answers": answers})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "reflected"
    assert body["timeline"]["reflected_at"] is not None
    assert response.headers["etag"] == '"2"'
    assert body == (await api.get(f"/v1/sessions/{session_['id']}")).json()
    timeline = await _timeline(api, session_["id"])
    assert [e["kind"] for e in timeline] == ["created", "answers_updated", "status_changed"]
    moved = timeline[2]["data"]
    assert (moved["from"], moved["to"], moved["automatic"]) == ("open", "reflected", True)
    stream = (await api.get("/v1/events", params={"session_id": session_["id"]})).json()
    assert [e["type"] for e in stream["items"]] == [
        "session.created",
        "session.answers_updated",
        "reflection.completed",
    ]


async def test_start_transaction_turns_an_autocommit_session_into_one_transaction(
    database: Database,
) -> None:
    if database.is_sqlite:
        pytest.skip("PostgreSQL: SQLite requests are always one transaction")
    current = text("SELECT txid_current()")

    async def one_transaction(session: AsyncSession) -> bool:
        return bool((await session.scalar(current)) == (await session.scalar(current)))

    async with database.read_sessionmaker() as session:
        session.info[AUTOCOMMIT_KEY] = True
        assert not await one_transaction(session)
        await start_transaction(session)
        assert not in_autocommit(session)
        assert await one_transaction(session)
        await session.commit()
    async with database.read_sessionmaker() as session:
        # The connection went back to the pool as it came: autocommit for the next reader.
        assert not await one_transaction(session)
