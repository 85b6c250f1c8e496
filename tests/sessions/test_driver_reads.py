"""The hot reads straight through asyncpg (app/core/driver_reads) answer byte for byte as
through the session, in as many round trips; on SQLite they keep the session's path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import event, update

from app.core import driver_reads
from app.core.database import Database
from app.core.ids import SESSION as SESSION_ID
from app.core.ids import utc_now
from app.sessions.models import ReflectionSession
from tests.databases import backend_name
from tests.sessions.conftest import SESSION
from tests.tenants import Tenant, as_person, mint_token

pytestmark = pytest.mark.anyio

ON_POSTGRESQL = backend_name() == "postgresql"

VARIANTS: dict[str, dict[str, Any]] = {
    "answers shown and hidden": {
        "answers": {"wanted_job": True, "why": "Ça m'a plu — 面试", "gone": [1, 2]},
        "reflection_progress": {"shown": ["wanted_job", "why"], "answered": 2},
        "feedback_answers": {"overall": 4},
        "feedback_progress": {"shown": []},
    },
    "nulls": {
        "interview_date": None,
        "decision_date": None,
        "stated_reason": None,
        "notes": None,
        "locale": None,
        "reflected_at": None,
        "closed_at": None,
    },
    "unicode and stamps": {
        "company": "Zürich Ünïcödé 株式会社 🚀",
        "role_title": "Ingénieure \u2028 line",
        "notes": 'Quotes " and \\ backslash',
        "interviewer": {"name": "Zoë", "email": None},
        "locale": "fr-CA",
        "reflected_at": datetime(2026, 11, 21, 9, 30, 15, 123456, tzinfo=UTC),
        "call_scheduled_for": datetime(2026, 12, 1, 23, 59, tzinfo=UTC),
    },
}


@contextmanager
def driver_reads_counted() -> Iterator[list[str]]:
    """The statements sent through the driver path meanwhile."""
    sent: list[str] = []
    fetch = driver_reads._fetch

    def counted(pool: Any, sql: str, arguments: tuple[Any, ...]) -> Any:
        sent.append(sql)
        return fetch(pool, sql, arguments)

    driver_reads._fetch = counted
    try:
        yield sent
    finally:
        driver_reads._fetch = fetch


@contextmanager
def through_the_session(database: Database) -> Iterator[None]:
    """Something listens to the engine's statements: every read goes through the session."""

    def listening(*_args: Any) -> None:
        pass

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", listening)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", listening)


@contextmanager
def round_trips() -> Iterator[list[str]]:
    """Round trips made at the driver (asyncpg), whichever path: each simple query, each
    prepare and each execution of a prepared statement (as bench/serve.py counts them)."""
    from asyncpg import connection, prepared_stmt

    made: list[str] = []
    patched: list[tuple[Any, str, Any]] = []

    def counted(owner: Any, name: str, *, only_without_args: bool = False) -> None:
        original = getattr(owner, name)

        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not only_without_args or len(args) <= 2:
                made.append(name)
            return await original(*args, **kwargs)

        patched.append((owner, name, original))
        setattr(owner, name, wrapper)

    counted(connection.Connection, "execute", only_without_args=True)
    counted(connection.Connection, "_do_execute")
    counted(connection.Connection, "_prepare")
    counted(prepared_stmt.PreparedStatement, "_PreparedStatement__do_execute")
    try:
        yield made
    finally:
        for owner, name, original in reversed(patched):
            setattr(owner, name, original)


def _assert_same(direct: httpx.Response, via_session: httpx.Response) -> None:
    path = direct.request.url.path
    assert direct.status_code == via_session.status_code, path
    if direct.status_code == 404:  # a problem: all but its request's id the same
        assert _problem(direct) == _problem(via_session), path
    else:
        assert direct.content == via_session.content, path
    for header in ("content-type", "etag", "link", "content-length"):
        assert direct.headers.get(header) == via_session.headers.get(header), (path, header)


def _problem(response: httpx.Response) -> dict[str, Any]:
    body = dict(response.json())
    assert body.pop("request_id") != ""
    return body


