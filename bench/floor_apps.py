"""The floors `bench/http.py` holds Debrief's hot paths against: what this stack costs at
its leanest for the same kind of work, served exactly like Debrief.

- read floor (`GET /floor/sessions/{id}`): a bearer credential checked against a dict in
  memory, then one row of the sessions table by primary key (20 columns) on a raw driver
  pool (asyncpg on PostgreSQL, one aiosqlite connection on SQLite), serialised to JSON;
- body floor (`POST /floor/body`): a ~2 KB JSON body validated by a pydantic model, then
  30 µs of work, answering a small JSON document.

The read floor reads `DEBRIEF_DATABASE_URL` and accepts `Authorization: Bearer
{FLOOR_TOKEN}` only.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, Header, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json

READ_PATH = "/floor/sessions/{session_id}"
BODY_PATH = "/floor/body"
FLOOR_TOKEN = "floor-token-0123456789abcdef"  # noqa: S105 - a bench credential
WORK_SECONDS = 30e-6
# PostgreSQL's default max_connections is 100 and Debrief's pool keeps 64: the floor's
# pool stays below the rest, and lets its connections go a second after its run.
POOL_SIZE = 30

COLUMNS = (
    "id, organization_id, candidate_id, company, role_title, posting, stage_reached, "
    "interview_date, decision_date, outcome, stated_reason, interviewer, notes, status, "
    "answers, reflection_progress, reflected_at, created_at, updated_at, revision"
)
_PRINCIPALS = {FLOOR_TOKEN: "the bench organisation"}

FetchOne = Callable[[str], Awaitable[dict[str, Any] | None]]


async def _nothing_to_reset(_connection: Any) -> None:
    return None


@asynccontextmanager
async def _postgres(url: str) -> AsyncIterator[FetchOne]:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    pool = await asyncpg.create_pool(
        dsn,
        min_size=0,
        max_size=POOL_SIZE,
        max_inactive_connection_lifetime=1.0,
        reset=_nothing_to_reset,  # the floor changes no session state: one round trip a read
    )
    query = f"SELECT {COLUMNS} FROM sessions WHERE id = $1"  # noqa: S608 - constant text

    async def fetch_one(session_id: str) -> dict[str, Any] | None:
        row = await pool.fetchrow(query, session_id)
        return None if row is None else dict(row)

    try:
        yield fetch_one
    finally:
        await pool.close()


@asynccontextmanager
async def _sqlite(url: str) -> AsyncIterator[FetchOne]:
    import aiosqlite

    path = url.split(":///", 1)[1]
    connection = await aiosqlite.connect(path)
    connection.row_factory = aiosqlite.Row
    query = f"SELECT {COLUMNS} FROM sessions WHERE id = ?"  # noqa: S608 - constant text

    async def fetch_one(session_id: str) -> dict[str, Any] | None:
        async with connection.execute(query, (session_id,)) as cursor:
            row = await cursor.fetchone()
        return None if row is None else dict(row)

    try:
        yield fetch_one
    finally:
        await connection.close()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    url = os.environ.get("DEBRIEF_DATABASE_URL", "")
    opened = _sqlite(url) if url.startswith("sqlite") else _postgres(url)
    async with opened as fetch_one:
        app.state.fetch_one = fetch_one
        yield


app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)


async def _caller(authorization: Annotated[str, Header()] = "") -> str:
    principal = _PRINCIPALS.get(authorization.removeprefix("Bearer "))
    if principal is None:
        raise HTTPException(401)
    return principal


@app.get(READ_PATH)
async def read_floor(session_id: str, authorization: Annotated[str, Header()] = "") -> Response:
    await _caller(authorization)
    row = await app.state.fetch_one(session_id)
    if row is None:
        raise HTTPException(404)
    return Response(to_json(row), media_type="application/json")


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(max_length=64)
    value: int = Field(ge=0, le=1_000_000)
    note: str = Field(max_length=200)
    flags: list[bool] = Field(max_length=8)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=200)
    tags: list[str] = Field(max_length=20)
    items: list[Item] = Field(max_length=40)


class Answer(BaseModel):
    count: int
    total: int


@app.post(BODY_PATH)
async def body_floor(body: Body) -> Answer:
    until = time.perf_counter() + WORK_SECONDS
    while time.perf_counter() < until:
        pass
    return Answer(count=len(body.items), total=sum(item.value for item in body.items))


def body_document() -> dict[str, Any]:
    """A valid body of about 2 KB."""
    items = [
        {"key": f"item-{i}", "value": i * 7, "note": "a short note " * 2, "flags": [True, False]}
        for i in range(20)
    ]
    return {"title": "A body of about two kilobytes", "tags": ["a", "b", "c"], "items": items}
