from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.core.config import Environment, Settings


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_default_database_is_sqlite_in_the_data_directory(tmp_path: Path) -> None:
    settings = make(data_dir=tmp_path / "store")
    assert settings.uses_embedded_default
    assert settings.effective_database_url == (
        f"sqlite+aiosqlite:///{(tmp_path / 'store' / 'debrief.db').as_posix()}"
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_database_urls_are_mapped_to_async_drivers(given: str, expected: str) -> None:
    assert make(database_url=given).effective_database_url == expected


def test_environment_variables_use_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBRIEF_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("DEBRIEF_MAX_BODY_BYTES", "2048")
    settings = make()
    assert settings.log_level == "DEBUG"
    assert settings.max_body_bytes == 2048


def test_prod_refuses_the_embedded_database() -> None:
    with pytest.raises(ValidationError, match="DEBRIEF_DATABASE_URL must be set in prod"):
        make(environment=Environment.PROD)
    with pytest.raises(ValidationError, match="DEBRIEF_SECRET_KEY must be set in prod"):
        make(environment="prod", database_url="postgresql://u@h/db")
    settings = make(environment="prod", database_url="postgresql://u@h/db", secret_key="s" * 40)
    assert settings.environment == "prod"


@pytest.mark.parametrize("size", [0, 10, 10**12])
def test_body_limit_is_bounded(size: int) -> None:
    with pytest.raises(ValidationError, match="max_body_bytes"):
        make(max_body_bytes=size)
