"""A message's renditions for other programs: `.eml`, `.ics` and `mailto:` (pure).

Every header value passes through `header_safe`, and the `email` package's default policy
refuses a CR or LF in a header besides, so no field can inject a header.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icalendar import vCalAddress

PRODID = "-//Debrief//Messages//EN"


@dataclass(frozen=True)
class Party:
    name: str | None
    email: str | None


def html_document(subject: str, fragment: str) -> str:
    """A whole HTML page around a rendered fragment (the fragment is already escaped)."""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head>\n<body>\n{fragment}</body></html>\n"
    )


def header_safe(value: str) -> str:
    """One line: CR, LF and other control characters become spaces."""
    if value.isprintable():  # the usual case: nothing to replace, one pass in C
        return " ".join(value.split())
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())


_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
# Past this many different bytes to escape, one pass through a table is quicker than a
# pass per byte.
_FEW = 24
_BYTES = tuple(bytes((b,)) for b in range(256))


@dataclass(frozen=True)
class _Quoting:
    """How `urllib.parse.quote(text, safe=...)` writes each byte: the bytes it keeps, each
    other byte's escape, and a table that escapes what is left of a text whose `%`s are
    all escapes already (it keeps `%`)."""

    kept: bytes
    escapes: tuple[bytes, ...]
    rest: tuple[str, ...]


def _quoting(safe: bytes) -> _Quoting:
    keep = _UNRESERVED + safe
    escapes = tuple(bytes((b,)) if b in keep else b"%%%02X" % b for b in range(256))
    return _Quoting(
        kept=keep,
        escapes=escapes,
        rest=tuple("%" if b == ord("%") else escapes[b].decode() for b in range(256)),
    )


_QUOTED = _quoting(b"")
_QUOTED_ADDRESS = _quoting(b"@")


def _quote(text: str, quoting: _Quoting) -> str:
    """`urllib.parse.quote(text, safe=...)` in C (urllib maps byte by byte in Python): the
    UTF-8 bytes, the ones to escape found by deleting the others, and each different one
    replaced in one `bytes.replace` (a text has few: spaces, line breaks, some marks), `%`
    first so that no escape is escaped again. (A set of the bytes to escape would cost as
    much as the replacing: each is taken out of them as it is done.)"""
    data = text.encode("utf-8")
    escaped = data.translate(None, quoting.kept)
    if b"%" in escaped:
        data = data.replace(b"%", b"%25")
        escaped = escaped.replace(b"%", b"")
    for _ in range(_FEW):
        if not escaped:
            return data.decode("ascii")
        byte = _BYTES[escaped[0]]
        data = data.replace(byte, quoting.escapes[escaped[0]])
        escaped = escaped.replace(byte, b"")
    return data.decode("latin-1").translate(quoting.rest)


def _address(party: Party) -> Address | None:
    if not party.email:
        return None
    local, _, domain = party.email.rpartition("@")
    return Address(display_name=header_safe(party.name or ""), username=local, domain=domain)


def eml(
    *,
    subject: str,
    text: str,
    html: str | None,
    to: Party,
    sender: Party,
    created_at: datetime,
    message_id: str,
) -> bytes:
    """A draft that a mail client opens ready to send to the interviewer."""
    message = EmailMessage(policy=SMTP)
    recipient = _address(to)
    if recipient is not None:
        message["To"] = recipient
    author = _address(sender)
    if author is not None:
        message["From"] = author
    message["Subject"] = header_safe(subject)
    message["Date"] = format_datetime(created_at)
    message["Message-ID"] = f"<{message_id}@debrief.invalid>"
    # Outlook and others open a message with this header as an unsent draft.
    message["X-Unsent"] = "1"
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    if html is not None:
        message.add_alternative(
            html_document(subject, html), subtype="html", charset="utf-8", cte="quoted-printable"
        )
    return message.as_bytes()


def _cal_address(party: Party, **params: str) -> vCalAddress:
    from icalendar import vCalAddress, vText

    address = vCalAddress(f"mailto:{party.email}")
    if party.name:
        address.params["cn"] = vText(header_safe(party.name))
    for name, value in params.items():
        address.params[name] = vText(value)
    return address


def ics(
    *,
    uid: str,
    summary: str,
    description: str,
    start: datetime,
    minutes: int,
    reminder_minutes: int,
    organizer: Party,
    attendee: Party,
    stamp: datetime,
    sequence: int = 0,
    cancelled: bool = False,
) -> bytes:
    """An invitation to the call: `minutes` long, with a reminder before it; or, once
    `cancelled`, its cancellation. Clients match both to the event they hold by `uid` and
    apply the one with the highest `sequence` (RFC 5546)."""
    # icalendar loads with the first invitation, not with every server process.
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("duration", timedelta(minutes=minutes))
    event.add("summary", header_safe(summary))
    event.add("description", description)
    if organizer.email:
        event.add("organizer", _cal_address(organizer))
    if attendee.email:
        event.add("attendee", _cal_address(attendee, role="REQ-PARTICIPANT", rsvp="TRUE"))
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", header_safe(summary))
        alarm.add("trigger", timedelta(minutes=-reminder_minutes))
        event.add_component(alarm)
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical


def mailto(to: str | None, subject: str, body: str) -> str:
    """A `mailto:` URL (RFC 6068): percent-encoded UTF-8, line breaks as %0D%0A."""
    address = _quote(to, _QUOTED_ADDRESS) if to else ""
    crlf = "\r\n".join(body.splitlines())
    return (
        f"mailto:{address}?subject={_quote(header_safe(subject), _QUOTED)}"
        f"&body={_quote(crlf, _QUOTED)}"
    )
