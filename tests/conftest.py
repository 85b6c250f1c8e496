from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete

from app.core import migrations
from app.core.config import Settings
from app.core.database import Database
from app.core.models import metadata
from app.main import create_app
from tests.databases import fresh_database
from tests.problem_text_guard import ProblemCheckingTransport
from tests.tenants import Tenant, authed, make_tenant


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database for the run, built through the migrations."""
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        migrations.upgrade(url)
        yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    """The run's database, emptied after each test so tests never see each other's rows."""
    db = Database(settings.effective_database_url)
    try:
        yield db
    finally:
        async with db.engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                await connection.execute(delete(table))
        await db.dispose()


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings, database=database)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = ProblemCheckingTransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def tenant(database: Database) -> Tenant:
    return await make_tenant(database, "Tenant A")


@pytest.fixture
async def other_tenant(database: Database) -> Tenant:
    return await make_tenant(database, "Tenant B")


@pytest.fixture
async def api(client: httpx.AsyncClient, tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    """A client authenticated as tenant A's admin key."""
    async with authed(client, tenant) as c:
        yield c


@pytest.fixture
async def other_api(
    client: httpx.AsyncClient, other_tenant: Tenant
) -> AsyncIterator[httpx.AsyncClient]:
    """A client authenticated as tenant B's admin key."""
    async with authed(client, other_tenant) as c:
        yield c
