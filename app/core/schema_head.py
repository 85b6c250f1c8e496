"""The migration head this code needs, read from the revision files' `revision` and
`down_revision` lines, without importing Alembic (~10 MB of a worker's memory) into a
process that only asks whether the database is at it (/readyz, the CLI's check)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

VERSIONS_PATH = Path(__file__).resolve().parents[2] / "migrations" / "versions"

_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*$", re.MULTILINE)


def _revisions(text: str) -> tuple[str, tuple[str, ...]]:
    found = {name: ast.literal_eval(value) for name, value in _ASSIGNMENT.findall(text)}
    down = found.get("down_revision")
    downs = () if down is None else (down,) if isinstance(down, str) else tuple(down)
    return found["revision"], downs


@cache
def schema_head(versions: Path = VERSIONS_PATH) -> str | None:
    """The one revision no other revises (None before the first); more than one head is
    an error, as `alembic upgrade head` makes it."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in versions.glob("*.py"):
        revision, downs = _revisions(path.read_text(encoding="utf-8"))
        revisions.add(revision)
        revised.update(downs)
    heads = revisions - revised
    if len(heads) > 1:
        raise RuntimeError(f"The migrations have more than one head: {sorted(heads)}.")
    return next(iter(heads), None)