async def _vary(database: Database, session_id: str, values: dict[str, Any]) -> None:
    async with database.sessionmaker() as session, session.begin():
        await session.execute(
            update(ReflectionSession).where(ReflectionSession.id == session_id).values(**values)
        )


async def _sessions(api: httpx.AsyncClient, candidate: dict[str, Any]) -> list[str]:
    made = []
    for company in ("Northwind", "Contoso", "Fabrikam"):
        body = {**SESSION, "company": company, "candidate_id": candidate["id"]}
        response = await api.post("/v1/sessions", json=body)
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
    return made


async def _both_ways(
    database: Database, client: httpx.AsyncClient, path: str
) -> tuple[httpx.Response, httpx.Response, int]:
    await client.get(path)  # the caller's key is checked and cached, the statement prepared
    with driver_reads_counted() as sent:
        direct = await client.get(path)
    with through_the_session(database):
        via_session = await client.get(path)
    return direct, via_session, len(sent)


@pytest.mark.parametrize("variant", list(VARIANTS))
async def test_a_session_and_the_list_read_the_same_either_way(
    api: httpx.AsyncClient,
    client: httpx.AsyncClient,
    database: Database,
    tenant: Tenant,
    candidate: dict[str, Any],
    variant: str,
) -> None:
    ids = await _sessions(api, candidate)
    await _vary(database, ids[1], VARIANTS[variant])
    token = await mint_token(api, candidate["id"], ("read",))
    person = as_person(client, token)
    for caller, path in [
        (api, f"/v1/sessions/{ids[1]}"),
        (person, f"/v1/sessions/{ids[1]}"),
        (api, "/v1/sessions?limit=2"),
        (api, "/v1/sessions?limit=50"),
        (person, "/v1/sessions?limit=50"),
        (api, f"/v1/sessions/{SESSION_ID.new(utc_now())}"),  # none such: the same 404
        (person, f"/v1/sessions/{ids[0]}"),
    ]:
        direct, via_session, sent = await _both_ways(database, caller, path)
        _assert_same(direct, via_session)
        assert sent == (1 if ON_POSTGRESQL else 0), path
    # The cursor of the first page leads to the same second page either way.
    first = await api.get("/v1/sessions?limit=2")
    cursor_path = first.headers["link"].split(";")[0].strip("<>").removeprefix("http://testserver")
    direct, via_session, _ = await _both_ways(database, api, cursor_path)
    _assert_same(direct, via_session)
    assert [item["id"] for item in direct.json()["items"]] == ids[2:]


async def test_another_organisation_sees_nothing_either_way(
    api: httpx.AsyncClient,
    other_api: httpx.AsyncClient,
    database: Database,
    candidate: dict[str, Any],
) -> None:
    ids = await _sessions(api, candidate)
    for path in (f"/v1/sessions/{ids[0]}", "/v1/sessions?limit=50"):
        direct, via_session, _ = await _both_ways(database, other_api, path)
        _assert_same(direct, via_session)
    assert direct.json()["items"] == []


@pytest.mark.skipif(not ON_POSTGRESQL, reason="counts asyncpg's round trips")
async def test_a_cached_caller_reads_in_one_round_trip(
    api: httpx.AsyncClient, candidate: dict[str, Any]
) -> None:
    ids = await _sessions(api, candidate)
    for path in (f"/v1/sessions/{ids[0]}", "/v1/sessions?limit=50"):
        await api.get(path)
        with driver_reads_counted() as sent, round_trips() as made:
            response = await api.get(path)
        assert response.status_code == 200
        assert len(sent) == 1, path
        assert made == ["_do_execute"], (path, made)


async def test_sqlite_keeps_the_sessions_path(
    api: httpx.AsyncClient, database: Database, candidate: dict[str, Any]
) -> None:
    ids = await _sessions(api, candidate)
    await api.get(f"/v1/sessions/{ids[0]}")
    with driver_reads_counted() as sent:
        assert (await api.get(f"/v1/sessions/{ids[0]}")).status_code == 200
        assert (await api.get("/v1/sessions")).status_code == 200
    assert len(sent) == (2 if ON_POSTGRESQL else 0)
    assert database.is_sqlite is not ON_POSTGRESQL
