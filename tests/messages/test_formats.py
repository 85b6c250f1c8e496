from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy
from urllib.parse import parse_qs, unquote, urlsplit

import icalendar
import pytest

from app.messages.formats import Party, eml, header_safe, ics, mailto
from app.messages.pronouns import forms

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _eml(**overrides: object) -> email.message.EmailMessage:
    arguments: dict[str, object] = {
        "subject": "A short call?",
        "text": "Hi Dana,\n\nThank you.\n",
        "html": "<p>Hi Dana,</p>",
        "to": Party("Dana Lee", "dana@example.com"),
        "sender": Party("Alex Morgan", "alex@example.com"),
        "created_at": NOW,
        "message_id": "msg_1",
    } | overrides
    raw = eml(**arguments)  # type: ignore[arg-type]
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_the_eml_parses_back_with_the_same_headers_and_body() -> None:
    parsed = _eml(subject="Zoë’s question", text="Grüße,\nZoë\n")
    assert parsed["Subject"] == "Zoë’s question"
    assert parsed["To"] == "Dana Lee <dana@example.com>"
    assert parsed["From"] == "Alex Morgan <alex@example.com>"
    assert parsed["Message-ID"] == "<msg_1@debrief.invalid>"
    assert parsed["X-Unsent"] == "1"
    assert parsed.get_content_type() == "multipart/alternative"
    plain = parsed.get_body(("plain",))
    assert plain is not None
    assert plain.get_content_charset() == "utf-8"
    assert plain.get_content() == "Grüße,\r\nZoë\r\n"  # CRLF, as mail is sent
    html = parsed.get_body(("html",))
    assert html is not None
    assert "<p>Hi Dana,</p>" in html.get_content()


@pytest.mark.parametrize(
    "evil",
    ["Dana\r\nBcc: evil@example.com", "Dana\nBcc: evil@example.com", "Dana\rBcc: x@y.z"],
)
def test_no_cr_or_lf_in_any_field_can_inject_a_header(evil: str) -> None:
    parsed = _eml(subject=evil, to=Party(evil, "dana@example.com"), sender=Party(evil, None))
    assert parsed["Bcc"] is None
    assert "Bcc" not in list(parsed)
    assert parsed["Subject"] == " ".join(evil.split())
    assert parsed["To"].addresses[0].addr_spec == "dana@example.com"
    assert parsed["From"] is None  # no address, no From: the client fills it in


def test_quotes_and_angle_brackets_in_names_stay_in_the_display_name() -> None:
    name = 'Dana "DJ" <Lee>, PhD'
    parsed = _eml(to=Party(name, "dana@example.com"))
    (address,) = parsed["To"].addresses
    assert address.display_name == name
    assert address.addr_spec == "dana@example.com"


def test_header_safe_makes_one_line() -> None:
    assert header_safe("a\r\n\tb\x00c  d") == "a b c d"


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Hi & bye?", "Line one\nLine two: 100% sure #1 + a=b"),
        ("Zoë — Ñ", "Ünïcödé\n\n“quotes” <angle>"),
    ],
)
def test_mailto_round_trips_through_urllib(subject: str, body: str) -> None:
    url = mailto("dana+jobs@example.com", subject, body)
    parts = urlsplit(url)
    assert parts.scheme == "mailto"
    assert unquote(parts.path) == "dana+jobs@example.com"
    assert " " not in url
    assert "%0D%0A" in url
    query = parse_qs(parts.query)
    assert query["subject"] == [subject]
    assert query["body"] == [body.replace("\n", "\r\n")]


def test_mailto_without_an_address_still_prefills() -> None:
    assert mailto(None, "S", "B").startswith("mailto:?subject=S&body=B")


def test_the_invite_has_the_start_duration_attendee_and_a_reminder() -> None:
    start = datetime(2026, 12, 3, 15, 30, tzinfo=UTC)
    raw = ics(
        uid="msg_1@debrief",
        summary="Feedback call",
        description="About the interview",
        start=start,
        minutes=15,
        reminder_minutes=10,
        organizer=Party("Alex Morgan", "alex@example.com"),
        attendee=Party("Dana, Lee", "dana@example.com"),
        stamp=NOW,
    )
    calendar = icalendar.Calendar.from_ical(raw)
    assert calendar["method"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == start
    assert event.decoded("duration") == timedelta(minutes=15)
    assert str(event["uid"]) == "msg_1@debrief"
    assert str(event["attendee"]) == "mailto:dana@example.com"
    assert event["attendee"].params["CN"] == "Dana, Lee"
    assert str(event["organizer"]) == "mailto:alex@example.com"
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(minutes=-10)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("she/her", ("she", "her", "her", True)),
        ("he/him", ("he", "him", "his", True)),
        ("they/them", ("they", "them", "their", True)),
        ("She/They", ("she", "her", "her", True)),
        ("xe/xem/xyr", ("xe", "xem", "xyr", True)),
        ("ze/hir", ("ze", "hir", "zir", True)),
        (None, ("Dana", "Dana", "Dana’s", False)),
        ("any", ("Dana", "Dana", "Dana’s", False)),
        ("ask me", ("Dana", "Dana", "Dana’s", False)),
        ("he/him; she/her", ("Dana", "Dana", "Dana’s", False)),
    ],
)
def test_pronouns_are_used_only_as_given(given: str | None, expected: tuple[object, ...]) -> None:
    words = forms(given, "Dana", "your interviewer")
    assert (words.they, words.them, words.their, words.known) == expected
