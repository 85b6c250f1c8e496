from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.cli import build_parser, main
from tests.databases import backend_name

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "command",
    [[], ["serve"], ["migrate"], ["openapi"], ["create-org"], ["create-key"], ["purge"]],
)
def test_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: debrief" in capsys.readouterr().out


def test_openapi_check_passes_on_the_committed_file() -> None:
    assert main(["openapi", "--check"]) == 0


def test_openapi_writes_then_checks(tmp_path: Path) -> None:
    target = tmp_path / "out" / "openapi.json"
    assert main(["openapi", "--check", "--output", str(target)]) == 1
    assert main(["openapi", "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8").endswith("}\n")
    assert main(["openapi", "--check", "--output", str(target)]) == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.skipif(backend_name() != "sqlite", reason="serve migrates the embedded default")
def test_serve_migrates_the_embedded_default_and_answers(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEBRIEF_")}
    env["DEBRIEF_DATA_DIR"] = str(tmp_path / "data")
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120  # a start, not a figure: a loaded machine is slow
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert response.status_code == 200
        assert (tmp_path / "data" / "debrief.db").is_file()
        docs = httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5)
        assert docs.status_code == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert b"Running upgrade" in output
    assert b"Its admin API key is shown this once" in output


def test_serve_on_a_taken_port_fails_before_it_creates_anything(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = _run(tmp_path, "serve", "--port", str(port))
    assert result.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "make run PORT=" in result.stderr
    assert "API key" not in result.stdout + result.stderr
    assert not (tmp_path / "data" / "debrief.db").exists()


def test_make_run_takes_host_and_port() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "debrief serve --host $(HOST) --port $(PORT)" in makefile
    assert "HOST ?= 127.0.0.1" in makefile
    assert "PORT ?= 8000" in makefile


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEBRIEF_")}
    env["DEBRIEF_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_create_org_json_then_create_key(tmp_path: Path) -> None:
    created = _run(tmp_path, "create-org", "Bright Futures Coaching", "--json")
    assert created.returncode == 0, created.stderr
    document = json.loads(created.stdout)  # stdout holds the JSON and nothing else
    assert set(document) == {"organization_id", "api_key"}
    assert document["organization_id"].startswith("org_")
    assert document["api_key"].startswith("dbr_")

    key = _run(
        tmp_path,
        "create-key",
        "--org",
        document["organization_id"],
        "--scope",
        "read",
        "--scope",
        "write",
        "--expires-in-days",
        "30",
        "--json",
    )
    assert key.returncode == 0, key.stderr
    issued = json.loads(key.stdout)
    assert issued["api_key_id"].startswith("key_")
    assert issued["api_key"] != document["api_key"]

    missing = _run(tmp_path, "create-key", "--org", "org_nope", "--scope", "read")
    assert missing.returncode == 1
    assert "no organisation" in missing.stderr
    bad_scope = _run(tmp_path, "create-key", "--org", "x", "--scope", "root")
    assert bad_scope.returncode == 2


@pytest.mark.parametrize(
    "command",
    [
        ["create-org", "x"],
        ["create-key", "--org", "org_x", "--scope", "read"],
        ["purge"],
        ["worker"],
    ],
)
def test_a_command_on_an_unmigrated_database_says_to_migrate(
    tmp_path: Path, command: list[str]
) -> None:
    database = tmp_path / "empty.db"
    database.touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEBRIEF_")}
    env["DEBRIEF_DATABASE_URL"] = f"sqlite:///{database}"
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "run `debrief migrate`" in result.stderr
    assert "Traceback" not in result.stderr
