"""`debrief mcp` over stdio, driven by the SDK's client as a subprocess, as the caller
whose credential it was started with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.anyio


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEBRIEF_")}
    return env | {
        "PYTHONPATH": str(ROOT),
        "DEBRIEF_DATA_DIR": str(data_dir),
        "DEBRIEF_WORKER_IN_PROCESS": "false",
    }


def _create_org(env: dict[str, str]) -> str:
    created = subprocess.run(
        [sys.executable, "-m", "app.cli", "create-org", "Stdio", "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return str(json.loads(created.stdout)["api_key"])


async def test_the_stdio_server_acts_as_its_credential(tmp_path: Path) -> None:
    env = _env(tmp_path)
    key = _create_org(env)
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "app.cli", "mcp"],
        env=env | {"DEBRIEF_MCP_CREDENTIAL": key},
        cwd=ROOT,
    )
    async with Client(server) as client:
        result = await client.call_tool("whats_due", {})
        assert isinstance(result, CallToolResult)
        assert not result.is_error
        assert result.structured_content == {"follow_ups": [], "items": []}
        missing = await client.call_tool("next_questions", {"session_id": "ses_nothing"})
        assert missing.is_error


def test_the_stdio_server_refuses_a_bad_credential(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "mcp"],
        env=_env(tmp_path) | {"DEBRIEF_MCP_CREDENTIAL": "dbr_not-a-key"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1
    assert "The API key is not valid" in done.stderr
    assert done.stdout == ""
