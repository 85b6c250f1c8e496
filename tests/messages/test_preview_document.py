"""The message preview writes its answer in one pass, and its parts are made faster: each
gives the same bytes as what it replaced (the `MessagePreview` model serialised;
`urllib.parse.quote`; `header_safe` character by character; Babel without the caches),
over every kind, tone and locale, odd texts and Accept-Language variants."""

from __future__ import annotations

import itertools
import random
import re
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from app.core.config import Settings
from app.i18n import formatting
from app.i18n.locales import BUILTIN_LOCALES, LocaleUnavailable, builtin_locale, negotiate
from app.messages import facts
from app.messages.formats import header_safe, mailto
from app.messages.kinds import MessageKind, Tone
from app.messages.preview_document import preview_document
from app.messages.render import tidy
from app.messages.schemas import MessagePreview

ODD_TEXTS = [
    "",
    "plain",
    "Dana Lee <dana+jobs@example.com>",
    "  spaced   out \t tabs  ",
    "line\r\nbreak\rand\nmore\x00nul\x1b[31m\x7f",
    "é ü ß – “quotes” 😀 中文 \u00a0nbsp \u2028sep \u200bzw",
    "~_.-!*'();:@&=+$,/?#[]%20 100% \\ ` ^ { } | < >",
    "\ud800 lone",
]


def _previous_header_safe(value: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())


def _previous_mailto(to: str | None, subject: str, body: str) -> str:
    address = quote(to, safe="@") if to else ""
    crlf = "\r\n".join(body.splitlines())
    return (
        f"mailto:{address}?subject={quote(_previous_header_safe(subject), safe='')}"
        f"&body={quote(crlf, safe='')}"
    )


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_header_safe_as_before(text: str) -> None:
    assert header_safe(text) == _previous_header_safe(text)


def test_mailto_as_before() -> None:
    every_byte = "".join(map(chr, range(1, 0x800)))
    for to, subject, body in itertools.product(
        [None, "", "dana@example.com", "d a+n@ex ample.com"],
        [*ODD_TEXTS[:-1], every_byte],
        [*ODD_TEXTS[:-1], every_byte],
    ):
        assert mailto(to, subject, body) == _previous_mailto(to, subject, body)
    with pytest.raises(UnicodeEncodeError):
        _previous_mailto(None, "", ODD_TEXTS[-1])
    with pytest.raises(UnicodeEncodeError):
        mailto(None, "", ODD_TEXTS[-1])


def test_mailto_as_before_around_the_number_of_characters_to_escape() -> None:
    """Few different characters to escape (a `replace` each) and many (one table pass)."""
    rng = random.Random(14)  # noqa: S311 (test data)
    escaped = [*" \n%,;:!?'\"()&=+/#[]{}<>|^`\\$*@\t", "é", "ü", "€", "😀", "\u00a0", "\u2028"]
    for size in (1, 2, 5, 23, 24, 25, 26, len(escaped)):
        alphabet = ["a", "Z", "0", "-", "~", *rng.sample(escaped, size)]
        for _ in range(20):
            text = "".join(rng.choices(alphabet, k=rng.randint(0, 300)))
            assert mailto(text, text, text) == _previous_mailto(text, text, text), text


def _previous_tidy(text: str) -> str:
    text = text.replace("\r\n", "\n")
    if " \n" in text or "\t\n" in text:
        text = re.sub(r"[ \t]+$", "", text, flags=re.MULTILINE)
    if "  " in text or "\t" in text:
        text = re.sub(r"(?<=\S)[ \t]{2,}", " ", text)
    if any(f" {mark}" in text for mark in ",.;:!?") or "\t" in text:
        text = re.sub(r"[ \t]+(?=[,.;:!?])", "", text)
    if "\n\n\n" in text:
        text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


def test_tidy_as_before() -> None:
    rng = random.Random(14)  # noqa: S311 (test data)
    alphabet = [" ", " ", "\t", "\n", "\n", "\r", "\r\n", *",.;:!?", "a", "word", "é", "\u00a0"]
    texts = [*ODD_TEXTS[:-1], "a \n", "a  b", "a ,b", "a\t", "x \r\n y", "a\n\n\n\nb", " "]
    texts += ["".join(rng.choices(alphabet, k=rng.randint(0, 40))) for _ in range(3000)]
    for text in texts:
        assert tidy(text) == _previous_tidy(text), repr(text)


