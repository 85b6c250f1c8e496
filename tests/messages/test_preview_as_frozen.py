"""A message preview with a built-in template writes what it wrote before the one-pass
rendering (`tests/messages/frozen_preview.py`, a copy of that code): the same document
bytes, or the same problem, for every kind, tone and locale, over hostile facts (Markdown's
marks, HTML, non-ASCII, line breaks, `%`, `@`, long texts) given or left out."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from app.core.errors import ValidationFailed
from app.i18n.locales import BUILTIN_LOCALES
from app.messages import compose, service
from app.messages.kinds import MessageKind, Tone
from app.messages.preview_document import preview_document
from app.messages.render import RenderError
from app.messages.schemas import InlineFacts, Rendition, TemplateRef
from tests.messages import frozen_preview as frozen

CASES = list(itertools.product(MessageKind, Tone, BUILTIN_LOCALES))
BUILTIN = TemplateRef(source="builtin", id=None, version=None)
TODAY = date(2026, 12, 3)

HOSTILE = [
    "*Dana* _Lee_ `x` [a](b) <b>&amp;</b> | ~ \\ ![i](j) **",
    "# heading\n> quote\n- item\n1. one\n2) two\n+ plus\n= eq\n---\n***",
    "  spaced   out ,  . ; : ! ?  \t tab",
    "é “quoted” 😀 中文 \u00a0 \u2028 \u2029 \u0085",
    "{{ role }} {% if x %} {# c #}",
    "100% @home %20 %0D%0A a+b=c & d?e#f",
    "line one\r\nline two\rthree\n\n\n\nfour  \n",
    "-1. 1986. #1 >quoted 10) ten",
    "None",
    "x" * 199,
    "ab " * 300,
    "\n\t \n",
]


def _outcome(write: Any, facts: Any, kind: MessageKind, tone: Tone, locale: str) -> Any:
    try:
        return write(facts, kind, tone, locale)
    except ValidationFailed as exc:
        return ("problem", exc.detail, [e.model_dump() for e in exc.errors or []])
    except RenderError as exc:  # a built-in failing (none should: both ways must agree)
        return ("failed", exc.detail, exc.part, exc.line, exc.costly)


def _today(data: InlineFacts, kind: MessageKind, tone: Tone, locale: str) -> bytes:
    facts = service.inline_facts(data, TODAY)
    rendition, written_in = compose.compose_builtin(facts, kind, tone, locale, str)
    return preview_document(rendition, kind, tone, written_in, BUILTIN)


def _before(data: InlineFacts, kind: MessageKind, tone: Tone, locale: str) -> bytes:
    facts = frozen.inline_facts(data, TODAY)
    rendition = frozen.compose_builtin(facts, kind, tone, locale, str)
    return frozen.preview_document(rendition, kind, tone, locale, BUILTIN)


def assert_as_before(data: InlineFacts, kind: MessageKind, tone: Tone, locale: str) -> None:
    expected = _outcome(_before, data, kind, tone, locale)
    assert _outcome(_today, data, kind, tone, locale) == expected


def _facts(text: str, index: int) -> InlineFacts:
    line = " ".join(text.split()) or "x"
    return InlineFacts.model_validate(
        {
            "candidate": {
                "name": line[:200],
                "email": f"c{index}@example.com",
                "pronouns": line[:40],
                "sign_as": line[:200],
            },
            "interviewer": {
                "name": line[:200],
                "title": line[:200],
                "email": f"i.{index}+x@example.com",
                "phone": "+44 (0)20 7946-0958",
                "pronouns": ["she/her", "they/them", "xe/xem/xyr", line[:40]][index % 4],
                "address_as": line[:200],
            },
            "company": line[:200],
            "role": line[:200],
            "interview_date": "2026-11-20",
            "requested_on": ["2026-11-25", "2026-10-01", None][index % 3],
            "call_at": ["2026-12-03T15:00:00Z", None][index % 2],
            "time_zone": ["UTC", "Asia/Kolkata", "America/New_York"][index % 3],
            # Blank ones are refused by the schema (tests/messages/test_blank_texts.py).
            "learned": text[:1000] if text.strip() else None,
            "news": text[:2000] if text.strip() else None,
            "leading_category": ["in_person", "on_paper", "direction", None][index % 4],
        }
    )


FIXED = [InlineFacts(), *(_facts(text, i) for i, text in enumerate(HOSTILE))]


@pytest.mark.parametrize(("kind", "tone", "locale"), CASES)
def test_every_built_in_writes_as_before(kind: MessageKind, tone: Tone, locale: str) -> None:
    for data in FIXED:
        assert_as_before(data, kind, tone, locale)


# Text a fact may hold: Markdown's and URLs' marks, non-ASCII, line breaks and spaces.
_ALPHABET = st.sampled_from(
    [*"aZ09 .,;:!?-+=#>*_`[]()<>&|~\\%@/'\"{}\n\t\r", "é", "“", "😀", "中", "\u00a0"]
)
_ANY = st.characters(
    codec="utf-8", exclude_characters="".join(map(chr, [*range(9), 11, 12, *range(14, 32), 127]))
)
_TEXT = st.text(_ALPHABET, max_size=60) | st.text(_ANY, max_size=30)
_LINE = _TEXT.map(lambda t: " ".join(t.replace("\x00", "").split())[:200] or None)


@st.composite
def _inline(draw: st.DrawFn) -> InlineFacts | None:
    def maybe(value: st.SearchStrategy[Any], absent: int = 4) -> Any:
        """Given, but one time in `absent` not (a kind needs some: rarely left out)."""
        return None if draw(st.integers(1, absent)) == 1 else draw(value)

    def needed(value: st.SearchStrategy[Any]) -> Any:
        return maybe(value.filter(bool), absent=12)

    raw = {
        "candidate": {
            "name": maybe(_LINE),
            "email": maybe(st.sampled_from(["alex@example.com", "a.b+c%d@exämple.com"])),
            "pronouns": maybe(_LINE.map(lambda t: t and t[:40])),
            "sign_as": maybe(_LINE),
        },
        "interviewer": {
            "name": needed(_LINE),
            "title": maybe(_LINE),
            "email": maybe(st.sampled_from(["dana@example.com", "o'neil@example.co.uk"])),
            "phone": maybe(st.sampled_from(["+1 (555) 010-0000", "020 7946 0958"])),
            "pronouns": maybe(st.sampled_from(["she/her", "he/him", "they", "ze/zir", "x/y/z"])),
            "address_as": maybe(_LINE),
        },
        "company": needed(_LINE),
        "role": needed(_LINE),
        "interview_date": maybe(st.dates(date(1990, 1, 1), date(2030, 1, 1))),
        "requested_on": maybe(st.dates(date(2026, 1, 1), TODAY)),
        "call_at": maybe(
            st.datetimes(datetime(2026, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC))
        ),
        "time_zone": draw(st.sampled_from(["UTC", "Europe/Paris", "Pacific/Chatham"])),
        "learned": needed(_TEXT),
        "news": maybe(_TEXT.filter(bool)),
        "leading_category": maybe(st.sampled_from(["in_person", "on_paper", "direction"])),
    }
    try:
        return InlineFacts.model_validate(raw)
    except ValidationError:
        return None


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=_inline(), case=st.sampled_from(CASES))
def test_any_facts_write_as_before(
    data: InlineFacts | None, case: tuple[MessageKind, Tone, str]
) -> None:
    if data is not None:
        assert_as_before(data, *case)


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.text(st.characters(exclude_categories=())), min_size=5, max_size=5),
    characters=st.integers(0, 10**6),
    template=st.sampled_from(
        [
            BUILTIN,
            TemplateRef(source="organization", id="tpl_01JD6Z3K8Q2W5X7Y9A1B3C5D7E", version=7),
        ]
    ),
    case=st.sampled_from(CASES),
)
def test_any_document_is_written_as_before(
    texts: list[str], characters: int, template: TemplateRef, case: tuple[MessageKind, Tone, str]
) -> None:
    """Any text (control characters, lone surrogates, non-ASCII), with or without a
    `mailto:` URL, for either kind of template."""
    subject, text, markdown, html, url = texts
    rendition = Rendition(
        subject=subject,
        text=text,
        markdown=markdown,
        html=html,
        mailto_url=url or None,
        questions=[],
        characters=characters,
    )
    kind, tone, locale = case

    def written(write: Any) -> Any:
        try:
            return write(rendition, kind, tone, locale, template)
        except PydanticSerializationError as exc:  # a lone surrogate
            return ("refused", str(exc))

    assert written(preview_document) == written(frozen.preview_document)
