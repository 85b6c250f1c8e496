"""Reflection sessions: facts, answers, outreach status and the timeline of changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import Any, NamedTuple

from pydantic import ValidationError
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.candidates.models import Candidate
from app.core import ids
from app.core.concurrency import flush_changes, lost_race
from app.core.database import SessionOnDemand, start_transaction
from app.core.errors import (
    Conflict,
    FieldProblem,
    NotFound,
    ValidationFailed,
)
from app.core.etags import check_if_match, etag_for
from app.core.event_types import TIMELINE_KINDS, EventType, timeline_type
from app.core.ids import utc_now
from app.core.lookup import find_owned, get_owned, get_owned_row, visible, visible_rows
from app.core.merge_patch import apply_merge_patch
from app.core.outbox import StreamEvent, emit, emit_event
from app.core.outbox_models import OutboxEvent
from app.core.owned_row_writes import OwnedRowWrite, owned_row_write
from app.core.pagination import Documents, Page, PageRequest, paginate, paginate_documents
from app.core.reactions import is_reacted_to
from app.core.security import Principal
from app.i18n.formatting import english_count
from app.i18n.locales import LocaleUnavailable, builtin_locale
from app.i18n.problems import LocaleNotAvailable
from app.question_sets import service as question_sets
from app.question_sets.answers import AnswerProblem, AnswerReport, check_answers, visible_report
from app.question_sets.compiled import CompiledQuestionSet
from app.question_sets.definition import PURPOSE_NAMES, Purpose
from app.question_sets.schemas import QuestionSetStatus
from app.sessions.models import ReflectionSession
from app.sessions.schemas import (
    Interviewer,
    Outcome,
    Posting,
    SessionCreate,
    SessionEventRead,
    SessionRead,
    SessionStatus,
    SessionUpdate,
    SetPin,
    Stage,
    Transition,
)
from app.sessions.workflow import STAMP, allowed_from, is_call_cancellation, refused_move

REFLECTION_DEFAULT = "self-reflection"
FEEDBACK_DEFAULT = "interviewer-feedback"


def etag(row: ReflectionSession) -> str:
    return etag_for(row.revision)


def _split(answers: dict[str, Any], progress: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """The answers to questions shown, and those kept for questions a changed answer hides."""
    if not answers:
        return {}, {}
    shown = set(progress.get("shown", ()))
    if shown.issuperset(answers):  # the usual case: nothing kept aside, no key tested twice
        return dict(answers), {}
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


_COLUMNS = tuple(column.key for column in ReflectionSession.__table__.c)
# The columns a session's document shows, in the order `_document` takes them.
_SHOWN = (
    "id",
    "candidate_id",
    "company",
    "role_title",
    "posting",
    "stage_reached",
    "interview_date",
    "decision_date",
    "outcome",
    "stated_reason",
    "interviewer",
    "notes",
    "locale",
    "status",
    "created_at",
    "reflected_at",
    "feedback_requested_at",
    "call_scheduled_for",
    "call_cancelled_at",
    "feedback_received_at",
    "closed_at",
    "reflection_set_key",
    "reflection_set_version",
    "answers",
    "reflection_progress",
    "feedback_set_key",
    "feedback_set_version",
    "feedback_answers",
    "feedback_progress",
    "updated_at",
)
# One C call picks them all, from a dict by name or from a row (the table's columns in
# their order, as the list selects them) by position.
_SHOWN_BY_NAME = itemgetter(*_SHOWN)
_SHOWN_BY_POSITION = itemgetter(*(_COLUMNS.index(name) for name in _SHOWN))


def document(row: ReflectionSession) -> dict[str, Any]:
    return _document(tuple(getattr(row, name) for name in _SHOWN))


def listed_document(row: Sequence[Any]) -> dict[str, Any]:
    return _document(_SHOWN_BY_POSITION(row))


def document_of(row: dict[str, Any]) -> dict[str, Any]:
    return _document(_SHOWN_BY_NAME(row))


def _document(values: tuple[Any, ...]) -> dict[str, Any]:
    """The session as `SessionRead` serialises it, built straight from its columns (`_SHOWN`):
    what was stored was checked on the way in, so reads need not check it again (the hot
    path; 50 times a list page)."""
    (
        id_,
        candidate_id,
        company,
        role_title,
        posting,
        stage_reached,
        interview_date,
        decision_date,
        outcome,
        stated_reason,
        interviewer,
        notes,
        locale,
        status,
        created_at,
        reflected_at,
        feedback_requested_at,
        call_scheduled_for,
        call_cancelled_at,
        feedback_received_at,
        closed_at,
        reflection_set_key,
        reflection_set_version,
        answers,
        reflection_progress,
        feedback_set_key,
        feedback_set_version,
        feedback_answers,
        feedback_progress,
        updated_at,
    ) = values
    return {
        "id": id_,
        "candidate_id": candidate_id,
        "company": company,
        "role_title": role_title,
        "posting": posting,
        "stage_reached": stage_reached,
        "interview_date": interview_date,
        "decision_date": decision_date,
        "outcome": outcome,
        "stated_reason": stated_reason,
        "interviewer": interviewer,
        "notes": notes,
        "locale": locale,
        "status": status,
        "timeline": {
            "created_at": created_at,
            "reflected_at": reflected_at,
            "feedback_requested_at": feedback_requested_at,
            "call_scheduled_for": call_scheduled_for,
            "call_cancelled_at": call_cancelled_at,
            "feedback_received_at": feedback_received_at,
            "closed_at": closed_at,
        },
        "self_reflection": _part(
            reflection_set_key, reflection_set_version, answers, reflection_progress
        ),
        "interviewer_feedback": _part(
            feedback_set_key, feedback_set_version, feedback_answers, feedback_progress
        ),
        "updated_at": updated_at,
    }


def read(row: ReflectionSession) -> SessionRead:
    return SessionRead.model_validate(document(row))


# What the stream adds to a timeline row's data (`record`), left out when it is read back.
_STREAM_KEYS = frozenset({"session_id", "candidate_id"})
TIMELINE_TYPES = sorted(TIMELINE_KINDS)


def read_event(event: OutboxEvent) -> SessionEventRead:
    """A timeline row, read from the organisation's event stream."""
    return SessionEventRead(
        id=event.id,
        kind=TIMELINE_KINDS[event.type],
        data={k: v for k, v in event.data.items() if k not in _STREAM_KEYS},
        created_at=event.created_at,
    )