def test_the_cached_locale_helpers_answer_as_before() -> None:
    tags = ["en", "fr", "fr-CA", "de-CH", "ES", "es-419", "x-klingon", "it", "", "zh-Hant-TW"]
    for tag in tags * 2:  # the second time from the cache
        try:
            expected: str | type[Exception] = negotiate(BUILTIN_LOCALES, explicit=tag)
        except LocaleUnavailable:
            expected = LocaleUnavailable
        try:
            got: str | type[Exception] = builtin_locale(tag)
        except LocaleUnavailable:
            got = LocaleUnavailable
        assert got == expected, tag
    days = [date(2026, 1, 1), date(2026, 11, 20), date(1999, 12, 31)]
    for locale, day in itertools.product([*BUILTIN_LOCALES, "it", "pt_BR"], days):
        for _ in range(2):
            assert formatting.long_date(day, locale) == formatting.long_date.__wrapped__(
                day, locale
            )
    phrase = "{count, plural, one {# day ago} other {# days ago}}"
    for locale, count in itertools.product(BUILTIN_LOCALES, [0, 1, 2, 5, 21, 1000, 1.5]):
        for _ in range(2):
            uncached = formatting.Template(phrase).fill(
                {"count": count}, wording=formatting.Wording(formatting.formatting_locale(locale))
            )
            assert formatting.counted(phrase, count, locale) == uncached
    for locale, count in itertools.product([*BUILTIN_LOCALES, "it", "fr-CA"], [0, 1, 2, 15, 21]):
        for _ in range(2):
            for phrase in (
                facts.phrases(locale)[name] for name in ("count_minutes", "count_days_ago")
            ):
                uncached = formatting.counted(phrase, count, facts.texts_locale(locale))
                assert facts.counted(phrase, count, locale) == uncached
                assert facts.counted(phrase, float(count), locale) == formatting.counted(
                    phrase, float(count), facts.texts_locale(locale)
                )


def _body(kind: MessageKind, tone: Tone, locale: str, odd: str) -> dict[str, Any]:
    return {
        "kind": kind.value,
        "tone": tone.value,
        "locale": locale,
        "facts": {
            "candidate": {"name": "Alex Morgan", "pronouns": "they/them", "sign_as": odd or None},
            "interviewer": {
                "name": "Dana Lee",
                "email": "dana+jobs@example.com",
                "title": "Head of Design",
                "address_as": "Dana",
            },
            "company": f"Northwind {odd}".strip(),
            "role": "Product designer",
            "interview_date": "2026-11-20",
            "requested_on": "2026-11-01",
            "call_at": "2026-12-03T15:00:00Z",
            "time_zone": "Europe/Berlin",
            "learned": "that my portfolio needs one case study",
            "news": "I have started a UX research course",
            "leading_category": "on_paper",
        },
    }


def _previous_document(payload: dict[str, Any]) -> bytes:
    """What the route answered before: the preview as a model, written by its serialiser."""
    rendition_fields = {
        k: payload[k]
        for k in ("subject", "text", "markdown", "html", "mailto_url", "questions", "characters")
    }
    return (
        MessagePreview.model_validate(
            {
                **rendition_fields,
                "kind": payload["kind"],
                "tone": payload["tone"],
                "locale": payload["locale"],
                "template": payload["template"],
            }
        )
        .model_dump_json()
        .encode()
    )


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Every kind, tone and locale is more renders than a minute's budget."""
    return settings.model_copy(update={"rate_limit_renders": 10_000})


@pytest.mark.anyio
async def test_every_kind_tone_and_locale_answers_the_models_bytes(
    api: httpx.AsyncClient,
) -> None:
    locales = [*BUILTIN_LOCALES, "fr-CA", "de-CH", "EN-gb"]
    accept = [None, "fr", "de-CH, en;q=0.5", "*"]
    answered = 0
    for index, (kind, tone, locale) in enumerate(itertools.product(MessageKind, Tone, locales)):
        odd = ["", "é “quoted” 😀", "a  b  c", "100% <b>&</b>"][index % 4]
        language = accept[index % len(accept)]
        headers = {"Accept-Language": language} if language else {}
        response = await api.post(
            "/v1/messages/preview", json=_body(kind, tone, locale, odd), headers=headers
        )
        if response.status_code == 422:  # a LinkedIn message past its limit, say
            continue
        assert response.status_code == 200, response.text
        payload = response.json()
        assert response.content == _previous_document(payload), (kind, tone, locale)
        answered += 1
        assert response.headers["content-language"] == payload["locale"]
        assert [name for name, _ in response.headers.multi_items()][:3] == [
            "content-length",
            "content-type",
            "content-language",
        ]
        assert response.headers["content-type"] == "application/json"
    assert answered > 100


def test_the_document_writes_what_the_model_writes() -> None:
    from app.messages.schemas import CallQuestion, Rendition, TemplateRef

    rendition = Rendition(
        subject="S “é” \u2028",
        text="t\n",
        markdown="m\n",
        html="<p>h</p>\n",
        mailto_url=None,
        questions=[
            CallQuestion(
                key="k",
                title="T",
                ask="A?",
                follow_up="F",
                answer_keys=["a", "b"],
                focus_reason=None,
            )
        ],
        characters=0,
    )
    for template in (
        TemplateRef(source="builtin", id=None, version=None),
        TemplateRef(source="organization", id="tpl_1", version=3),
    ):
        expected = MessagePreview(
            **rendition.model_dump(),
            kind=MessageKind.CALL_SCRIPT,
            tone=Tone.CONCISE,
            locale="de",
            template=template,
        ).model_dump_json()
        document = preview_document(
            rendition, MessageKind.CALL_SCRIPT, Tone.CONCISE, "de", template
        )
        assert document == expected.encode()
