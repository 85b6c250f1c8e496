"""Two `debrief serve` processes sharing Redis share the budgets: the headers count down
across them and the request after the last is a 429 from either."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from app.core import migrations
from app.core.database import standalone_transaction
from app.organizations import service
from tests.browser.servers import ROOT, free_port, started, stopped, wait_until_up

REDIS_URL = os.environ.get("DEBRIEF_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_answers(), reason="Redis is not running")


async def _an_organisations_key(url: str) -> str:
    async with standalone_transaction(url) as session:
        _, key = await service.create_organization(session, "Shared")
        return key.secret


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[str], str]]:
    data_dir = tmp_path_factory.mktemp("shared")
    database_url = f"sqlite+aiosqlite:///{data_dir / 'debrief.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEBRIEF_")}
    env |= {
        "PYTHONPATH": str(ROOT),
        "DEBRIEF_DATABASE_URL": database_url,
        "DEBRIEF_DATA_DIR": str(data_dir),
        "DEBRIEF_REDIS_URL": REDIS_URL,
        "DEBRIEF_RATE_LIMIT_READS": "5",
    }
    # In this process, which has the app loaded already: a command each would load it again.
    migrations.upgrade(database_url)
    key = asyncio.run(_an_organisations_key(database_url))
    with ExitStack() as stack:
        # Both start at once; each is waited for after.
        processes = []
        for _ in range(2):
            port = free_port()
            command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
            processes.append((started(command, env, ROOT), f"http://127.0.0.1:{port}"))
            stack.callback(stopped, processes[-1][0])
        for process, url in processes:
            wait_until_up(process, url)
        yield [url for _, url in processes], key


def _remaining(response: httpx.Response) -> int:
    match = re.match(r'^"reads";r=(\d+);t=(\d+)', response.headers["RateLimit"])
    assert match, response.headers["RateLimit"]
    assert 0 <= int(match[2]) <= 60
    return int(match[1])


def test_two_processes_count_one_budget(servers: tuple[list[str], str]) -> None:
    urls, key = servers
    headers = {"Authorization": f"Bearer {key}"}
    remaining = []
    for turn in range(5):
        response = httpx.get(f"{urls[turn % 2]}/v1/candidates", headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        assert response.headers["RateLimit-Policy"].startswith('"reads";q=5;w=60')
        remaining.append(_remaining(response))
    assert remaining == [4, 3, 2, 1, 0]
    for url in urls:
        refused = httpx.get(f"{url}/v1/candidates", headers=headers, timeout=10)
        assert refused.status_code == 429
        assert refused.json()["type"] == "/problems/too-many-requests"
        assert int(refused.headers["Retry-After"]) >= 1
