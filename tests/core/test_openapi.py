"""The committed OpenAPI document is exactly what the app serves, and is valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from openapi_spec_validator import validate

from app.core.config import Settings
from app.core.openapi import dump_openapi
from app.main import create_app

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)  # the engine is never used: nothing here connects


def test_committed_openapi_matches_the_app(app: FastAPI) -> None:
    assert COMMITTED.read_text(encoding="utf-8") == dump_openapi(app.openapi()), (
        "openapi/openapi.json is out of date: run `debrief openapi` and commit it"
    )


def test_openapi_is_valid_3_1() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1.")
    validate(document)


def test_every_operation_documents_its_problems(app: FastAPI) -> None:
    document = app.openapi()
    shared = document["components"]["responses"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            # 500 and 503 are one `5XX` response naming each status and its problem.
            assert "5XX" in responses, f"{method} {path}"
            assert not [s for s in responses if s.startswith("5") and s != "5XX"]
            for status, response in responses.items():
                if status[0] in "45":
                    response = shared[response["$ref"].rsplit("/", 1)[1]]
                    assert list(response["content"]) == ["application/problem+json"]


def test_no_pydantic_only_keywords_leak_into_schemas() -> None:
    text = COMMITTED.read_text(encoding="utf-8")
    for keyword in ('"ge":', '"le":', '"gt":', '"lt":'):
        assert keyword not in text, keyword
