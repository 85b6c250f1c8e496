"""The catalogue of event types every feature may emit: one name, one sentence each.

It lives in the core so that any feature can name an event without importing `events/`
(events flow against the features' import order, through the outbox table only).
"""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    CANDIDATE_CREATED = "candidate.created"
    CANDIDATE_UPDATED = "candidate.updated"
    CANDIDATE_ERASED = "candidate.erased"
    SESSION_CREATED = "session.created"
    SESSION_UPDATED = "session.updated"
    SESSION_DELETED = "session.deleted"
    SESSION_ANSWERS_UPDATED = "session.answers_updated"
    SESSION_STATUS_CHANGED = "session.status_changed"
    REFLECTION_COMPLETED = "reflection.completed"
    FEEDBACK_REQUESTED = "feedback.requested"
    CALL_SCHEDULED = "call.scheduled"
    CALL_CANCELLED = "call.cancelled"
    FEEDBACK_RECORDED = "feedback.recorded"
    FEEDBACK_RECEIVED = "feedback.received"
    SESSION_CLOSED = "session.closed"
    ACTION_ITEM_CREATED = "action_item.created"
    ACTION_ITEM_UPDATED = "action_item.updated"
    ACTION_ITEM_DELETED = "action_item.deleted"
    GRANT_CREATED = "grant.created"
    GRANT_REVOKED = "grant.revoked"
    DIAGNOSIS_CREATED = "diagnosis.created"
    MESSAGE_WRITTEN = "message.written"
    MESSAGE_SENT = "message.sent"
    FOLLOW_UP_DUE = "follow_up.due"
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint.disabled"
    WEBHOOK_TEST = "webhook.test"


_STATUS_MOVE = (
    "The session's status moved; `data`: `session_id`, `candidate_id`, `from`, `to`, `at` "
    "and `automatic` when another change caused it."
)

DESCRIPTIONS: dict[EventType, str] = {
    EventType.CANDIDATE_CREATED: "A candidate was added; `data`: `candidate_id`.",
    EventType.CANDIDATE_UPDATED: "A candidate changed; `data`: `candidate_id`, `fields`.",
    EventType.CANDIDATE_ERASED: "A candidate and everything about them were erased (their "
    "earlier events with them); `data`: `candidate_id`.",
    EventType.SESSION_CREATED: "A session was opened; `data`: `session_id`, `candidate_id`, "
    "`company`, `role_title`.",
    EventType.SESSION_UPDATED: "A session's facts changed; `data`: `session_id`, "
    "`candidate_id`, `fields`.",
    EventType.SESSION_DELETED: "A session was deleted; `data`: `session_id`, `candidate_id`.",
    EventType.SESSION_ANSWERS_UPDATED: "Self-reflection answers were saved; `data`: "
    "`session_id`, `candidate_id`, `keys`, `complete`.",
    EventType.SESSION_STATUS_CHANGED: _STATUS_MOVE + " (a move with no type of its own).",
    EventType.REFLECTION_COMPLETED: _STATUS_MOVE + " (to `reflected`).",
    EventType.FEEDBACK_REQUESTED: _STATUS_MOVE + " (to `feedback_requested`).",
    EventType.CALL_SCHEDULED: _STATUS_MOVE + " (to `call_scheduled`; `at` is the call).",
    EventType.CALL_CANCELLED: _STATUS_MOVE + " (from `call_scheduled` back to "
    "`feedback_requested`: the call was cancelled; `call_scheduled_for` is the call that "
    "will not happen).",
    EventType.FEEDBACK_RECEIVED: _STATUS_MOVE + " (to `feedback_received`).",
    EventType.SESSION_CLOSED: _STATUS_MOVE + " (to `closed`).",
    EventType.FEEDBACK_RECORDED: "The interviewer's answers were saved; `data`: `session_id`, "
    "`candidate_id`, `keys`, `complete`.",
    EventType.ACTION_ITEM_CREATED: "A next step was added; `data`: `session_id`, "
    "`candidate_id`, `action_item_id`, `text`.",
    EventType.ACTION_ITEM_UPDATED: "A next step changed; `data`: `session_id`, "
    "`candidate_id`, `action_item_id`, `fields`.",
    EventType.ACTION_ITEM_DELETED: "A next step was removed; `data`: `session_id`, "
    "`candidate_id`, `action_item_id`.",
    EventType.GRANT_CREATED: "A candidate gave a coach access to their data; `data`: "
    "`grant_id`, `candidate_id`, `coach_id`, `permissions`, `expires_at`, `granted_by`.",
    EventType.GRANT_REVOKED: "A coach's access to a candidate's data was withdrawn; `data`: "
    "`grant_id`, `candidate_id`, `coach_id`, `revoked_by`.",
    EventType.DIAGNOSIS_CREATED: "A session was diagnosed; `data`: `session_id`, "
    "`candidate_id`, `diagnosis_id` and the verdict's summary.",
    EventType.MESSAGE_WRITTEN: "A message was generated; `data`: `session_id`, "
    "`candidate_id`, `message_id`, `kind`.",
    EventType.MESSAGE_SENT: "A message was marked sent; `data`: `session_id`, "
    "`candidate_id`, `message_id`, `kind`.",
    EventType.FOLLOW_UP_DUE: "A follow-up fell due: time for the candidate to write or do "
    "it; `data`: `follow_up_id`, `session_id`, `candidate_id`, `kind`, `due_at`.",
    EventType.WEBHOOK_ENDPOINT_DISABLED: "Deliveries to a webhook endpoint stopped; `data`: "
    "`webhook_endpoint_id`, `reason` (`gone`: it answered 410; `failing`: it failed for "
    "too long).",
    EventType.WEBHOOK_TEST: "Sent by `POST /v1/webhook-endpoints/{id}/test` to that endpoint "
    "only; never in the stream.",
}

