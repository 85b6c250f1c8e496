"""Schemathesis over every operation, in process, with all of its checks, as two tenants.

Every request is authenticated as tenant A (`ignored_auth` then proves each operation
refuses a missing or wrong key); the stateful run links creations to reads and replays
what A can see as tenant B (`object_level_authorization`). Every operation is also run
with a candidate's token of tenant A. Run by .ci/run (`pytest -m fuzz`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.schemas import OpenApiSchema
from sqlalchemy import delete

from app.access.tokens import TokenKeys
from app.candidates.schemas import CandidateCreate
from app.candidates.service import create_candidate
from app.core.config import Settings
from app.core.database import Database, standalone_transaction
from app.core.models import metadata
from app.core.security import Principal, Role, Scope, effective_scopes
from app.main import create_app
from app.organizations import service

pytestmark = pytest.mark.fuzz

MAX_EXAMPLES = 25

# Responses a schema-valid request may rightly get, beyond schemathesis' defaults: a
# cursor the server did not sign (400), an If-Match that is not current (412).
ACCEPTABLE_FOR_VALID_DATA = ["2xx", "3xx", "400", "401", "403", "404", "409", "412", "429"]

# A time zone is one of the pinned tzdata's names (`GET /v1/time-zones`), which the schema
# says in words rather than as a ~600-value enum in every model: any other string is a 422
# that JSON Schema cannot foresee.
TIME_ZONE_OPERATIONS = [
    {
        "include-path": path,
        "include-method": method,
        "checks": {
            "positive_data_acceptance": {"expected-statuses": [*ACCEPTABLE_FOR_VALID_DATA, "422"]}
        },
    }
    for method, path in (
        ("POST", "/v1/candidates"),
        ("PATCH", "/v1/candidates/{candidate_id}"),
        ("POST", "/v1/messages/preview"),
    )
]


async def _two_tenants(url: str) -> tuple[str, str, set[str]]:
    async with standalone_transaction(url) as session:
        _, alice = await service.create_organization(session, "Alice's platform")
        _, bob = await service.create_organization(session, "Bob's platform")
        return alice.secret, bob.secret, {alice.api_key.id, bob.api_key.id}


async def _a_candidates_token(url: str, settings: Settings) -> str:
    """A token for a candidate of a fresh organisation, as its platform would mint."""
    async with standalone_transaction(url) as session:
        organization, key = await service.create_organization(session, "Carol's platform")
        caller = Principal(organization.id, key.api_key.id, effective_scopes([Scope.ADMIN]))
        carol = await create_candidate(
            session, caller, CandidateCreate(external_ref="carol", display_name="Carol")
        )
    minted = TokenKeys.from_settings(settings).mint(
        organization.id, carol.id, Role.CANDIDATE, [Scope.READ, Scope.WRITE], 3600
    )
    return minted.token


async def _forget_all_but_the_tenants(url: str, keys: set[str]) -> None:
    """Back to two tenants with their keys, as at the start: every stateful scenario starts
    from the same state, so replaying one (to confirm or shrink it) gives the same answers."""
    async with standalone_transaction(url) as session:
        for table in reversed(metadata.sorted_tables):
            if table.name == "organizations":
                continue
            statement = delete(table)
            if table.name == "api_keys":
                statement = statement.where(table.c.id.not_in(keys))
            await session.execute(statement)


async def _empty(url: str) -> None:
    async with standalone_transaction(url) as session:
        for table in reversed(metadata.sorted_tables):
            await session.execute(delete(table))


@pytest.fixture
def tenant_keys(settings: Settings) -> Iterator[tuple[str, str, set[str]]]:
    url = settings.effective_database_url
    yield asyncio.run(_two_tenants(url))
    asyncio.run(_empty(url))


@pytest.fixture
def api_schema(
    settings: Settings, tmp_path: Path, tenant_keys: tuple[str, str, set[str]]
) -> OpenApiSchema:
    url = settings.effective_database_url
    alice, bob, _ = tenant_keys
    users = tmp_path / "users.json"
    users.write_text(
        json.dumps(
            {
                "auth": [
                    {
                        "name": name,
                        "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {key}"}],
                    }
                    for name, key in (("alice", alice), ("bob", bob))
                ]
            }
        )
    )
    config = SchemathesisConfig.from_dict(
        {
            "auth": {"wfc": {"path": str(users), "peers": ["alice", "bob"]}},
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ACCEPTABLE_FOR_VALID_DATA}
            },
            "operations": [
                {
                    # An expiry must lie in the future, which JSON Schema cannot say.
                    "include-path": "/v1/api-keys",
                    "include-method": "POST",
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": [*ACCEPTABLE_FOR_VALID_DATA, "422"]
                        }
                    },
                },
                *TIME_ZONE_OPERATIONS,
            ],
        }
    )
    # Schemathesis drives the app from its own event loops: no pooled connections.
    app = create_app(settings, database=Database(url, pooled=False))
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def person_schema(settings: Settings, tmp_path: Path) -> Iterator[OpenApiSchema]:
    """The same operations, called with a candidate's token instead of an API key."""
    url = settings.effective_database_url
    token = asyncio.run(_a_candidates_token(url, settings))
    config = SchemathesisConfig.from_dict(
        {
            "headers": {"Authorization": f"Bearer {token}"},
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ACCEPTABLE_FOR_VALID_DATA}
            },
            "operations": [
                {
                    # A token knows one candidate: any other `candidate_id` is unknown to
                    # it, a 422 that JSON Schema cannot foresee.
                    "include-path": "/v1/sessions",
                    "include-method": "POST",
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": [*ACCEPTABLE_FOR_VALID_DATA, "422"]
                        }
                    },
                },
                *TIME_ZONE_OPERATIONS,
            ],
        }
    )
    app = create_app(settings, database=Database(url, pooled=False))
    yield schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    asyncio.run(_empty(url))


person = schemathesis.pytest.from_fixture("person_schema")


# One class per run: pytest-xdist's `--dist loadscope` gives each class, not each module,
# to a worker, so the three runs go to different workers instead of all to one.
class TestWithAnApiKey:
    @schema.parametrize()
    def test_every_operation_conforms(self, case: Case) -> None:
        case.call_and_validate()


class TestWithACandidatesToken:
    @person.parametrize()
    def test_every_operation_conforms_for_a_candidates_token(self, case: Case) -> None:
        case.call_and_validate()


def test_stateful_no_tenant_sees_another_tenants_objects(
    api_schema: OpenApiSchema, settings: Settings, tenant_keys: tuple[str, str, set[str]]
) -> None:
    url, keys = settings.effective_database_url, tenant_keys[2]

    class FromTheStart(api_schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            asyncio.run(_forget_all_but_the_tenants(url, keys))

    FromTheStart.run(
        settings=hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
