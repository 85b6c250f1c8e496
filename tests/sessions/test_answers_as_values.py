"""PUT answers reads the session as values and writes it by one statement (on PostgreSQL
straight through asyncpg, app/core/owned_row_writes): against the previous path (the ORM
instance, `update_with_events`, the unit of work for reactions), kept here as it was, the
same responses byte for byte and the same stored session and events, on both stores; two
round trips and no session on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import database as database_module
from app.core import outbox, owned_row_writes
from app.core.concurrency import flush_changes
from app.core.database import Database, SessionOnDemand, opened, start_transaction
from app.core.etags import check_if_match
from app.core.outbox import emit_event
from app.core.reactions import is_reacted_to
from app.core.row_writes import update_with_events
from app.core.security import Principal
from app.question_sets import service as question_sets
from app.question_sets.answers import AnswerProblem, visible_report
from app.sessions import service
from app.sessions.models import ReflectionSession
from app.sessions.schemas import SessionStatus
from tests.databases import backend_name
from tests.sessions.conftest import SESSION
from tests.sessions.test_driver_reads import round_trips
from tests.tenants import as_person, mint_token

pytestmark = pytest.mark.anyio

ON_POSTGRESQL = backend_name() == "postgresql"


async def _previous_put_answers(
    session: AsyncSession,
    caller: Principal,
    session_id: str,
    answers: dict[str, Any],
    if_match: str | None,
    *,
    feedback: bool,
) -> ReflectionSession:
    """`service.put_answers` as it was before the values path (main at 69b94f5)."""
    row = await service.get_session(session, caller, session_id)
    check_if_match(if_match, service.etag(row))
    service.ensure_not_closed(row)
    if feedback:
        key, version, stored = row.feedback_set_key, row.feedback_set_version, row.feedback_answers
    else:
        key, version, stored = row.reflection_set_key, row.reflection_set_version, row.answers
    compiled = await question_sets.compiled_version(session, caller, key, version)
    merged = {k: v for k, v in {**stored, **answers}.items() if v is not None}
    visible, report = visible_report(compiled, merged)
    shown = set(report.shown)
    for key, value in answers.items():
        if value is None or key in shown:
            continue
        if key in compiled.by_key:
            message, code = (
                "this question is not asked given your answers; leave it out",
                "not_shown",
            )
        else:
            message, code = "this set has no such question", "unknown_question"
        report.problems.append(AnswerProblem(f"/{key}", message, code))
    if report.problems:
        raise service._answer_problems(report)
    if merged == stored:
        return row
    now = service.utc_now()
    progress = service._progress(report)
    values: dict[str, Any] = (
        {"feedback_answers": merged, "feedback_progress": progress}
        if feedback
        else {"answers": merged, "reflection_progress": progress}
    )
    values["updated_at"] = now
    events = [
        service.timeline_event(
            row,
            "feedback_updated" if feedback else "answers_updated",
            {"keys": sorted(answers), "complete": report.complete},
        )
    ]
    target = None
    if not feedback and report.complete and row.status == SessionStatus.OPEN.value:
        target = SessionStatus.REFLECTED
    if feedback and visible and service._may_move(row, SessionStatus.FEEDBACK_RECEIVED):
        target = SessionStatus.FEEDBACK_RECEIVED
    if target is not None:
        moved, data = service._move_changes(service._Position.of(row), target, now, automatic=True)
        values.update(moved)
        events.append(service.timeline_event(row, "status_changed", data))
    if not any(is_reacted_to(event.type) for event in events):
        at = values["updated_at"]
        await update_with_events(
            session, row, values, events, at=at, noun="session", if_match=if_match
        )
        return row
    await start_transaction(session)
    for name, value in values.items():
        setattr(row, name, value)
    for event in events:
        emit_event(session, row.organization_id, event)
    await flush_changes(session, "session", if_match)
    return row


async def _through_the_previous_path(
    session: AsyncSession | SessionOnDemand,
    caller: Principal,
    session_id: str,
    answers: dict[str, Any],
    if_match: str | None,
    *,
    feedback: bool,
) -> tuple[dict[str, Any], str]:
    row = await _previous_put_answers(
        await opened(session), caller, session_id, answers, if_match, feedback=feedback
    )
    return service.document(row), service.etag(row)


class _Clock:
    """`utc_now` that moves a millisecond a call, from the same start for each path."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> datetime:
        self.calls += 1
        return datetime(2026, 12, 3, 9, 0, tzinfo=UTC) + timedelta(milliseconds=self.calls)


