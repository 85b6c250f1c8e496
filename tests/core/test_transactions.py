"""One transaction per request: committed on success, rolled back on any error."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from app.core.database import Database
from tests.core.probe_routes import router as probe_router

pytestmark = pytest.mark.anyio


@pytest.fixture
async def notes_table(database: Database) -> AsyncIterator[None]:
    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE probe_notes (word VARCHAR(40) NOT NULL)"))
    yield
    async with database.engine.begin() as connection:
        await connection.execute(text("DROP TABLE probe_notes"))


@pytest.fixture
def app(app: FastAPI, notes_table: None) -> FastAPI:
    app.include_router(probe_router)
    return app


async def words(database: Database) -> list[str]:
    async with database.engine.connect() as connection:
        result = await connection.execute(text("SELECT word FROM probe_notes ORDER BY word"))
        return [row[0] for row in result]


async def test_success_commits(client: httpx.AsyncClient, database: Database) -> None:
    response = await client.post("/probe/notes/kept")
    assert response.status_code == 200
    assert await words(database) == ["kept"]


async def test_error_after_a_write_rolls_it_back(
    client: httpx.AsyncClient, database: Database
) -> None:
    response = await client.post("/probe/notes/lost", params={"fail": "true"})
    assert response.status_code == 500
    assert await words(database) == []


async def test_validation_error_writes_nothing(
    client: httpx.AsyncClient, database: Database
) -> None:
    response = await client.post("/probe/notes/lost", params={"fail": "maybe"})
    assert response.status_code == 422
    assert await words(database) == []
