from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.config import Settings
from app.core.database import Database
from app.worker.loop import Worker
from tests.events.receiver import Receiver, running_receiver


def event_settings(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": tmp_path,
        "webhooks_allow_private": True,
        "webhooks_retry_delay_factor": 0.0,
        "worker_poll_seconds": 0.05,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return event_settings(database_url, tmp_path)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


@pytest.fixture
def worker(database: Database, settings: Settings) -> Worker:
    return Worker(database, settings)


async def add_endpoint(api: httpx.AsyncClient, url: str, **fields: Any) -> dict[str, Any]:
    response = await api.post("/v1/webhook-endpoints", json={"url": url, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def drain(worker: Worker, turns: int = 20) -> None:
    """Run the worker until it has nothing more to send now."""
    for _ in range(turns):
        if await worker.deliver_once() == 0:
            return
