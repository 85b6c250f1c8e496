"""The export shows every table that holds a candidate's data, and erasure empties each."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Table, select

from app.core.database import Database
from app.core.models import metadata
from tests.access.test_coaches import _coach, _grant
from tests.access.world import make_person
from tests.candidates.test_erasure import rows_mentioning
from tests.tenants import as_person, mint_token

pytestmark = pytest.mark.anyio

# Where each table's rows about the candidate are in the export (`[]`: in each element).
EXPORTED = {
    "candidates": "candidate",
    "sessions": "sessions",
    "action_items": "sessions[].action_items",
    "diagnoses": "sessions[].diagnoses",
    "messages": "sessions[].messages",
    "follow_ups": "sessions[].follow_ups",
    "events": "events",
    "grants": "grants",
    "access_log": "access_log",
    "calendar_feeds": "calendar_feed",
}
# Tables about a candidate the export leaves out, and why. Erasure empties them all the same.
NOT_EXPORTED = {
    # The events (exported) as pushed to the organisation's own webhook endpoints, with each
    # attempt's HTTP status: the organisation's delivery plumbing, no new fact about anyone.
    "webhook_deliveries": "copies of exported events, with delivery attempts",
    # A creating POST's first response, kept 24 hours to replay to a retry with the same
    # key: a copy of a resource the export already shows, as it was then.
    "idempotency_records": "stored responses for retries, copies of exported resources",
}
# Columns that name a candidate (or one of their sessions) without a foreign key.
PERSON_COLUMNS = {"candidate_id", "session_id", "subject_id"}


def tables_about_candidates() -> set[str]:
    """The candidates table, any table with a column naming a candidate or a session, and
    any table with a foreign key to one of those (to a fixed point)."""
    found = {"candidates"} | {
        table.name for table in metadata.sorted_tables if PERSON_COLUMNS & set(table.c.keys())
    }
    grew = True
    while grew:
        grew = False
        for table in metadata.sorted_tables:
            if table.name not in found and any(
                key.column.table.name in found for key in table.foreign_keys
            ):
                found.add(table.name)
                grew = True
    return found


def test_every_table_about_a_candidate_is_exported_or_excused() -> None:
    assert not set(EXPORTED) & set(NOT_EXPORTED)
    assert tables_about_candidates() == set(EXPORTED) | set(NOT_EXPORTED), (
        "a new table holds candidates' data: add it to the export (app/exports) and to "
        "EXPORTED, or say in NOT_EXPORTED why it is left out"
    )


def _at(document: Any, path: str) -> list[Any]:
    """The objects at `path` (`sessions[].events`), lists flattened, nulls left out."""
    nodes = [document]
    for step in path.split("."):
        values = [node[step.removesuffix("[]")] for node in nodes]
        nodes = [
            item for value in values for item in (value if isinstance(value, list) else [value])
        ]
    return [node for node in nodes if node is not None]


async def _ids_about(database: Database, table: Table, *needles: str) -> set[str]:
    async with database.engine.connect() as connection:
        rows = (await connection.execute(select(table))).mappings().all()
    return {
        row["id"]
        for row in rows
        if any(row.get(column) in needles for column in ("id", *PERSON_COLUMNS))
    }


async def test_the_export_shows_every_row_and_erasure_removes_it(
    api: httpx.AsyncClient, client: httpx.AsyncClient, database: Database
) -> None:
    x = await make_person(api, "x")
    other = await make_person(api, "y")
    coach = await _coach(api)
    await _grant(api, x.candidate, coach, "read", "comment")
    assert (await api.post(f"/v1/candidates/{x.candidate}/calendar-feed")).status_code == 201
    async with as_person(client, await mint_token(api, coach)) as coaching:
        assert (await coaching.get(f"/v1/sessions/{x.session}")).status_code == 200
        by_coach = await coaching.get(f"/v1/candidates/{x.candidate}/export")
    assert by_coach.status_code == 200, by_coach.text
    # A coach never sees who else may see the candidate's data.
    assert by_coach.json()["grants"] is None
    assert by_coach.json()["access_log"] is None

    response = await api.get(f"/v1/candidates/{x.candidate}/export")
    assert response.status_code == 200, response.text
    export = response.json()
    for table_name, path in EXPORTED.items():
        shown = _at(export, path)
        assert shown, f"{table_name}: nothing at {path}"
        table = metadata.tables[table_name]
        if "id" in table.c:
            stored = await _ids_about(database, table, x.candidate, x.session)
            assert stored == {item["id"] for item in shown}, table_name
    (session,) = export["sessions"]
    (diagnosis,) = session["diagnoses"]
    assert diagnosis["verdict"]["primary_category"]
    assert diagnosis["verdict"]["next_steps"]
    (message,) = session["messages"]
    assert message["subject"]
    assert message["text"]
    assert [entry["path"] for entry in export["access_log"]] == [
        "/v1/sessions/{session_id}",
        "/v1/candidates/{candidate_id}/export",
    ]
    # That there is a feed, never its address (only the hash of its token is stored).
    assert set(export["calendar_feed"]) == {"created_at"}
    # Nothing about anyone else.
    assert other.candidate not in response.text
    assert other.session not in response.text

    async with as_person(client, await mint_token(api, x.candidate)) as alex:
        own = (await alex.get(f"/v1/candidates/{x.candidate}/export")).json()
    assert {**own, "exported_at": None} == {**export, "exported_at": None}

    assert (await api.delete(f"/v1/candidates/{x.candidate}")).status_code == 204
    assert await rows_mentioning(database, x.candidate, x.session) == []
    assert (await api.get(f"/v1/candidates/{other.candidate}/export")).status_code == 200
