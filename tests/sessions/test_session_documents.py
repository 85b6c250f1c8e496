"""The session documents the routes build by hand (app/sessions/service `_document`, from
a row by id, a page's rows, or an ORM instance) are what `SessionRead` holds, in the
order the API has always written them: the builder before it picked its columns by
position (kept below as the reference) wrote the same bytes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic_core import to_json
from sqlalchemy import select

from app.core.database import Database
from app.sessions import service
from app.sessions.models import ReflectionSession
from app.sessions.schemas import SessionRead
from tests.sessions.test_driver_reads import VARIANTS, _sessions, _vary

pytestmark = pytest.mark.anyio


def _split(answers: dict[str, Any], progress: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    shown = set(progress.get("shown", ()))
    return (
        {k: v for k, v in answers.items() if k in shown},
        {k: v for k, v in answers.items() if k not in shown},
    )


def _part(key: str, version: int, answers: dict[str, Any], progress: dict[str, Any]) -> Any:
    visible, hidden = _split(answers, progress)
    return {
        "question_set": {"key": key, "version": version},
        "answers": visible,
        "hidden_answers": hidden,
        "progress": progress,
    }


def reference(row: dict[str, Any]) -> dict[str, Any]:
    """The document as built before (commit 69b94f5), from the columns by name."""
    return {
        "id": row["id"],
        "candidate_id": row["candidate_id"],
        "company": row["company"],
        "role_title": row["role_title"],
        "posting": row["posting"],
        "stage_reached": row["stage_reached"],
        "interview_date": row["interview_date"],
        "decision_date": row["decision_date"],
        "outcome": row["outcome"],
        "stated_reason": row["stated_reason"],
        "interviewer": row["interviewer"],
        "notes": row["notes"],
        "locale": row["locale"],
        "status": row["status"],
        "timeline": {
            "created_at": row["created_at"],
            "reflected_at": row["reflected_at"],
            "feedback_requested_at": row["feedback_requested_at"],
            "call_scheduled_for": row["call_scheduled_for"],
            "call_cancelled_at": row["call_cancelled_at"],
            "feedback_received_at": row["feedback_received_at"],
            "closed_at": row["closed_at"],
        },
        "self_reflection": _part(
            row["reflection_set_key"],
            row["reflection_set_version"],
            row["answers"],
            row["reflection_progress"],
        ),
        "interviewer_feedback": _part(
            row["feedback_set_key"],
            row["feedback_set_version"],
            row["feedback_answers"],
            row["feedback_progress"],
        ),
        "updated_at": row["updated_at"],
    }


@pytest.mark.parametrize("variant", ["as created", *VARIANTS])
async def test_every_path_builds_the_documents_it_always_did(
    api: httpx.AsyncClient, database: Database, candidate: dict[str, Any], variant: str
) -> None:
    ids = await _sessions(api, candidate)
    if variant != "as created":
        await _vary(database, ids[1], VARIANTS[variant])
    async with database.sessionmaker() as session:
        rows = {
            row.id: row
            for row in await session.scalars(
                select(ReflectionSession).where(ReflectionSession.id.in_(ids))
            )
        }
        columns = {
            row.id: row._asdict()
            for row in await session.execute(
                select(*ReflectionSession.__table__.c).where(ReflectionSession.id.in_(ids))
            )
        }
    table_order = [column.key for column in ReflectionSession.__table__.c]
    for session_id in ids:
        expected = to_json(reference(columns[session_id]))
        assert to_json(service.document_of(columns[session_id])) == expected
        as_row = tuple(columns[session_id][name] for name in table_order)
        assert to_json(service.listed_document(as_row)) == expected
        assert to_json(service.document(rows[session_id])) == expected
        if variant == "as created":  # (the variants store partial progress)
            SessionRead.model_validate_json(expected)  # what the API document promises

    one = await api.get(f"/v1/sessions/{ids[1]}")
    assert one.content == to_json(reference(columns[ids[1]]))
    page = await api.get("/v1/sessions?limit=50")
    expected_page = {"items": [reference(columns[i]) for i in ids], "next_cursor": None}
    assert page.content == to_json(expected_page)
