"""The request's AsyncSession on PostgreSQL reads (app/core/deferred_session) makes its ORM
Session only when something needs it, and is otherwise an AsyncSession like any other."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.core.database import AUTOCOMMIT_KEY, Database, in_autocommit, start_transaction
from app.core.deferred_session import DeferredSession
from tests.candidates.test_candidates import ALEX
from tests.databases import backend_name
from tests.sessions.conftest import SESSION

pytestmark = pytest.mark.anyio

ON_POSTGRESQL = backend_name() == "postgresql"


async def test_asyncsessions_constructor_keeps_what_the_deferred_one_expects(
    database: Database,
) -> None:
    """SQLAlchemy 2.1.9 (pinned): if the constructor starts keeping anything else, an
    unmade DeferredSession would lack it."""
    session = AsyncSession(database.engine, expire_on_commit=False)
    assert set(vars(session)) == {"_async_bind", "_async_binds", "sync_session", "_proxied"}
    assert session.sync_session is session._proxied
    await session.close()


async def test_an_unmade_session_answers_what_the_driver_reads_ask(database: Database) -> None:
    session = DeferredSession(database.engine, expire_on_commit=False)
    session.info[AUTOCOMMIT_KEY] = True
    assert session.bind is database.engine
    assert in_autocommit(session)
    assert not session.in_transaction()
    assert not session.made


async def test_first_use_makes_it_once_with_what_it_was_told(database: Database) -> None:
    session = DeferredSession(database.engine, expire_on_commit=False)
    session.info["kept"] = 1
    assert isinstance(session.sync_session, Session)
    assert session.made
    made = session.sync_session
    assert session.sync_session is made
    assert session._proxied is made
    assert made.info == {"kept": 1}
    assert session.info is made.info
    assert made.expire_on_commit is False
    assert session.bind is database.engine
    assert AsyncSession._retrieve_proxy_for_target(made) is session
    assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
    assert session.in_transaction()
    await session.commit()
    await session.close()


async def test_any_other_member_makes_it(database: Database) -> None:
    session = DeferredSession(database.engine)
    assert len(session.identity_map) == 0
    assert session.made
    await session.close()


async def test_start_transaction_on_an_unmade_session(database: Database) -> None:
    await database.ping()  # the dialect knows its default isolation once connected
    session = DeferredSession(database.engine)
    session.info[AUTOCOMMIT_KEY] = True
    await start_transaction(session)
    assert not in_autocommit(session)
    assert session.made
    await session.close()


@contextmanager
def sessions_counted() -> Iterator[tuple[list[DeferredSession], list[DeferredSession]]]:
    """The deferred sessions created meanwhile, and those whose ORM Session was made."""
    created: list[DeferredSession] = []
    made: list[DeferredSession] = []
    init, make = DeferredSession.__init__, DeferredSession._make

    def counted_init(self: DeferredSession, *args: Any, **kw: Any) -> None:
        created.append(self)
        init(self, *args, **kw)

    def counted_make(self: DeferredSession) -> Session:
        made.append(self)
        return make(self)

    DeferredSession.__init__ = counted_init  # type: ignore[method-assign]
    DeferredSession._make = counted_make  # type: ignore[method-assign]
    try:
        yield created, made
    finally:
        DeferredSession.__init__ = init  # type: ignore[method-assign]
        DeferredSession._make = make  # type: ignore[method-assign]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the driver reads are PostgreSQL's")
async def test_a_get_by_id_makes_no_orm_session(api: httpx.AsyncClient) -> None:
    created = await api.post("/v1/candidates", json=ALEX)
    assert created.status_code == 201
    session_id = (
        await api.post("/v1/sessions", json={**SESSION, "candidate_id": created.json()["id"]})
    ).json()["id"]
    await api.get(f"/v1/sessions/{session_id}")  # the key and statements are cached now
    with sessions_counted() as (created, made):
        response = await api.get(f"/v1/sessions/{session_id}")
        missing = await api.get("/v1/sessions/sess_01JD6Z7Q4X9V2M8N3K5H6G7F8E")
    assert response.status_code == 200
    assert missing.status_code == 404
    assert len(created) == 2  # one per request, as before
    assert made == []
