"""The candidate export: each feature's own read schema, gathered per session and per person."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.access.grant_schemas import AccessLogEntryRead, GrantRead
from app.candidates.schemas import CandidateRead
from app.diagnosis.schemas import DiagnosisRead
from app.events.schemas import EventRead
from app.follow_ups.schemas import FollowUpRead
from app.messages.schemas import MessageRead
from app.sessions.schemas import ActionItemRead, SessionEventRead, SessionRead


class ExportedSession(SessionRead):
    events: list[SessionEventRead] = Field(description="The session's timeline, oldest first.")
    action_items: list[ActionItemRead]
    diagnoses: list[DiagnosisRead] = Field(
        description="Every diagnosis run, oldest first: verdict, reasons (categories and the "
        "rules that fired, with their evidence) and next steps."
    )
    messages: list[MessageRead] = Field(
        description="Every generated email and call script, oldest first, subject and text."
    )
    follow_ups: list[FollowUpRead]


class ExportedCalendarFeed(BaseModel):
    """Only that the candidate has a feed, and since when: its address is never stored."""

    created_at: datetime


class CandidateExport(BaseModel):
    exported_at: datetime
    candidate: CandidateRead
    sessions: list[ExportedSession] = Field(description="Oldest first.")
    events: list[EventRead] = Field(
        description="The organisation's events about the candidate (as `GET /v1/events` "
        "shows them), oldest first."
    )
    grants: list[GrantRead] | None = Field(
        description="Every coach access grant, active or not, oldest first. Null when a "
        "coach asks: a coach never sees who else may see the candidate's data."
    )
    access_log: list[AccessLogEntryRead] | None = Field(
        description="Every request a coach made about the candidate, oldest first. Null when "
        "a coach asks, as for `grants`."
    )
    calendar_feed: ExportedCalendarFeed | None = Field(
        description="The candidate's calendar feed, if one has been issued."
    )
