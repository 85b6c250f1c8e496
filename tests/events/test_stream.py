"""The event stream: written with the change, or not at all; paged; scoped; erased."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.candidates import service as candidates
from app.candidates.schemas import CandidateCreate
from app.core.database import Database
from app.core.event_types import STATUS_TYPES, TIMELINE_TYPES, EventType
from app.core.outbox_models import OutboxEvent
from app.core.security import Principal, Scope
from app.worker.loop import Worker
from tests.candidates.test_candidates import ALEX
from tests.events.conftest import add_endpoint, drain
from tests.events.receiver import Receiver
from tests.sessions.conftest import SESSION
from tests.tenants import Tenant

pytestmark = pytest.mark.anyio
APP = Path(__file__).parents[2] / "app"


# Where each call that puts a row on a session timeline takes its kind.
KIND_ARGUMENT = {
    "record": 2,  # record(session, row, "kind", data)
    "timeline_event": 1,  # timeline_event(row, "kind", data)
}


def _recorded_kinds() -> set[str]:
    """Every kind the code records on a session timeline: `record(session, row, "kind", …)`
    or `timeline_event(row, "kind", …)`."""
    kinds = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None)
            position = KIND_ARGUMENT.get(str(getattr(name, "attr", getattr(name, "id", ""))))
            if isinstance(node, ast.Call) and position is not None and len(node.args) > position:
                kind = node.args[position]
                # `"a" if feedback else "b"` names two kinds.
                options = [kind.body, kind.orelse] if isinstance(kind, ast.IfExp) else [kind]
                kinds |= {o.value for o in options if isinstance(o, ast.Constant)}
    return kinds


def test_every_timeline_kind_has_an_event_type() -> None:
    kinds = _recorded_kinds()
    assert len(kinds) >= 11
    for kind in kinds - {"status_changed"}:
        assert kind in TIMELINE_TYPES, f"timeline kind {kind!r} has no event type"
    assert set(STATUS_TYPES.values()) <= set(EventType)


async def _types(api: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await api.get("/v1/events", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return [e["type"] for e in response.json()["items"]]


async def test_every_change_becomes_a_typed_event(api: httpx.AsyncClient) -> None:
    candidate = (await api.post("/v1/candidates", json=ALEX)).json()
    session_ = (
        await api.post("/v1/sessions", json={**SESSION, "candidate_id": candidate["id"]})
    ).json()
    sid = session_["id"]
    await api.patch(f"/v1/candidates/{candidate['id']}", json={"display_name": "Alex M."})
    await api.patch(
        f"/v1/sessions/{sid}",
        json={"notes": "Call went well"},
        headers={"content-type": "application/merge-patch+json"},
    )
    await api.post(f"/v1/sessions/{sid}/transitions", json={"to": "closed"})
    types = await _types(api)
    assert types == [
        "candidate.created",
        "session.created",
        "candidate.updated",
        "session.updated",
        "session.closed",
    ]
    # The session's own timeline shows the same changes under the same ids.
    timeline = (await api.get(f"/v1/sessions/{sid}/events")).json()["items"]
    stream = (await api.get("/v1/events", params={"session_id": sid})).json()["items"]
    assert [e["id"] for e in timeline] == [e["id"] for e in stream]
    assert all(e["id"].startswith("evt_") for e in stream)
    assert stream[-1]["data"] == {
        "session_id": sid,
        "candidate_id": candidate["id"],
        "from": "open",
        "to": "closed",
        "at": stream[-1]["data"]["at"],
    }
    assert await _types(api, type="candidate.updated") == ["candidate.updated"]
    assert await _types(api, type=["session.created", "session.closed"]) == [
        "session.created",
        "session.closed",
    ]
    assert len(await _types(api, candidate_id=candidate["id"])) == 5


async def test_pages_are_keyset_cursors(api: httpx.AsyncClient) -> None:
    for n in range(5):
        await api.post("/v1/candidates", json={**ALEX, "external_ref": f"c{n}"})
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.get("/v1/events", params=params)).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen)
    assert len(seen) == 5
    bad = await api.get("/v1/events", params={"cursor": "nope"})
    assert bad.status_code == 400


async def test_other_organisations_events_are_invisible(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient
) -> None:
    await api.post("/v1/candidates", json=ALEX)
    assert await _types(other_api) == []
    event_id = (await api.get("/v1/events")).json()["items"][0]["id"]
    assert (await api.get(f"/v1/events/{event_id}")).status_code == 200
    assert (await other_api.get(f"/v1/events/{event_id}")).status_code == 404


async def test_a_rolled_back_change_sends_nothing(
    database: Database, tenant: Tenant, api: httpx.AsyncClient, receiver: Receiver, worker: Worker
) -> None:
    await add_endpoint(api, receiver.url)
    async with database.sessionmaker() as session:
        caller = Principal(tenant.organization_id, None, frozenset({Scope.WRITE}))
        await candidates.create_candidate(session, caller, CandidateCreate(**ALEX))
        await session.flush()
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 1
        await session.rollback()
    await drain(worker)
    assert await _types(api) == []
    assert receiver.received == []


async def test_a_crash_between_commit_and_delivery_loses_nothing(
    database: Database, tenant: Tenant, api: httpx.AsyncClient, receiver: Receiver, settings: Any
) -> None:
    await add_endpoint(api, receiver.url)
    # Committed while no worker runs (as if the process died right after the commit).
    await api.post("/v1/candidates", json=ALEX)
    assert receiver.received == []
    await drain(Worker(database, settings))  # a worker started later
    assert [r.headers["webhook-id"] for r in receiver.received] == [
        e["id"] for e in (await api.get("/v1/events")).json()["items"]
    ]


async def test_erasure_removes_the_candidates_events_and_deliveries(
    api: httpx.AsyncClient, receiver: Receiver, worker: Worker
) -> None:
    await add_endpoint(api, receiver.url)
    candidate = (await api.post("/v1/candidates", json=ALEX)).json()
    await api.post("/v1/sessions", json={**SESSION, "candidate_id": candidate["id"]})
    keeper = (await api.post("/v1/candidates", json={**ALEX, "external_ref": "keep"})).json()
    await drain(worker)
    assert (await api.delete(f"/v1/candidates/{candidate['id']}")).status_code == 204
    events = (await api.get("/v1/events")).json()["items"]
    assert [(e["type"], e["candidate_id"]) for e in events] == [
        ("candidate.created", keeper["id"]),
        ("candidate.erased", None),
    ]
    assert events[-1]["data"] == {"candidate_id": candidate["id"]}


async def test_the_server_runs_the_worker_in_process_when_asked(
    database: Database, database_url: str, tmp_path: Path, tenant: Tenant, receiver: Receiver
) -> None:
    import asyncio

    from app.main import create_app
    from tests.events.conftest import event_settings

    settings = event_settings(database_url, tmp_path, worker_in_process=True)
    assert settings.runs_worker_in_process
    assert not event_settings("postgresql://x/y", tmp_path).runs_worker_in_process
    assert event_settings("sqlite:///x.db", tmp_path).runs_worker_in_process
    app = create_app(settings, database=Database(database_url))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=tenant.headers()
        ) as api,
    ):
        await add_endpoint(api, receiver.url)
        await api.post("/v1/candidates", json=ALEX)
        for _ in range(200):
            if receiver.received:
                break
            await asyncio.sleep(0.05)
    assert [r.headers["webhook-id"] for r in receiver.received] == [
        (await _first_event_id(database))
    ]


async def _first_event_id(database: Database) -> str:
    async with database.sessionmaker() as session:
        return str(await session.scalar(select(OutboxEvent.id).order_by(OutboxEvent.id)))
