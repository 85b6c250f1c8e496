"""Where a session may go next: the outreach steps of the method, in order."""

from __future__ import annotations

from babel.lists import format_list

from app.sessions.schemas import SessionStatus as S

NEXT: dict[S, tuple[S, ...]] = {
    S.OPEN: (S.REFLECTED, S.CLOSED),
    S.REFLECTED: (S.FEEDBACK_REQUESTED, S.CLOSED),
    # The interviewer may answer the request by email, without a call.
    S.FEEDBACK_REQUESTED: (S.CALL_SCHEDULED, S.FEEDBACK_RECEIVED, S.CLOSED),
    # Rescheduling the call is moving to call_scheduled again; cancelling it is moving
    # back to feedback_requested (the request stands; its date does not change).
    S.CALL_SCHEDULED: (S.CALL_SCHEDULED, S.FEEDBACK_REQUESTED, S.FEEDBACK_RECEIVED, S.CLOSED),
    S.FEEDBACK_RECEIVED: (S.CLOSED,),
    S.CLOSED: (),
}

# The column that records when each status was reached.
STAMP: dict[S, str] = {
    S.REFLECTED: "reflected_at",
    S.FEEDBACK_REQUESTED: "feedback_requested_at",
    S.CALL_SCHEDULED: "call_scheduled_for",
    S.FEEDBACK_RECEIVED: "feedback_received_at",
    S.CLOSED: "closed_at",
}


def allowed_from(status: S) -> tuple[S, ...]:
    return NEXT[status]


def is_call_cancellation(source: S, target: S) -> bool:
    return source is S.CALL_SCHEDULED and target is S.FEEDBACK_REQUESTED


# How a person reads each status (the codes stay in `allowed` and `status`).
STATUS_NAMES: dict[S, str] = {
    S.OPEN: "open",
    S.REFLECTED: "reflected on",
    S.FEEDBACK_REQUESTED: "feedback requested",
    S.CALL_SCHEDULED: "call scheduled",
    S.FEEDBACK_RECEIVED: "feedback received",
    S.CLOSED: "closed",
}


def refused_move(current: S, target: S, allowed: list[S], unanswered: int | None) -> str:
    """Why a session cannot move to `target`, in words: `unanswered` is the number of
    required questions left when the self-reflection is what stands in the way."""
    detail = f"This session is at \u201c{STATUS_NAMES[current]}\u201d and cannot move to "
    detail += f"\u201c{STATUS_NAMES[target]}\u201d now"
    if unanswered is not None:
        questions = "question is" if unanswered == 1 else "questions are"
        detail += (
            f": the self-reflection is not complete yet ({unanswered} required {questions} "
            "still unanswered; this problem lists them)"
        )
    if not allowed:
        return detail + "."
    names = [f"\u201c{STATUS_NAMES[s]}\u201d" for s in allowed]
    return f"{detail}. It can move to {format_list(names, style='or', locale='en')}."
