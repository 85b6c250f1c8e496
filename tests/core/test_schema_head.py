"""The head read from the revision files, without Alembic, is Alembic's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core import migrations
from app.core.schema_head import schema_head


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert schema_head() == migrations.script_directory().get_current_head()


def _revision(folder: Path, revision: str, down: str) -> None:
    (folder / f"{revision}.py").write_text(
        f'"""Revision {revision}."""\n\n'
        f'revision: str = "{revision}"\n'
        f"down_revision: str | tuple[str, ...] | None = {down}\n"
    )


def test_a_merge_revision_is_the_one_head(tmp_path: Path) -> None:
    _revision(tmp_path, "0001", "None")
    _revision(tmp_path, "0002", '"0001"')
    _revision(tmp_path, "0003", '"0001"')
    _revision(tmp_path, "0004", '("0002", "0003")')
    assert schema_head(tmp_path) == "0004"


def test_two_heads_are_an_error(tmp_path: Path) -> None:
    _revision(tmp_path, "0001", "None")
    _revision(tmp_path, "0002", '"0001"')
    _revision(tmp_path, "0003", '"0001"')
    with pytest.raises(RuntimeError, match="more than one head"):
        schema_head(tmp_path)


def test_no_revision_is_no_head(tmp_path: Path) -> None:
    assert schema_head(tmp_path) is None