def timeline_event(
    row: ReflectionSession | dict[str, Any], kind: str, data: dict[str, Any]
) -> StreamEvent:
    """The change `kind` to the session (an instance, or its values), as the event its
    timeline shows."""
    if isinstance(row, dict):
        session_id: str = row["id"]
        candidate_id: str = row["candidate_id"]
    else:
        session_id, candidate_id = row.id, row.candidate_id
    return StreamEvent(
        timeline_type(kind, data),
        {"session_id": session_id, "candidate_id": candidate_id, **data},
        candidate_id=candidate_id,
        session_id=session_id,
    )


def record(session: AsyncSession, row: ReflectionSession, kind: str, data: dict[str, Any]) -> None:
    """Add the change to the session's timeline, which is the organisation's event stream
    (the webhook outbox) read by session."""
    emit_event(session, row.organization_id, timeline_event(row, kind, data))


async def _pinned_set(
    session: AsyncSession,
    caller: Principal,
    pin: SetPin | None,
    default_key: str,
    purpose: Purpose,
    pointer: str,
) -> tuple[str, int, CompiledQuestionSet]:
    def invalid(detail: str) -> ValidationFailed:
        return ValidationFailed(
            detail, errors=[FieldProblem(pointer=pointer, detail=detail, code="set")]
        )

    try:
        if pin is None:
            view = await question_sets.get_latest(session, caller, default_key)
        else:
            view = await question_sets.get_version(session, caller, pin.key, pin.version)
    except NotFound as exc:
        raise invalid(exc.detail) from None
    if view.status is not QuestionSetStatus.PUBLISHED:
        raise invalid(f"Version {view.version} of {view.key!r} is {view.status}, not published.")
    if view.content.purpose is not purpose:
        raise invalid(
            f"{view.key!r} is {PURPOSE_NAMES[view.content.purpose]} question set, "
            f"not {PURPOSE_NAMES[purpose]} one."
        )
    compiled = await question_sets.compiled_version(session, caller, view.key, view.version)
    return view.key, view.version, compiled


