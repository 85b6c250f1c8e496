"""The processes a browser test needs: the API under uvicorn and a static file server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "examples" / "web"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 180  # a start, not a figure: a loaded machine is slow
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def started(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def stopped(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=10)


@contextmanager
def _running(command: list[str], env: dict[str, str], url: str, cwd: Path) -> Iterator[str]:
    process = started(command, env, cwd)
    try:
        wait_until_up(process, url)
        yield url
    finally:
        stopped(process)


def _debrief(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@contextmanager
def api(data_dir: Path, cors_origins: list[str]) -> Iterator[tuple[str, str]]:
    """A migrated SQLite API allowing ``cors_origins``; yields its URL and an admin key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEBRIEF_")}
    env |= {
        "PYTHONPATH": str(ROOT),
        "DEBRIEF_DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'debrief.db'}",
        "DEBRIEF_DATA_DIR": str(data_dir),
        "DEBRIEF_CORS_ORIGINS": json.dumps(cors_origins),
    }
    _debrief(env, "migrate")
    key = json.loads(_debrief(env, "create-org", "Browser test", "--json"))["api_key"]
    port = free_port()
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    with _running(command, env, f"http://127.0.0.1:{port}", ROOT) as url:
        yield url, key


@contextmanager
def static_site(port: int) -> Iterator[str]:
    """examples/web served as `make web` serves it, on ``port``."""
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    command += ["--directory", str(WEB)]
    with _running(command, dict(os.environ), f"http://127.0.0.1:{port}", ROOT) as url:
        yield url
