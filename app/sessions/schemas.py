from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    MISSING,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    UrlConstraints,
)

from app.candidates.schemas import Locale
from app.core.fields import (
    NUMBER_ONLY,
    CalendarDate,
    EmailAddress,
    Integer,
    PlainText,
    SingleLine,
    Timestamp,
)
from app.question_sets.answers import AnswerReport

MAX_CREDENTIALS = 30
MAX_ANSWERS = 200
MAX_NOTES = 10_000


class Stage(StrEnum):
    APPLICATION = "application"
    PHONE_SCREEN = "phone_screen"
    FIRST_INTERVIEW = "first_interview"
    LATER_INTERVIEW = "later_interview"
    FINAL_INTERVIEW = "final_interview"
    OFFER_STAGE = "offer_stage"


class Outcome(StrEnum):
    REJECTED = "rejected"
    OFFER = "offer"
    WITHDRAWN = "withdrawn"
    NO_RESPONSE = "no_response"


class SessionStatus(StrEnum):
    OPEN = "open"
    REFLECTED = "reflected"
    FEEDBACK_REQUESTED = "feedback_requested"
    CALL_SCHEDULED = "call_scheduled"
    FEEDBACK_RECEIVED = "feedback_received"
    CLOSED = "closed"


class ActionStatus(StrEnum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"
    DROPPED = "dropped"


class ActionSource(StrEnum):
    MANUAL = "manual"
    DIAGNOSIS = "diagnosis"


ShortText = Annotated[SingleLine, StringConstraints(min_length=1, max_length=200)]
Credential = Annotated[SingleLine, StringConstraints(min_length=1, max_length=200)]
StatedReason = Annotated[PlainText, StringConstraints(max_length=2000)]
Notes = Annotated[PlainText, StringConstraints(max_length=MAX_NOTES)]
Phone = Annotated[str, StringConstraints(min_length=3, max_length=40, pattern=r"^\+?[0-9 ().-]+$")]


# The limit is on the URL as sent: normalising (a `/` after a bare host) may lengthen it.
PostingUrl = Annotated[HttpUrl, UrlConstraints(max_length=2000)]


class Posting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: PostingUrl | None = None
    required_credentials: list[Credential] = Field(default_factory=list, max_length=MAX_CREDENTIALS)
    preferred_credentials: list[Credential] = Field(
        default_factory=list, max_length=MAX_CREDENTIALS
    )
    years_required: Annotated[float, Field(ge=0, le=60), NUMBER_ONLY] | None = None


class Interviewer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ShortText | None = None
    title: ShortText | None = None
    email: EmailAddress | None = None
    phone: Phone | None = None
    pronouns: Annotated[SingleLine, StringConstraints(min_length=1, max_length=40)] | None = None
    address_as: ShortText | None = Field(
        default=None,
        description="How the candidate greets them (`Jordan`, `Dr. García-López`); without "
        "it, messages use a greeting that is right for any name.",
    )


class PostingPatch(BaseModel):
    """A JSON Merge Patch of a Posting: absent fields stay, `null` resets one."""

    model_config = ConfigDict(extra="forbid")

    url: PostingUrl | MISSING | None = MISSING
    required_credentials: (
        Annotated[list[Credential], Field(max_length=MAX_CREDENTIALS)] | MISSING | None
    ) = MISSING
    preferred_credentials: (
        Annotated[list[Credential], Field(max_length=MAX_CREDENTIALS)] | MISSING | None
    ) = MISSING
    years_required: Annotated[float, Field(ge=0, le=60), NUMBER_ONLY] | MISSING | None = MISSING


class InterviewerPatch(BaseModel):
    """A JSON Merge Patch of an Interviewer: absent fields stay, `null` clears one."""

    model_config = ConfigDict(extra="forbid")

    name: ShortText | MISSING | None = MISSING
    title: ShortText | MISSING | None = MISSING
    email: EmailAddress | MISSING | None = MISSING
    phone: Phone | MISSING | None = MISSING
    pronouns: (
        Annotated[SingleLine, StringConstraints(min_length=1, max_length=40)] | MISSING | None
    ) = MISSING
    address_as: ShortText | MISSING | None = MISSING


class SetPin(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,63}$")]
    version: Integer = Field(ge=1, le=1_000_000)


class _SessionFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company: ShortText = Field(examples=["Northwind Health"])
    role_title: ShortText = Field(examples=["Product designer"])
    posting: Posting = Field(default_factory=Posting)
    stage_reached: Stage = Stage.FIRST_INTERVIEW
    interview_date: CalendarDate | None = None
    decision_date: CalendarDate | None = None
    outcome: Outcome = Outcome.REJECTED
    stated_reason: StatedReason | None = Field(
        default=None, description="What the rejection said, in its words."
    )
    interviewer: Interviewer = Field(default_factory=Interviewer)
    notes: Notes | None = None
    locale: Locale | None = Field(
        default=None,
        description="The language of everything written for this session (diagnoses, "
        "messages, the call script); `null`: the candidate's. One of the locales Debrief "
        "speaks (`en`, `fr`, `es`, `de`).",
    )


class SessionCreate(_SessionFields):
    candidate_id: str = Field(max_length=64, examples=["cand_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    self_reflection_set: SetPin | None = Field(
        default=None, description="Default: the latest published `self-reflection`."
    )
    interviewer_feedback_set: SetPin | None = Field(
        default=None, description="Default: the latest published `interviewer-feedback`."
    )


class SessionUpdate(BaseModel):
    """A JSON Merge Patch of the session's facts (answers and status have their own routes)."""

    model_config = ConfigDict(extra="forbid")

    company: ShortText | MISSING = MISSING
    role_title: ShortText | MISSING = MISSING
    posting: PostingPatch | MISSING | None = Field(
        default=MISSING, description="Merged field by field; `null` resets the posting."
    )
    stage_reached: Stage | MISSING = MISSING
    interview_date: CalendarDate | MISSING | None = MISSING
    decision_date: CalendarDate | MISSING | None = MISSING
    outcome: Outcome | MISSING = MISSING
    stated_reason: StatedReason | MISSING | None = MISSING
    interviewer: InterviewerPatch | MISSING | None = Field(
        default=MISSING, description="Merged field by field; `null` clears the interviewer."
    )
    notes: Notes | MISSING | None = MISSING
    locale: Locale | MISSING | None = Field(
        default=MISSING, description="`null`: the candidate's locale again."
    )


class Progress(BaseModel):
    shown: list[str]
    answered: list[str]
    missing_required: list[str]
    complete: bool

    @classmethod
    def of(cls, report: AnswerReport) -> Progress:
        return cls(
            shown=report.shown,
            answered=report.answered,
            missing_required=report.missing_required,
            complete=report.complete,
        )


class AnswersPart(BaseModel):
    question_set: SetPin
    answers: dict[str, Any] = Field(description="Answers to the questions shown.")
    hidden_answers: dict[str, Any] = Field(
        description="Answers kept for questions a changed answer now hides: outside progress "
        "and the diagnosis; changing that answer back shows them again."
    )
    progress: Progress


class Timeline(BaseModel):
    created_at: datetime
    reflected_at: datetime | None
    feedback_requested_at: datetime | None
    call_scheduled_for: datetime | None
    call_cancelled_at: datetime | None = Field(
        description="When the call at `call_scheduled_for` was cancelled; null while it stands."
    )
    feedback_received_at: datetime | None
    closed_at: datetime | None


class SessionRead(_SessionFields):
    id: str = Field(examples=["ses_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    candidate_id: str
    status: SessionStatus
    timeline: Timeline
    self_reflection: AnswersPart
    interviewer_feedback: AnswersPart
    updated_at: datetime


class AnswersUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any] = Field(
        max_length=MAX_ANSWERS,
        description="Merged into the stored answers; `null` removes an answer.",
        examples=[{"wanted_job": True, "wow_self_rating": 3}],
    )


class Transition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: SessionStatus
    at: Timestamp | None = Field(default=None, description="When it happened; default: now.")
    call_scheduled_for: Timestamp | None = Field(
        default=None, description="Required to move to `call_scheduled`."
    )


class SessionEventRead(BaseModel):
    id: str
    kind: str
    data: dict[str, Any]
    created_at: datetime


class ActionItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[SingleLine, StringConstraints(min_length=1, max_length=500)] = Field(
        examples=["Rehearse, aloud, why I am the best person for this job"]
    )
    status: ActionStatus = ActionStatus.TODO
    due_date: CalendarDate | None = None


class ActionItemUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[SingleLine, StringConstraints(min_length=1, max_length=500)] | MISSING = MISSING
    status: ActionStatus | MISSING = MISSING
    due_date: CalendarDate | MISSING | None = MISSING


class ActionItemRead(BaseModel):
    id: str = Field(examples=["act_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    session_id: str
    text: str
    source: ActionSource
    status: ActionStatus
    due_date: CalendarDate | None
    created_at: datetime
    updated_at: datetime