@contextmanager
def _clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    clock = _Clock()
    with monkeypatch.context() as patched:
        patched.setattr(service, "utc_now", clock)
        patched.setattr(outbox, "utc_now", clock)
        yield


FULL = {
    "wanted_job": True,
    "wow_self_rating": 2,
    "articulated_fit": False,
    "interviewer_signals": ["bored"],
    "enthusiasm": 4,
    "had_advocate": True,
}

# (client, method, path after the session's URL, body, If-Match)
STEPS: list[tuple[str, str, str, Any, str | None]] = [
    (
        "key",
        "PUT",
        "/answers",
        {"answers": {"feeling": 2, "played_well": 'Ça — 面试 \u2028 "q"'}},
        None,
    ),
    ("key", "PUT", "/answers", {"answers": {"feeling": 2}}, None),  # unchanged: no write
    ("key", "PUT", "/answers", {"answers": {"nope": 1}}, None),  # 422
    ("key", "PUT", "/answers", {"answers": {"enthusiasm": 3}}, '"1"'),  # 412
    ("token", "PUT", "/answers", {"answers": {"enthusiasm": 3}}, '"2"'),
    ("token", "PUT", "/answers", {"answers": {"enthusiasm": None}}, None),
    ("key", "PUT", "/answers", {"answers": FULL}, None),  # completes: reflected
    ("key", "PUT", "/interviewer-feedback", {"answers": {"stay_in_touch": True}}, None),
    ("key", "POST", "/transitions", {"to": "feedback_requested"}, None),
    # Moves the session on: FEEDBACK_RECEIVED has reactions (the unit of work's path).
    ("token", "PUT", "/interviewer-feedback", {"answers": {"right_opportunities": True}}, None),
    ("key", "PUT", "/interviewer-feedback", {"answers": {"stay_in_touch": False}}, '"8"'),
    ("key", "POST", "/transitions", {"to": "closed"}, None),
    ("key", "PUT", "/answers", {"answers": {"enthusiasm": 1}}, None),  # 409: closed
]

_SESSION_ROW = text("SELECT * FROM sessions WHERE id = :id")
_EVENT_ROWS = text(
    "SELECT type, candidate_id, session_id, data, created_at, dispatched_at "
    "FROM events WHERE session_id = :id ORDER BY id"
)


def _body(response: httpx.Response, session_id: str) -> Any:
    """The body with the session's id replaced; a problem without its request's id."""
    document = json.loads(response.content.decode().replace(session_id, "SESSION"))
    if isinstance(document, dict):
        document.pop("request_id", None)
    return document


def _without_id(value: Any, session_id: str) -> Any:
    if isinstance(value, dict):  # PostgreSQL's driver decodes JSON, SQLite's gives text
        value = json.dumps(value)
    return value.replace(session_id, "SESSION") if isinstance(value, str) else value


async def _stored(database: Database, session_id: str) -> tuple[Any, list[Any]]:
    """What the store holds, as its driver returns it, the session's id replaced."""

    def same_id(value: Any) -> Any:
        return "SESSION" if value == session_id else value

    async with database.sessionmaker() as session:
        row = (await session.execute(_SESSION_ROW, {"id": session_id})).mappings().one()
        events = (await session.execute(_EVENT_ROWS, {"id": session_id})).all()
    stored_row = {name: same_id(value) for name, value in row.items()}
    stored_events = [tuple(_without_id(value, session_id) for value in event) for event in events]
    return stored_row, stored_events


