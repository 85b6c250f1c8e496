"""Deleting a candidate leaves no trace of them in any table."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from app.core.database import Database
from app.core.models import metadata
from tests.candidates.test_candidates import ALEX

pytestmark = pytest.mark.anyio


def _is_erasure_notice(table: str, row: dict[str, object]) -> bool:
    """The `candidate.erased` event (and its deliveries) names the erased id and nothing
    else, so that platforms can erase their own copy."""
    kind = row.get("type") if table == "events" else row.get("event_type")
    return table in {"events", "webhook_deliveries"} and kind == "candidate.erased"


async def rows_mentioning(database: Database, *needles: str) -> list[str]:
    found = []
    async with database.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in (await connection.execute(select(table))).all():
                if _is_erasure_notice(table.name, dict(row._mapping)):
                    continue
                text = repr(tuple(row))
                if any(needle in text for needle in needles):
                    found.append(f"{table.name}: {text[:120]}")
    return found


async def test_erasure_removes_every_row_about_the_candidate(
    api: httpx.AsyncClient, database: Database
) -> None:
    candidate = (
        await api.post("/v1/candidates", json=ALEX, headers={"Idempotency-Key": "erase-me"})
    ).json()
    await api.patch(f"/v1/candidates/{candidate['id']}", json={"display_name": "Alex Erased"})
    keeper = (await api.post("/v1/candidates", json={**ALEX, "external_ref": "keep"})).json()
    needles = (candidate["id"], ALEX["email"], ALEX["external_ref"])
    assert await rows_mentioning(database, *needles)

    assert (await api.delete(f"/v1/candidates/{candidate['id']}")).status_code == 204

    assert await rows_mentioning(database, candidate["id"], ALEX["external_ref"]) == []
    assert (await api.get(f"/v1/candidates/{keeper['id']}")).status_code == 200
    assert (await api.get(f"/v1/candidates/{candidate['id']}")).status_code == 404
    # The idempotency key no longer replays the erased candidate.
    again = await api.post("/v1/candidates", json=ALEX, headers={"Idempotency-Key": "erase-me"})
    assert again.status_code == 201
    assert again.json()["id"] != candidate["id"]
