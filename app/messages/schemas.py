from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import MISSING, BaseModel, ConfigDict, Field, StringConstraints

from app.candidates.schemas import DisplayName, Locale, Pronouns, TimeZone
from app.core.fields import (
    CalendarDate,
    EmailAddress,
    NonBlankText,
    PlainText,
    SingleLine,
    Timestamp,
)
from app.messages.kinds import MessageKind, Tone
from app.messages.template_checks import MAX_BODY, MAX_SUBJECT
from app.sessions.schemas import Interviewer, ShortText

TemplateKey = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,63}$"),
    Field(description="Lower case, digits and `-`; unique in your organisation."),
]
SubjectSource = Annotated[PlainText, StringConstraints(min_length=1, max_length=MAX_SUBJECT)]
BodySource = Annotated[PlainText, StringConstraints(min_length=1, max_length=MAX_BODY)]
Description = Annotated[SingleLine, StringConstraints(min_length=1, max_length=500)]
Learned = Annotated[NonBlankText, StringConstraints(min_length=1, max_length=1000)]
News = Annotated[NonBlankText, StringConstraints(min_length=1, max_length=2000)]
TemplateId = Annotated[
    str, StringConstraints(max_length=64), Field(examples=["tpl_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
]


class MessageStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"


class MessageFormat(StrEnum):
    JSON = "json"
    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    EML = "eml"
    ICS = "ics"


class TemplateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: TemplateKey = Field(examples=["coach-request-warm"])
    kind: MessageKind
    tone: Tone = Tone.WARM
    locale: Locale = "en"
    description: Description | None = None
    subject: SubjectSource = Field(examples=["A short call about my {{ role }} interview?"])
    body: BodySource = Field(
        description="Jinja2 (sandboxed): the variables of `GET /v1/templates/variables`.",
        examples=["Hi {{ interviewer.name }},\n\n…\n\n{{ candidate.name }}"],
    )


class TemplateUpdate(BaseModel):
    """A merge patch; a new subject or body makes a new version."""

    model_config = ConfigDict(extra="forbid")

    description: Description | MISSING | None = MISSING
    subject: SubjectSource | MISSING = MISSING
    body: BodySource | MISSING = MISSING


class TemplateVersionRead(BaseModel):
    version: int
    subject: str
    body: str
    created_at: datetime


class TemplateRead(BaseModel):
    id: str = Field(examples=["tpl_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    key: str
    kind: MessageKind
    tone: Tone
    locale: str
    description: str | None
    version: int = Field(description="The current version; messages record the one they used.")
    subject: str
    body: str
    created_at: datetime
    updated_at: datetime


class TemplateSummary(BaseModel):
    id: str
    key: str
    kind: MessageKind
    tone: Tone
    locale: str
    description: str | None
    version: int
    updated_at: datetime


class PersonFacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: DisplayName | None = None
    email: EmailAddress | None = None
    pronouns: Pronouns | None = None
    sign_as: DisplayName | None = Field(
        default=None, description="How the person signs; the name when absent."
    )


class InlineFacts(BaseModel):
    """Everything a message is written from, given inline (a preview stores nothing)."""

    model_config = ConfigDict(extra="forbid")

    candidate: PersonFacts = Field(default_factory=PersonFacts)
    interviewer: Interviewer = Field(default_factory=Interviewer)
    company: ShortText | None = None
    role: ShortText | None = None
    interview_date: CalendarDate | None = None
    requested_on: CalendarDate | None = Field(
        default=None, description="When the feedback request was sent (for a nudge)."
    )
    call_at: Timestamp | None = Field(default=None, description="When the call is scheduled.")
    time_zone: TimeZone = Field(
        default="UTC",
        description="The candidate's, for the call time: an IANA name such as `Europe/Paris` "
        "(`GET /v1/time-zones` lists them).",
    )
    learned: Learned | None = Field(
        default=None, description="One thing learned on the call (for a thank-you)."
    )
    news: News | None = Field(default=None, description="News of progress (for a later note).")
    leading_category: (
        Annotated[str, StringConstraints(pattern=r"^(in_person|on_paper|direction)$")] | None
    ) = Field(default=None, description="The diagnosis's leading reason, to order the call.")


class ExtraFacts(BaseModel):
    """Facts a session does not hold; the rest come from the session and the candidate."""

    model_config = ConfigDict(extra="forbid")

    learned: Learned | None = Field(
        default=None, description="One thing learned on the call: required for a thank-you."
    )
    news: News | None = Field(default=None, description="News of progress, for a later note.")


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: MessageKind
    tone: Tone = Tone.WARM
    locale: Locale | None = Field(
        default=None, description="Default: the session's, then the candidate's."
    )
    template: TemplateId | None = Field(
        default=None, description="One of your templates; default: the built-in one."
    )
    facts: ExtraFacts = Field(default_factory=ExtraFacts)


class MessagePreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: MessageKind
    tone: Tone = Tone.WARM
    locale: Locale = "en"
    template: TemplateId | None = None
    facts: InlineFacts = Field(default_factory=InlineFacts)


class TemplatePreviewRequest(BaseModel):
    """Render a template that is not saved yet, from inline facts."""

    model_config = ConfigDict(extra="forbid")

    kind: MessageKind
    tone: Tone = Tone.WARM
    locale: Locale = "en"
    subject: SubjectSource
    body: BodySource
    facts: InlineFacts = Field(default_factory=InlineFacts)


class CallQuestion(BaseModel):
    key: str
    title: str
    ask: str
    follow_up: str
    answer_keys: list[str] = Field(
        description="The `interviewer-feedback` questions to record the answer under."
    )
    focus_reason: str | None = Field(description="Why it comes early, if it does.")


class TemplateRef(BaseModel):
    source: str = Field(description="`builtin` or `organization`.")
    id: str | None
    version: int | None


class Rendition(BaseModel):
    subject: str
    text: str
    markdown: str
    html: str
    mailto_url: str | None = Field(description="RFC 6068; for messages sent by email.")
    questions: list[CallQuestion] = Field(description="For a call script: in the order asked.")
    characters: int = Field(description="Length of `text`, e.g. against LinkedIn's limit.")


class MessagePreview(Rendition):
    kind: MessageKind
    tone: Tone
    locale: str
    template: TemplateRef


class Recipient(BaseModel):
    name: str | None
    email: str | None


class MessageRead(MessagePreview):
    id: str = Field(examples=["msg_01JD6Z3K8Q2W5X7Y9A1B3C5D7E"])
    session_id: str
    to: Recipient
    call_at: datetime | None = Field(description="The call the `.ics` invites to.")
    formats: dict[str, str] = Field(
        description="The renditions available, each with a link (`?format=`)."
    )
    status: MessageStatus
    sent_at: datetime | None
    created_at: datetime


class MarkSent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: Timestamp | None = Field(default=None, description="Default: now.")


class SentRead(BaseModel):
    message: MessageRead
    session_status: str = Field(description="The session's status after this.")
    session_moved: bool = Field(description="Whether marking it sent moved the session on.")


class VariableRead(BaseModel):
    name: str
    description: str
