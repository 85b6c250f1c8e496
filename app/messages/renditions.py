"""A stored message as a response in the format asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fastapi import Response

from app.core.errors import NotAcceptable
from app.core.ids import utc_now
from app.core.negotiation import negotiate
from app.messages.formats import Party, eml, html_document, ics
from app.messages.kinds import CALL_MINUTES, CALL_REMINDER_MINUTES
from app.messages.models import Message
from app.messages.schemas import MessageFormat
from app.messages.service import available_formats, read
from app.sessions.models import ReflectionSession

MEDIA_TYPES = {
    MessageFormat.JSON: "application/json",
    MessageFormat.TEXT: "text/plain",
    MessageFormat.MARKDOWN: "text/markdown",
    MessageFormat.HTML: "text/html",
    MessageFormat.EML: "message/rfc822",
    MessageFormat.ICS: "text/calendar",
}
FORMAT_OF = {media: f for f, media in MEDIA_TYPES.items()}

FileFormat = StrEnum(  # type: ignore[misc]
    "FileFormat", {f.name: f.value for f in MessageFormat if f is not MessageFormat.JSON}
)
# Text in every non-JSON format (an .eml is MIME text): declared as a string, generated
# clients return the body as text rather than parse it as JSON.
RESPONSE_CONTENT = {
    media: {"schema": {"type": "string"}}
    for f, media in MEDIA_TYPES.items()
    if f is not MessageFormat.JSON
}


def _parties(message: Message) -> tuple[Party, Party]:
    """Who the message goes to, and who it is from."""
    to, sender = message.parties.get("to", {}), message.parties.get("from", {})
    return Party(to.get("name"), to.get("email")), Party(sender.get("name"), sender.get("email"))


@dataclass(frozen=True)
class CallInvite:
    """The session's call as its invite shows it now: one UID for the session's call,
    whichever message it comes with, so a client updates the event it already has."""

    uid: str
    start: datetime
    sequence: int
    cancelled: bool


def call_invite(row: ReflectionSession) -> CallInvite | None:
    if row.call_scheduled_for is None:
        return None
    return CallInvite(
        uid=f"call-{row.id}@debrief",
        start=row.call_scheduled_for,
        sequence=row.call_sequence,
        cancelled=row.call_cancelled_at is not None,
    )


# The invite goes to the interviewer too: nothing in it is meant for the candidate alone
# (the script, the questions and the notes stay in the message itself).
INVITE_DESCRIPTION = (
    f"A {CALL_MINUTES}-minute call to hear your feedback on the interview. "
    "Thank you for making the time."
)


def _calendar(message: Message, call: CallInvite | None) -> bytes:
    assert message.call_at is not None
    to, sender = _parties(message)
    who = " and ".join(n for n in (sender.name, to.name) if n)
    return ics(
        uid=call.uid if call else f"{message.id}@debrief",
        summary=f"Feedback call: {who}" if who else "Feedback call",
        description=INVITE_DESCRIPTION,
        start=call.start if call else message.call_at,
        minutes=CALL_MINUTES,
        reminder_minutes=CALL_REMINDER_MINUTES,
        organizer=sender,
        attendee=to,
        stamp=utc_now(),
        sequence=call.sequence if call else 0,
        cancelled=call.cancelled if call else False,
    )


def _email(message: Message) -> bytes:
    to, sender = _parties(message)
    return eml(
        subject=message.subject,
        text=message.text,
        html=message.html,
        to=to,
        sender=sender,
        created_at=message.created_at,
        message_id=message.id,
    )


def respond(
    message: Message,
    accept: str | None,
    asked: str | None,
    call: CallInvite | None = None,
) -> Response:
    """`asked` is any string: a format the message does not have, or that does not exist
    (`pdf`), is the same 406 naming the ones it has."""
    available = available_formats(message)
    names = [f.value for f in available]
    if asked is not None:
        chosen = MessageFormat(asked) if asked in names else None
    else:
        media = negotiate(accept, [MEDIA_TYPES[f] for f in available])
        chosen = FORMAT_OF[media] if media else None
    if chosen is None:
        wanted = asked if asked is not None else f"Accept: {accept}"
        raise NotAcceptable(
            f"Message {message.id} is not available as {wanted}; it is as: {', '.join(names)}.",
            extensions={"available": names},
        )
    headers = {"Vary": "Accept", "Content-Language": message.locale}
    stem = message.kind.replace("_", "-")
    if chosen is MessageFormat.JSON:
        return Response(
            read(message).model_dump_json(), media_type="application/json", headers=headers
        )
    if chosen is MessageFormat.EML:
        headers["Content-Disposition"] = f'attachment; filename="{stem}.eml"'
        return Response(_email(message), media_type="message/rfc822", headers=headers)
    if chosen is MessageFormat.ICS:
        headers["Content-Disposition"] = f'attachment; filename="{stem}.ics"'
        return Response(
            _calendar(message, call), media_type="text/calendar; charset=utf-8", headers=headers
        )
    body = {
        MessageFormat.TEXT: message.text,
        MessageFormat.MARKDOWN: message.markdown,
        MessageFormat.HTML: html_document(message.subject, message.html),
    }[chosen]
    return Response(body, media_type=f"{MEDIA_TYPES[chosen]}; charset=utf-8", headers=headers)
