"""Migrations go up, down and up again, and agree with the models (alembic check)."""

from __future__ import annotations

import re
from pathlib import Path

from app.core import migrations
from app.core.models import metadata
from tests.databases import fresh_database


def test_upgrade_downgrade_upgrade_and_check(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        migrations.upgrade(url)
        migrations.check(url)
        migrations.downgrade(url, "base")
        migrations.upgrade(url)
        migrations.check(url)


def test_every_revision_steps_down_and_up(tmp_path: Path) -> None:
    script = migrations.script_directory()
    revisions = [r.revision for r in script.walk_revisions()]  # head first
    with fresh_database(tmp_path) as url:
        migrations.upgrade(url)
        for revision in revisions:
            migrations.downgrade(url, "-1")
            migrations.upgrade(url, revision)
            migrations.downgrade(url, "-1")
        migrations.upgrade(url)
        migrations.check(url)


def test_revision_files_are_date_named() -> None:
    for path in (migrations.MIGRATIONS_PATH / "versions").glob("*.py"):
        assert re.fullmatch(r"\d{4}_\d{2}_\d{2}_\d{4}-\w+\.py", path.name), path.name


def test_metadata_uses_the_naming_convention() -> None:
    assert metadata.naming_convention["fk"].startswith("fk_")
    assert metadata.naming_convention["pk"] == "pk_%(table_name)s"
