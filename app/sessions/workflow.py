"""Where a session may go next: the outreach steps of the method, in order."""

from __future__ import annotations

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
