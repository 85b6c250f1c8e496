"""Lost updates and double creations, under real concurrency."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from app.candidates.models import Candidate
from app.core.database import Database
from app.core.idempotency_models import IdempotencyRecord
from app.core.ids import utc_now
from tests.candidates.test_candidates import ALEX

pytestmark = pytest.mark.anyio


async def count_candidates(database: Database) -> int:
    async with database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Candidate)) or 0)


async def test_two_patches_with_one_if_match_one_wins(api: httpx.AsyncClient) -> None:
    candidate = (await api.post("/v1/candidates", json=ALEX)).json()
    url = f"/v1/candidates/{candidate['id']}"
    responses = await asyncio.gather(
        api.patch(url, json={"display_name": "First"}, headers={"If-Match": '"1"'}),
        api.patch(url, json={"display_name": "Second"}, headers={"If-Match": '"1"'}),
    )
    assert sorted(r.status_code for r in responses) == [200, 412]
    winner = next(r for r in responses if r.status_code == 200).json()
    assert (await api.get(url)).json()["display_name"] == winner["display_name"]


async def test_sequential_patches_with_one_if_match(api: httpx.AsyncClient) -> None:
    candidate = (await api.post("/v1/candidates", json=ALEX)).json()
    url = f"/v1/candidates/{candidate['id']}"
    first = await api.patch(url, json={"display_name": "One"}, headers={"If-Match": '"1"'})
    second = await api.patch(url, json={"display_name": "Two"}, headers={"If-Match": '"1"'})
    assert (first.status_code, second.status_code) == (200, 412)


async def test_parallel_posts_with_one_idempotency_key_create_one_candidate(
    api: httpx.AsyncClient, database: Database
) -> None:
    headers = {"Idempotency-Key": "create-alex-1"}
    responses = await asyncio.gather(
        *(api.post("/v1/candidates", json=ALEX, headers=headers) for _ in range(5))
    )
    assert [r.status_code for r in responses] == [201] * 5
    assert len({r.content for r in responses}) == 1
    assert len({r.headers["location"] for r in responses}) == 1
    assert len({r.headers["etag"] for r in responses}) == 1
    replayed = [r.headers.get("idempotent-replayed") for r in responses]
    assert replayed.count("true") == 4
    assert await count_candidates(database) == 1


async def test_same_key_other_body_is_a_409(api: httpx.AsyncClient, database: Database) -> None:
    headers = {"Idempotency-Key": "k-1"}
    assert (await api.post("/v1/candidates", json=ALEX, headers=headers)).status_code == 201
    other = await api.post(
        "/v1/candidates", json={**ALEX, "external_ref": "other"}, headers=headers
    )
    assert other.status_code == 409
    assert other.json()["type"] == "/problems/idempotency-key-reused"
    assert await count_candidates(database) == 1


async def test_keys_are_per_organisation(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient
) -> None:
    headers = {"Idempotency-Key": "shared-key"}
    mine = await api.post("/v1/candidates", json=ALEX, headers=headers)
    theirs = await other_api.post("/v1/candidates", json=ALEX, headers=headers)
    assert theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["id"] != mine.json()["id"]


async def test_a_key_expires_after_24_hours(api: httpx.AsyncClient, database: Database) -> None:
    headers = {"Idempotency-Key": "old-key"}
    first = await api.post("/v1/candidates", json=ALEX, headers=headers)
    async with database.sessionmaker() as session, session.begin():
        await session.execute(
            update(IdempotencyRecord).values(created_at=utc_now() - timedelta(hours=25))
        )
    await api.delete(f"/v1/candidates/{first.json()['id']}")
    again = await api.post("/v1/candidates", json=ALEX, headers=headers)
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]


async def test_a_failed_first_attempt_is_not_replayed(api: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "after-409"}
    await api.post("/v1/candidates", json=ALEX)
    duplicate = await api.post("/v1/candidates", json=ALEX, headers=headers)
    assert duplicate.status_code == 409
    renamed = {**ALEX, "external_ref": "fresh"}
    assert (await api.post("/v1/candidates", json=renamed, headers=headers)).status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "ünïcode"])
async def test_malformed_idempotency_key_is_a_422(api: httpx.AsyncClient, key: str) -> None:
    response = await api.post(
        "/v1/candidates", json=ALEX, headers={"Idempotency-Key": key.encode()}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/header/Idempotency-Key"