async def _run(
    api: httpx.AsyncClient, client: httpx.AsyncClient, candidate_id: str
) -> tuple[str, list[tuple[int, str | None, Any]]]:
    created = await api.post("/v1/sessions", json={**SESSION, "candidate_id": candidate_id})
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    url = f"/v1/sessions/{session_id}"
    answered = []
    async with as_person(client, await mint_token(api, candidate_id)) as person:
        clients = {"key": api, "token": person}
        for who, method, path, body, if_match in STEPS:
            headers = {"If-Match": if_match} if if_match else {}
            response = await clients[who].request(method, url + path, json=body, headers=headers)
            answered.append(
                (response.status_code, response.headers.get("etag"), _body(response, session_id))
            )
        missing = await api.put(
            "/v1/sessions/ses_0000000000000000000000000/answers", json={"answers": {}}
        )
        answered.append((missing.status_code, None, _body(missing, session_id)))
    return session_id, answered


async def test_the_values_path_answers_and_stores_what_the_previous_path_did(
    api: httpx.AsyncClient,
    client: httpx.AsyncClient,
    candidate: dict[str, Any],
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with _clock(monkeypatch):
        now_id, now_responses = await _run(api, client, candidate["id"])
    with _clock(monkeypatch):
        monkeypatch.setattr(service, "put_answers", _through_the_previous_path)
        then_id, then_responses = await _run(api, client, candidate["id"])
    assert [status for status, _, _ in now_responses] == [
        200, 200, 422, 412, 200, 200, 200, 200, 200, 200, 200, 200, 409, 404,
    ]  # fmt: skip
    assert now_responses[9][2]["status"] == "feedback_received"
    assert now_responses == then_responses
    stored = await _stored(database, now_id)
    assert stored == await _stored(database, then_id)
    assert len(stored[1]) == 12  # created, 4 answers, completed, 3 recorded, 3 moves


@contextmanager
def _checkouts() -> Iterator[list[int]]:
    taken: list[int] = []
    checked_out = owned_row_writes.checked_out

    def counted(*args: Any) -> Any:
        taken.append(1)
        return checked_out(*args)

    owned_row_writes.checked_out = counted  # type: ignore[assignment]
    try:
        yield taken
    finally:
        owned_row_writes.checked_out = checked_out


@contextmanager
def _sessions_opened() -> Iterator[list[int]]:
    opened_sessions: list[int] = []
    open_session = database_module._open_request_session

    async def counted(request: Any) -> Any:
        opened_sessions.append(1)
        return await open_session(request)

    database_module._open_request_session = counted  # type: ignore[assignment]
    try:
        yield opened_sessions
    finally:
        database_module._open_request_session = open_session


@pytest.mark.skipif(not ON_POSTGRESQL, reason="counts asyncpg's round trips")
async def test_a_cached_caller_puts_answers_in_two_round_trips_without_a_session(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    url = f"/v1/sessions/{session_['id']}/answers"
    for value in (1, 2):  # the key cached, both statements prepared on a pooled connection
        assert (await api.put(url, json={"answers": {"enthusiasm": value}})).status_code == 200
    with round_trips() as made, _checkouts() as taken, _sessions_opened() as sessions:
        response = await api.put(url, json={"answers": {"enthusiasm": 3}})
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"4"'
    assert len(made) == 2, made  # the read, then the UPDATE with its events' INSERT
    assert taken == [1]  # one pooled connection for both
    assert sessions == []  # no AsyncSession at all


async def test_a_custom_set_is_read_through_the_session_with_one_connection_at_a_time(
    api: httpx.AsyncClient, session_: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A set that is not built in is read through the session: the driver's connection is
    given back first, and the write then goes through the session."""
    monkeypatch.setattr(question_sets, "builtin_compiled", lambda _key, _version: None)
    url = f"/v1/sessions/{session_['id']}/answers"
    response = await api.put(url, json={"answers": {"enthusiasm": 3}})
    assert response.status_code == 200, response.text
    assert response.json()["self_reflection"]["answers"] == {"enthusiasm": 3}
    assert response.headers["etag"] == '"2"'