# A session timeline row (app/sessions) becomes this event; status moves by their target.
TIMELINE_TYPES: dict[str, EventType] = {
    "created": EventType.SESSION_CREATED,
    "updated": EventType.SESSION_UPDATED,
    "answers_updated": EventType.SESSION_ANSWERS_UPDATED,
    "feedback_updated": EventType.FEEDBACK_RECORDED,
    "action_item_added": EventType.ACTION_ITEM_CREATED,
    "action_item_updated": EventType.ACTION_ITEM_UPDATED,
    "action_item_deleted": EventType.ACTION_ITEM_DELETED,
    "diagnosed": EventType.DIAGNOSIS_CREATED,
    "message_written": EventType.MESSAGE_WRITTEN,
    "message_sent": EventType.MESSAGE_SENT,
}
STATUS_TYPES: dict[str, EventType] = {
    "reflected": EventType.REFLECTION_COMPLETED,
    "feedback_requested": EventType.FEEDBACK_REQUESTED,
    "call_scheduled": EventType.CALL_SCHEDULED,
    "feedback_received": EventType.FEEDBACK_RECEIVED,
    "closed": EventType.SESSION_CLOSED,
}


_STATUS_MOVES = frozenset(
    {*STATUS_TYPES.values(), EventType.SESSION_STATUS_CHANGED, EventType.CALL_CANCELLED}
)
# Each timeline event type, back to its row's kind (the mapping above is one to one but
# for status moves, which are all `status_changed`).
TIMELINE_KINDS: dict[str, str] = {
    **{event_type.value: kind for kind, event_type in TIMELINE_TYPES.items()},
    **{event_type.value: "status_changed" for event_type in _STATUS_MOVES},
}


def timeline_type(kind: str, data: dict[str, object]) -> EventType:
    """The event type of a session timeline row."""
    if kind == "status_changed":
        if data.get("from") == "call_scheduled" and data.get("to") == "feedback_requested":
            return EventType.CALL_CANCELLED
        return STATUS_TYPES.get(str(data.get("to")), EventType.SESSION_STATUS_CHANGED)
    return TIMELINE_TYPES[kind]
