"""Two `debrief serve` processes sharing Redis share the budgets: the headers count down
across them and the request after the last is a 429 from either."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from tests.browser.servers import ROOT, _running, free_port

REDIS_URL = os.environ.get("DEBRIEF_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_answers(), reason="Redis is not running")


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[str], str]]:
    data_dir = tmp_path_factory.mktemp("shared")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEBRIEF_")}
    env |= {
        "PYTHONPATH": str(ROOT),
        "DEBRIEF_DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'debrief.db'}",
        "DEBRIEF_DATA_DIR": str(data_dir),
        "DEBRIEF_REDIS_URL": REDIS_URL,
        "DEBRIEF_RATE_LIMIT_READS": "5",
    }
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], env=env, cwd=ROOT, check=True)
    created = subprocess.run(
        [sys.executable, "-m", "app.cli", "create-org", "Shared", "--json"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    key = json.loads(created.stdout)["api_key"]
    with ExitStack() as stack:
        urls = []
        for _ in range(2):
            port = free_port()
            command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
            urls.append(
                stack.enter_context(_running(command, env, f"http://127.0.0.1:{port}", ROOT))
            )
        yield urls, key


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
