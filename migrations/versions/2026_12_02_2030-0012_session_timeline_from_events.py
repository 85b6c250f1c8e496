"""A session's timeline is read from the organisation's event stream: `session_events` goes.

Every timeline row was written twice, once in `session_events` and once, by the same id,
in `events`. Rows written before the stream existed (0008) have no event: they move there
first, marked dispatched (they happened before any webhook endpoint could subscribe).
The stream also loses its (organisation, type) index: a type filter walks the
organisation's range instead, and every write pays one index fewer.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 20:30:00.000000+00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The timeline's kinds and their event types as they stood at this revision.
KIND_TYPES = {
    "created": "session.created",
    "updated": "session.updated",
    "answers_updated": "session.answers_updated",
    "feedback_updated": "feedback.recorded",
    "action_item_added": "action_item.created",
    "action_item_updated": "action_item.updated",
    "action_item_deleted": "action_item.deleted",
    "diagnosed": "diagnosis.created",
    "message_written": "message.written",
    "message_sent": "message.sent",
}
STATUS_TYPES = {
    "reflected": "reflection.completed",
    "feedback_requested": "feedback.requested",
    "call_scheduled": "call.scheduled",
    "feedback_received": "feedback.received",
    "closed": "session.closed",
}
STATUS_CHANGED = "session.status_changed"
CALL_CANCELLED = "call.cancelled"
TYPE_KINDS = {
    **{event_type: kind for kind, event_type in KIND_TYPES.items()},
    **dict.fromkeys(STATUS_TYPES.values(), "status_changed"),
    STATUS_CHANGED: "status_changed",
    CALL_CANCELLED: "status_changed",
}
# What the stream adds to a timeline row's data.
ADDED_KEYS = ("session_id", "candidate_id")
BATCH = 500

events = sa.table(
    "events",
    sa.column("id", sa.String),
    sa.column("type", sa.String),
    sa.column("session_id", sa.String),
    sa.column("data", sa.JSON),
)
session_events = sa.table(
    "session_events",
    sa.column("id", sa.String),
    sa.column("session_id", sa.String),
    sa.column("kind", sa.String),
    sa.column("data", sa.JSON),
)
sessions = sa.table("sessions", sa.column("id", sa.String), sa.column("candidate_id", sa.String))


def _event_type(kind: str, data: dict[str, Any]) -> str:
    if kind == "status_changed":
        if data.get("from") == "call_scheduled" and data.get("to") == "feedback_requested":
            return CALL_CANCELLED
        return STATUS_TYPES.get(str(data.get("to")), STATUS_CHANGED)
    return KIND_TYPES[kind]


def _in_batches(rows: list[dict[str, Any]], statement: Any) -> None:
    bind = op.get_bind()
    for start in range(0, len(rows), BATCH):
        bind.execute(statement, rows[start : start + BATCH])


def _move_rows_without_event() -> None:
    missing = (
        op.get_bind()
        .execute(
            sa.select(
                session_events.c.id,
                session_events.c.session_id,
                session_events.c.kind,
                session_events.c.data,
                sessions.c.candidate_id,
            )
            .join(sessions, sessions.c.id == session_events.c.session_id)
            .where(~sa.exists().where(events.c.id == session_events.c.id))
            .order_by(session_events.c.id)
        )
        .all()
    )
    rows = [
        {
            "row_id": row.id,
            "event_type": _event_type(row.kind, row.data),
            "event_data": {
                "session_id": row.session_id,
                "candidate_id": row.candidate_id,
                **row.data,
            },
        }
        for row in missing
    ]
    statement = sa.text(
        "INSERT INTO events (id, organization_id, type, candidate_id, session_id, data, "
        "created_at, dispatched_at) "
        "SELECT se.id, se.organization_id, :event_type, s.candidate_id, se.session_id, "
        ":event_data, se.created_at, se.created_at "
        "FROM session_events se JOIN sessions s ON s.id = se.session_id WHERE se.id = :row_id"
    ).bindparams(sa.bindparam("event_data", type_=sa.JSON))
    _in_batches(rows, statement)


def upgrade() -> None:
    _move_rows_without_event()
    with op.batch_alter_table("session_events", schema=None) as batch_op:
        batch_op.drop_index("ix_session_events_session_id_id")
        batch_op.drop_index(batch_op.f("ix_session_events_organization_id"))
    op.drop_table("session_events")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_organization_id_type_id")


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_events_organization_id_type_id", ["organization_id", "type", "id"], unique=False
        )
    op.create_table(
        "session_events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("organization_id", sa.String(length=40), nullable=False),
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_session_events_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_events_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_events")),
    )
    with op.batch_alter_table("session_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_events_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index("ix_session_events_session_id_id", ["session_id", "id"], unique=False)
    # The timeline of every session still there, back from the stream.
    timeline = (
        op.get_bind()
        .execute(
            sa.select(events.c.id, events.c.type, events.c.data)
            .where(
                events.c.type.in_(list(TYPE_KINDS)),
                events.c.session_id.in_(sa.select(sessions.c.id)),
            )
            .order_by(events.c.id)
        )
        .all()
    )
    rows = [
        {
            "row_id": row.id,
            "kind": TYPE_KINDS[row.type],
            "row_data": {k: v for k, v in row.data.items() if k not in ADDED_KEYS},
        }
        for row in timeline
    ]
    statement = sa.text(
        "INSERT INTO session_events (id, organization_id, session_id, kind, data, created_at) "
        "SELECT e.id, e.organization_id, e.session_id, :kind, :row_data, e.created_at "
        "FROM events e WHERE e.id = :row_id"
    ).bindparams(sa.bindparam("row_data", type_=sa.JSON))
    _in_batches(rows, statement)
