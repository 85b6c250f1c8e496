"""The messages Debrief writes, and the facts each one cannot do without."""

from __future__ import annotations

from enum import StrEnum


class MessageKind(StrEnum):
    FEEDBACK_REQUEST_EMAIL = "feedback_request_email"
    CALL_SCRIPT = "call_script"
    THANK_YOU_EMAIL = "thank_you_email"
    FOLLOW_UP_NUDGE = "follow_up_nudge"
    STAY_IN_TOUCH_NOTE = "stay_in_touch_note"
    LINKEDIN_MESSAGE = "linkedin_message"


# How a person reads each kind, after "a" (the codes stay in the documents' `kind`).
KIND_NAMES: dict[MessageKind, str] = {
    MessageKind.FEEDBACK_REQUEST_EMAIL: "feedback request email",
    MessageKind.CALL_SCRIPT: "call script",
    MessageKind.THANK_YOU_EMAIL: "thank-you email",
    MessageKind.FOLLOW_UP_NUDGE: "follow-up nudge",
    MessageKind.STAY_IN_TOUCH_NOTE: "stay-in-touch note",
    MessageKind.LINKEDIN_MESSAGE: "LinkedIn message",
}


class Tone(StrEnum):
    WARM = "warm"
    FORMAL = "formal"
    CONCISE = "concise"


# Facts without which a kind cannot be written, as paths into the facts.
REQUIRED: dict[MessageKind, tuple[str, ...]] = {
    MessageKind.FEEDBACK_REQUEST_EMAIL: ("interviewer/name", "company", "role"),
    MessageKind.CALL_SCRIPT: ("company", "role"),
    MessageKind.THANK_YOU_EMAIL: ("interviewer/name", "company", "learned"),
    MessageKind.FOLLOW_UP_NUDGE: ("interviewer/name", "company", "role", "requested_on"),
    MessageKind.STAY_IN_TOUCH_NOTE: ("interviewer/name", "company"),
    MessageKind.LINKEDIN_MESSAGE: ("interviewer/name", "company", "role"),
}

# Kinds sent to the interviewer by email (the others are read by the candidate or sent
# elsewhere): these get a `.eml` draft and a `mailto:` link.
EMAILS = frozenset(
    {
        MessageKind.FEEDBACK_REQUEST_EMAIL,
        MessageKind.THANK_YOU_EMAIL,
        MessageKind.FOLLOW_UP_NUDGE,
        MessageKind.STAY_IN_TOUCH_NOTE,
    }
)

# LinkedIn's limit for the note sent with a connection request.
LINKEDIN_LIMIT = 300

# The feedback call the request asks for.
CALL_MINUTES = 15
CALL_REMINDER_MINUTES = 10