def _speakable(locale: str | None) -> str | None:
    """A session's locale must be one Debrief writes in (422 listing them otherwise)."""
    if locale is None:
        return None
    try:
        builtin_locale(locale)
    except LocaleUnavailable as exc:
        raise LocaleNotAvailable.of(exc, "/body/locale") from None
    return locale


def _progress(report: AnswerReport) -> dict[str, Any]:
    """`Progress.of(report)` as JSON, built directly (a write's hot path)."""
    return {
        "shown": list(report.shown),
        "answered": list(report.answered),
        "missing_required": list(report.missing_required),
        "complete": report.complete,
    }


async def create_session(
    session: AsyncSession, caller: Principal, data: SessionCreate
) -> ReflectionSession:
    candidate = await find_owned(session, Candidate, ids.CANDIDATE, data.candidate_id, caller)
    if candidate is None:
        raise ValidationFailed(
            f"No candidate with id {data.candidate_id}.",
            errors=[FieldProblem(pointer="/body/candidate_id", detail="unknown", code="unknown")],
        )
    reflection = await _pinned_set(
        session,
        caller,
        data.self_reflection_set,
        REFLECTION_DEFAULT,
        Purpose.SELF_REFLECTION,
        "/body/self_reflection_set",
    )
    feedback = await _pinned_set(
        session,
        caller,
        data.interviewer_feedback_set,
        FEEDBACK_DEFAULT,
        Purpose.INTERVIEWER_FEEDBACK,
        "/body/interviewer_feedback_set",
    )
    now = utc_now()
    row = ReflectionSession(
        id=ids.SESSION.new(now),
        organization_id=caller.organization_id,
        candidate_id=data.candidate_id,
        company=data.company,
        role_title=data.role_title,
        posting=data.posting.model_dump(mode="json"),
        stage_reached=data.stage_reached.value,
        interview_date=data.interview_date,
        decision_date=data.decision_date,
        outcome=data.outcome.value,
        stated_reason=data.stated_reason,
        interviewer=data.interviewer.model_dump(mode="json"),
        notes=data.notes,
        locale=_speakable(data.locale),
        status=SessionStatus.OPEN.value,
        call_sequence=0,
        reflection_set_key=reflection[0],
        reflection_set_version=reflection[1],
        feedback_set_key=feedback[0],
        feedback_set_version=feedback[1],
        answers={},
        reflection_progress=_progress(check_answers(reflection[2], {})),
        feedback_answers={},
        feedback_progress=_progress(check_answers(feedback[2], {})),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    record(session, row, "created", {"company": row.company, "role_title": row.role_title})
    await session.flush()
    return row


async def get_session(
    session: AsyncSession, caller: Principal, session_id: str
) -> ReflectionSession:
    return await get_owned(session, ReflectionSession, ids.SESSION, session_id, caller, "session")


async def get_session_document(
    session: AsyncSession, caller: Principal, session_id: str
) -> tuple[dict[str, Any], str]:
    """The session's document and ETag, read as columns (the read-only hot path)."""
    row = await get_owned_row(
        session, ReflectionSession, ids.SESSION, session_id, caller, "session"
    )
    return document_of(row), etag_for(row["revision"])


async def list_sessions(
    session: AsyncSession,
    caller: Principal,
    page: PageRequest,
    *,
    candidate_id: str | None = None,
    status: SessionStatus | None = None,
    outcome: Outcome | None = None,
    company: str | None = None,
    stage: Stage | None = None,
    decided_from: date | None = None,
    decided_to: date | None = None,
) -> Documents:
    statement, prebuilt = visible_rows(ReflectionSession, caller)
    parameters: dict[str, Any] | None = prebuilt
    filtered = (candidate_id, status, outcome, company, stage, decided_from, decided_to)
    if not prebuilt or any(value is not None for value in filtered):
        # Filters build their own statement; the unfiltered list binds the prebuilt one.
        statement = select(*ReflectionSession.__table__.c).where(
            *visible(ReflectionSession, caller)
        )
        parameters = None
    if candidate_id is not None:
        statement = statement.where(ReflectionSession.candidate_id == candidate_id)
    if status is not None:
        statement = statement.where(ReflectionSession.status == status.value)
    if outcome is not None:
        statement = statement.where(ReflectionSession.outcome == outcome.value)
    if company is not None:
        statement = statement.where(ReflectionSession.company == company)
    if stage is not None:
        statement = statement.where(ReflectionSession.stage_reached == stage.value)
    if decided_from is not None:
        statement = statement.where(ReflectionSession.decision_date >= decided_from)
    if decided_to is not None:
        statement = statement.where(ReflectionSession.decision_date <= decided_to)
    return await paginate_documents(
        session,
        statement,
        ReflectionSession.id,
        page,
        "sessions",
        listed_document,
        parameters=parameters,
    )


def _merged(
    model: type[Posting] | type[Interviewer], current: dict[str, Any], patch: Any, name: str
) -> dict[str, Any]:
    merged = apply_merge_patch(current, patch) if patch is not None else {}
    try:
        return model.model_validate(merged).model_dump(mode="json")
    except ValidationError as exc:
        raise ValidationFailed(
            f"The {name} is not valid after the merge.",
            errors=[
                FieldProblem.of_pydantic(
                    "/body/" + "/".join([name, *(str(p) for p in error["loc"])]), error
                )
                for error in exc.errors()
            ],
        ) from None


CLOSED_IS_FINAL = (
    "The session is closed, and a closed session is read-only: it cannot be reopened. "
    "Start a new session for a new application."
)


def ensure_not_closed(row: ReflectionSession) -> None:
    """A closed session is history: nothing about it changes any more."""
    _ensure_not_closed(row.status)


def _ensure_not_closed(status: str) -> None:
    if status == SessionStatus.CLOSED.value:
        raise Conflict(CLOSED_IS_FINAL, extensions={"allowed": []})


async def update_session(
    session: AsyncSession,
    caller: Principal,
    session_id: str,
    patch: SessionUpdate,
    if_match: str | None,
) -> ReflectionSession:
    row = await get_session(session, caller, session_id)
    check_if_match(if_match, etag(row))
    ensure_not_closed(row)
    changes = patch.model_dump(mode="json", exclude_unset=True)
    if "posting" in changes:
        changes["posting"] = _merged(Posting, row.posting, changes["posting"], "posting")
    if "interviewer" in changes:
        changes["interviewer"] = _merged(
            Interviewer, row.interviewer, changes["interviewer"], "interviewer"
        )
    if changes.get("locale") is not None:
        changes["locale"] = _speakable(changes["locale"])
    for name in ("interview_date", "decision_date"):
        if changes.get(name) is not None:
            changes[name] = date.fromisoformat(changes[name])
    changed = [name for name, value in changes.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, changes[name])
    if changed:
        row.updated_at = utc_now()
        record(session, row, "updated", {"fields": sorted(changed)})
        await flush_changes(session, "session", if_match)
    return row


async def delete_session(
    session: AsyncSession, caller: Principal, session_id: str, if_match: str | None
) -> None:
    row = await get_session(session, caller, session_id)
    check_if_match(if_match, etag(row))
    await session.delete(row)
    emit(
        session,
        caller.organization_id,
        EventType.SESSION_DELETED,
        {"session_id": row.id, "candidate_id": row.candidate_id},
        candidate_id=row.candidate_id,
        session_id=row.id,
    )
    await flush_changes(session, "session", if_match)


def _answer_problems(report: AnswerReport) -> ValidationFailed:
    return ValidationFailed(
        english_count(len(report.problems), "answer needs", "answers need")
        + " attention; nothing was saved.",
        errors=[
            FieldProblem(pointer="/body/answers" + p.pointer, detail=p.message, code=p.code)
            for p in report.problems
        ],
    )


async def put_answers(
    session: AsyncSession | SessionOnDemand,
    caller: Principal,
    session_id: str,
    answers: dict[str, Any],
    if_match: str | None,
    *,
    feedback: bool,
) -> tuple[dict[str, Any], str]:
    """Merge answers (null removes one), check the result against the pinned set, store.
    Returns the session's document and ETag.

    Answers to questions that a changed answer now hides are kept, outside progress and
    the diagnosis, so that changing it back restores them; only the answers sent in this
    request can make it a 422. The row is read as values and written by one statement
    (app/core/owned_row_writes: on PostgreSQL straight through the driver).
    """
    async with owned_row_write(session) as access:
        row = await access.read(ReflectionSession, ids.SESSION, session_id, caller, "session")
        await _put_answers(access, caller, row, answers, if_match, feedback=feedback)
    return document_of(row), etag_for(row["revision"])


async def _put_answers(
    access: OwnedRowWrite,
    caller: Principal,
    row: dict[str, Any],
    answers: dict[str, Any],
    if_match: str | None,
    *,
    feedback: bool,
) -> None:
    check_if_match(if_match, etag_for(row["revision"]))
    status: str = row["status"]
    _ensure_not_closed(status)
    if feedback:
        key, version = row["feedback_set_key"], row["feedback_set_version"]
        stored: dict[str, Any] = row["feedback_answers"]
    else:
        key, version = row["reflection_set_key"], row["reflection_set_version"]
        stored = row["answers"]
    compiled = question_sets.builtin_compiled(key, version)
    if compiled is None:
        compiled = await question_sets.compiled_version(
            await access.session(), caller, key, version
        )
    merged = {k: v for k, v in {**stored, **answers}.items() if v is not None}
    # The check of the visible answers, whose progress is stored too.
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
        raise _answer_problems(report)
    if merged == stored:
        return
    now = utc_now()
    progress = _progress(report)
    values: dict[str, Any] = (
        {"feedback_answers": merged, "feedback_progress": progress}
        if feedback
        else {"answers": merged, "reflection_progress": progress}
    )
    values["updated_at"] = now
    events = [
        timeline_event(
            row,
            "feedback_updated" if feedback else "answers_updated",
            {"keys": sorted(answers), "complete": report.complete},
        )
    ]
    target = None
    if not feedback and report.complete and status == SessionStatus.OPEN.value:
        target = SessionStatus.REFLECTED
    if feedback and visible and _may_move_from(status, SessionStatus.FEEDBACK_RECEIVED):
        # Recording what the interviewer said is the feedback arriving, as a sent
        # thank-you is: the session moves on where the workflow allows it.
        target = SessionStatus.FEEDBACK_RECEIVED
    if target is not None:
        position = _Position(status, row["call_sequence"], row["call_scheduled_for"])
        moved, data = _move_changes(position, target, now, automatic=True)
        values.update(moved)
        events.append(timeline_event(row, "status_changed", data))
    if not any(is_reacted_to(event.type) for event in events):
        # The change and its events as one statement.
        await access.write(
            _SESSIONS,
            "revision",
            row,
            values,
            events,
            at=values["updated_at"],
            noun="session",
            if_match=if_match,
        )
        return
    await _write_with_reactions(await access.session(), caller, row, values, events, if_match)


_SESSIONS: Table = ReflectionSession.__table__  # type: ignore[assignment]


async def _write_with_reactions(
    session: AsyncSession,
    caller: Principal,
    row: dict[str, Any],
    values: dict[str, Any],
    events: list[StreamEvent],
    if_match: str | None,
) -> None:
    """An event has reactions, which need the unit of work's transaction (a feedback that
    moves the session on): the session's instance, read again in that transaction, takes
    the change if it is still the version read first."""
    await start_transaction(session)
    instance = await find_owned(session, ReflectionSession, ids.SESSION, row["id"], caller)
    if instance is None or instance.revision != row["revision"]:
        raise lost_race("session", if_match)
    for name, value in values.items():
        setattr(instance, name, value)
    for event in events:
        emit_event(session, instance.organization_id, event)
    await flush_changes(session, "session", if_match)
    row.update(values)
    row["revision"] = instance.revision


class _Position(NamedTuple):
    """Where a session is in its workflow: what a move from there changes depends on."""

    status: str
    call_sequence: int
    call_scheduled_for: datetime | None

    @classmethod
    def of(cls, row: ReflectionSession) -> _Position:
        return cls(row.status, row.call_sequence, row.call_scheduled_for)


def _move_changes(
    row: _Position,
    target: SessionStatus,
    at: datetime,
    *,
    automatic: bool = False,
    call_at: datetime | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The columns a move to `target` changes, and its timeline row's data. `at` is when
    the move happened; a scheduled call's own time is `call_at`."""
    source = row.status
    values: dict[str, Any] = {"status": target.value}
    data: dict[str, Any] = {"from": source, "to": target.value, "at": at.isoformat()}
    if is_call_cancellation(SessionStatus(source), target):
        values["call_sequence"] = row.call_sequence + 1
        values["call_cancelled_at"] = at
        call_at = row.call_scheduled_for
    elif target is SessionStatus.CALL_SCHEDULED:
        if row.call_scheduled_for is not None:
            values["call_sequence"] = row.call_sequence + 1
        values["call_cancelled_at"] = None
        values["call_scheduled_for"] = call_at
    else:
        values[STAMP[target]] = at
    values["updated_at"] = utc_now()
    if call_at is not None:
        data["call_scheduled_for"] = call_at.isoformat()
    if automatic:
        data["automatic"] = True
    return values, data


def _move(
    session: AsyncSession,
    row: ReflectionSession,
    target: SessionStatus,
    at: datetime,
    *,
    automatic: bool = False,
    call_at: datetime | None = None,
) -> None:
    values, data = _move_changes(
        _Position.of(row), target, at, automatic=automatic, call_at=call_at
    )
    for name, value in values.items():
        setattr(row, name, value)
    record(session, row, "status_changed", data)


def _may_move(row: ReflectionSession, target: SessionStatus) -> bool:
    return _may_move_from(row.status, target)


def _may_move_from(status: str, target: SessionStatus) -> bool:
    return target in allowed_from(SessionStatus(status))


def advance(
    session: AsyncSession, row: ReflectionSession, target: SessionStatus, at: datetime
) -> bool:
    """Move to `target` as a consequence of something else (a message sent), if the
    workflow allows it from where the session is; False when it does not."""
    if not _may_move(row, target):
        return False
    _move(session, row, target, at, automatic=True)
    return True


async def transition(
    session: AsyncSession,
    caller: Principal,
    session_id: str,
    data: Transition,
    if_match: str | None,
) -> ReflectionSession:
    row = await get_session(session, caller, session_id)
    check_if_match(if_match, etag(row))
    current = SessionStatus(row.status)
    if current is SessionStatus.CLOSED:
        raise Conflict(CLOSED_IS_FINAL, extensions={"allowed": []})
    allowed = possible_moves(row)
    if data.to not in allowed:
        extensions: dict[str, Any] = {"allowed": [s.value for s in allowed]}
        unanswered = None
        if data.to is SessionStatus.REFLECTED and data.to in allowed_from(current):
            missing = row.reflection_progress.get("missing_required", [])
            unanswered = len(missing)
            extensions["missing_required"] = missing
        raise Conflict(refused_move(current, data.to, allowed, unanswered), extensions=extensions)
    moment = data.at or utc_now()
    call_at = None
    if data.to is SessionStatus.CALL_SCHEDULED:
        if data.call_scheduled_for is None:
            raise ValidationFailed(
                "Say when the call is.",
                errors=[
                    FieldProblem(
                        pointer="/body/call_scheduled_for", detail="required", code="missing"
                    )
                ],
            )
        call_at = data.call_scheduled_for
        if call_at <= utc_now():
            raise ValidationFailed(
                "The call is in the past: schedule it for a time to come.",
                errors=[
                    FieldProblem(
                        pointer="/body/call_scheduled_for",
                        detail="must be in the future",
                        code="past",
                    )
                ],
            )
    _move(session, row, data.to, moment, call_at=call_at)
    await flush_changes(session, "session", if_match)
    return row


def possible_moves(row: ReflectionSession) -> list[SessionStatus]:
    """The moves that would succeed now: the workflow's, less those the session is not
    ready for (it cannot be reflected before the self-reflection is complete)."""
    return [
        status
        for status in allowed_from(SessionStatus(row.status))
        if status is not SessionStatus.REFLECTED or row.reflection_progress.get("complete")
    ]


async def list_events(
    session: AsyncSession, caller: Principal, session_id: str, page: PageRequest
) -> Page[SessionEventRead]:
    row = await get_session(session, caller, session_id)
    statement = select(OutboxEvent).where(
        *visible(OutboxEvent, caller),
        OutboxEvent.session_id == row.id,
        OutboxEvent.type.in_(TIMELINE_TYPES),
    )
    return await paginate(
        session,
        statement,
        OutboxEvent.id,
        page,
        f"events:{row.id}",
        read_event,
    )
