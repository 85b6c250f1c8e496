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
    with pytest.raises(ValidationError, match="DEBRIEF_TOKEN_SIGNING_KEYS must be set in prod"):
        make(environment="prod", database_url="postgresql://u@h/db", secret_key="s" * 40)
    with pytest.raises(ValidationError, match="signing key 'k1' must be a random value"):
        make(
            environment="prod",
            database_url="postgresql://u@h/db",
            secret_key="s" * 40,
            token_signing_keys="k1:short",
        )
    settings = make(
        environment="prod",
        database_url="postgresql://u@h/db",
        secret_key="s" * 40,
        token_signing_keys="k1:" + "t" * 40,
    )
    assert settings.environment == "prod"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", []),
        ('["http://127.0.0.1:8001"]', ["http://127.0.0.1:8001"]),
        ("http://a.example, https://b.example", ["http://a.example", "https://b.example"]),
    ],
)
def test_cors_origins_accept_a_json_list_or_commas(
    raw: str, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEBRIEF_CORS_ORIGINS", raw)
    assert make().cors_origins == expected


@pytest.mark.parametrize(
    "raw",
    [
        "new:" + "n" * 32 + ",old:" + "o" * 32,
        '{"new": "' + "n" * 32 + '", "old": "' + "o" * 32 + '"}',
    ],
)
def test_signing_keys_accept_kid_secret_pairs_or_json(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEBRIEF_TOKEN_SIGNING_KEYS", raw)
    settings = make()
    assert settings.signing_keys == {"new": "n" * 32, "old": "o" * 32}
    assert settings.current_kid == "new"
    monkeypatch.setenv("DEBRIEF_TOKEN_CURRENT_KID", "old")
    assert make().current_kid == "old"
    monkeypatch.setenv("DEBRIEF_TOKEN_CURRENT_KID", "gone")
    with pytest.raises(ValidationError, match="DEBRIEF_TOKEN_CURRENT_KID"):
        make()


def test_dev_derives_a_signing_key_from_the_secret_key() -> None:
    first, second = make().signing_keys, make(secret_key="x" * 40).signing_keys
    assert list(first) == ["dev"]
    assert first != second
    assert len(first["dev"]) >= 32


@pytest.mark.parametrize("size", [0, 10, 10**12])
def test_body_limit_is_bounded(size: int) -> None:
    with pytest.raises(ValidationError, match="max_body_bytes"):
        make(max_body_bytes=size)
