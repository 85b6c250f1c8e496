"""app/core/sqlite_writes leans on two private parts of aiosqlite: the version is pinned
exactly, and this fails loudly if an upgrade moves either."""

from __future__ import annotations

import inspect
import tomllib
from importlib.metadata import version
from pathlib import Path

import aiosqlite

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_aiosqlite_is_pinned_to_the_version_installed() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    pins = [d for d in dependencies if d.split("==")[0].strip() == "aiosqlite"]
    assert pins == [f"aiosqlite=={version('aiosqlite')}"], (
        "app/core/sqlite_writes uses aiosqlite's private Connection._execute and ._conn: "
        "pin aiosqlite exactly, and check both before moving the pin"
    )


def test_the_private_parts_sqlite_writes_uses_are_there() -> None:
    message = (
        "aiosqlite changed: app/core/sqlite_writes queues its write with "
        "Connection._execute(fn) and reads the sqlite3 connection from Connection._conn"
    )
    assert inspect.iscoroutinefunction(aiosqlite.Connection._execute), message
    assert list(inspect.signature(aiosqlite.Connection._execute).parameters) == [
        "self",
        "fn",
        "args",
        "kwargs",
    ], message
    assert isinstance(inspect.getattr_static(aiosqlite.Connection, "_conn"), property), message
