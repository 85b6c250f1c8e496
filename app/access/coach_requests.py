"""What a coach's token may do beyond reading, and the log of what it reads.

A coach reads everything about the candidates who granted it access (the scoping of every
lookup does that, through `Principal.candidate_ids`). It writes only where its grant says
`comment`, and then only action items and a session's notes: any other write on an object
it can see is a 403; on one it cannot see, the route's own 404.

Every request of a coach about a candidate's data adds one row to the access log: in the
request's own transaction when it writes; when it reads, on PostgreSQL as one statement of
its own (a reading request runs in autocommit: `INSERT … SELECT` finds the candidate and
writes the row in one round trip), on SQLite in a short transaction of its own, taken in
this process's turn to write.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from sqlalchemy import String, insert, literal
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.models import AccessLogEntry
from app.access.named_objects import candidate_of, named_object
from app.core import ids
from app.core.column_types import UTCDateTime
from app.core.database import Database, is_reading
from app.core.errors import Forbidden
from app.core.ids import utc_now
from app.core.request_context import current_request_id
from app.core.security import Principal

# Lists whose items are about candidates: a coach's page of them is logged for every
# candidate it can see. Every other path without an object (question sets, `/v1/me`) is
# not about a candidate. tests/access/test_coach_access_log.py classifies every list.
CANDIDATE_DATA_LISTS = frozenset({"/v1/candidates", "/v1/sessions", "/v1/events", "/v1/follow-ups"})
# (method, path) a `comment` grant allows.
COMMENT_OPERATIONS = frozenset(
    {
        ("POST", "/v1/sessions/{session_id}/action-items"),
        ("PATCH", "/v1/sessions/{session_id}/action-items/{item_id}"),
        ("PATCH", "/v1/sessions/{session_id}"),
    }
)
# A session's fields a coach may change: only its notes.
COMMENTABLE_SESSION_FIELDS = frozenset({"notes"})
MAX_RESOURCE_ID_LENGTH = 64


def _path(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "path", request.url.path))


def _operation(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "name", request.method))[:100]


async def _is_comment(request: Request) -> bool:
    operation = (request.method, _path(request))
    if operation not in COMMENT_OPERATIONS:
        return False
    if operation == ("PATCH", "/v1/sessions/{session_id}"):
        try:
            body = json.loads(await request.body())
        except ValueError:
            return False
        return isinstance(body, dict) and set(body) <= COMMENTABLE_SESSION_FIELDS
    return True


async def _check_write(request: Request, session: AsyncSession, caller: Principal) -> str | None:
    """The candidate the write is about, once allowed; None where the route will 404."""
    named = named_object(request.path_params)
    if named is None:
        raise Forbidden("A coach can read what candidates share with them, not create this.")
    candidate_id: str | None = await session.scalar(candidate_of(*named, caller))
    if candidate_id is None:
        return None
    if candidate_id not in caller.commentable_ids:
        raise Forbidden("This candidate allowed this coach to read, not to make changes.")
    if not await _is_comment(request):
        raise Forbidden(
            "A coach may add and change next steps and a session's notes, nothing else."
        )
    return candidate_id


def _resource_id(request: Request) -> str | None:
    values = [value for value in request.path_params.values() if isinstance(value, str)]
    return values[-1][:MAX_RESOURCE_ID_LENGTH] if values else None


def _entry(request: Request, caller: Principal, candidate_id: str) -> dict[str, Any]:
    now = utc_now()
    return {
        "id": ids.ACCESS_LOG_ENTRY.new(now),
        "organization_id": caller.organization_id,
        "candidate_id": candidate_id,
        "coach_id": caller.subject,
        "method": request.method,
        "operation": _operation(request),
        "path_template": _path(request)[:200],
        "resource_id": _resource_id(request),
        "request_id": current_request_id(),
        "at": now,
    }


def _log_statements(
    request: Request, caller: Principal, written_for: str | None
) -> list[tuple[Any, Any]]:
    """The statements (with their parameters) that log this request; none when it is not
    about a candidate's data."""
    table: Any = AccessLogEntry.__table__
    if written_for is not None:
        return [(insert(table), _entry(request, caller, written_for))]
    named = named_object(request.path_params)
    if named is not None:
        entry = _entry(request, caller, "")
        del entry["candidate_id"]
        values = [
            literal(value, UTCDateTime() if name == "at" else String())
            for name, value in entry.items()
        ]
        chosen = candidate_of(*named, caller, *values)
        return [(insert(table).from_select(["candidate_id", *entry], chosen), None)]
    if request.method == "GET" and _path(request) in CANDIDATE_DATA_LISTS:
        rows = [
            _entry(request, caller, candidate) for candidate in sorted(caller.candidate_ids or ())
        ]
        return [(insert(table), rows)] if rows else []
    return []


async def _run(session: AsyncSession, statements: list[tuple[Any, Any]]) -> None:
    for statement, parameters in statements:
        if parameters is None:
            await session.execute(statement)
        else:
            await session.execute(statement, parameters)


async def admit_coach(
    request: Request, session: AsyncSession, caller: Principal, *, writes: bool
) -> None:
    """Refuse what the coach's grants do not allow; log what it reads or writes."""
    written_for = await _check_write(request, session, caller) if writes else None
    statements = _log_statements(request, caller, written_for)
    if not statements:
        return
    database: Database = request.app.state.database
    if not is_reading(request) or not database.is_sqlite:
        await _run(session, statements)
        return
    async with database.sqlite_write_turn(), database.sessionmaker() as side, side.begin():
        await _run(side, statements)
