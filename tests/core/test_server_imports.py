"""A server process loads what requests need and no more: the MCP SDK waits for the first
/mcp request, Alembic for a migration, the HTTP client for the first webhook delivery,
icalendar for the first invitation or calendar feed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DEFERRED = ("mcp", "alembic", "httpx", "icalendar")


@pytest.mark.parametrize(
    "database_url",
    ["sqlite+aiosqlite:///{tmp}/debrief.db", "postgresql+asyncpg://debrief@127.0.0.1:1/debrief"],
    ids=["sqlite", "postgresql"],
)
def test_create_app_imports_no_deferred_package(tmp_path: Path, database_url: str) -> None:
    script = (
        "import sys\n"
        "from app.main import create_app\n"
        "create_app()\n"
        f"print(sorted(name for name in {DEFERRED!r} if name in sys.modules))\n"
    )
    env = {
        **os.environ,
        "DEBRIEF_DATABASE_URL": database_url.format(tmp=tmp_path),
        "DEBRIEF_ENVIRONMENT": "dev",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert result.stdout.strip() == "[]"
