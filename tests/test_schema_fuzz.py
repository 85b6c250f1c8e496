"""Schemathesis over every operation, in process, with its default checks.

Run by .ci/run (`pytest -m fuzz`); deselected from the quick test command.
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.schemas import OpenApiSchema

from app.core.config import Settings
from app.core.database import Database
from app.main import create_app

pytestmark = pytest.mark.fuzz


@pytest.fixture
def api_schema(settings: Settings) -> OpenApiSchema:
    # Schemathesis drives the app from its own event loops: no pooled connections.
    database = Database(settings.effective_database_url, pooled=False)
    app = create_app(settings, database=database)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_api_conforms_to_its_schema(case: Case) -> None:
    case.call_and_validate()
