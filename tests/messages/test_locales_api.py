"""Over HTTP: texts in the locale asked for, with Content-Language; an explicit locale
that nothing serves is a 422 listing the available ones, never a silent English."""

from __future__ import annotations

import httpx
import pytest

from app.i18n.locales import BUILTIN_LOCALES

pytestmark = pytest.mark.anyio

FACTS = {
    "candidate": {"name": "Alex Morgan"},
    "interviewer": {"name": "Dana Lee"},
    "company": "Northwind",
    "role": "Designer",
    "interview_date": "2026-03-14",
}
OPENINGS = {
    "en": "Dear Dana Lee,",
    "fr": "Bonjour Dana Lee,",
    "es": "Buenos días, Dana Lee:",
    "de": "Guten Tag Dana Lee,",
}
DATES = {
    "en": "14 March 2026",
    "fr": "14 mars 2026",
    "es": "14 de marzo de 2026",
    "de": "14. März 2026",
}


async def test_a_preview_is_written_in_the_locale_asked_for(api: httpx.AsyncClient) -> None:
    for locale in BUILTIN_LOCALES:
        await _preview_in(api, locale)


async def _preview_in(api: httpx.AsyncClient, locale: str) -> None:
    response = await api.post(
        "/v1/messages/preview",
        json={
            "kind": "feedback_request_email",
            "tone": "formal",
            "locale": f"{locale}-CA",
            "facts": FACTS,
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == locale
    body = response.json()
    assert body["locale"] == locale
    assert body["text"].startswith(OPENINGS[locale])
    assert DATES[locale] in body["text"]


async def test_a_preview_in_a_locale_nothing_serves_is_a_422_listing_the_available(
    api: httpx.AsyncClient,
) -> None:
    response = await api.post(
        "/v1/messages/preview",
        json={"kind": "feedback_request_email", "locale": "ja", "facts": FACTS},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/locale-not-available")
    assert problem["available_locales"] == list(BUILTIN_LOCALES)
    assert problem["errors"][0]["pointer"] == "/body/locale"


async def test_a_question_set_asked_for_in_a_locale_it_lacks_is_a_422(
    api: httpx.AsyncClient,
) -> None:
    url = "/v1/question-sets/self-reflection/versions/1"
    refused = await api.get(url, params={"locale": "ja"})
    assert refused.status_code == 422
    assert refused.json()["available_locales"][0] == "en"
    fallback = await api.get(url, headers={"Accept-Language": "ja"})
    assert fallback.status_code == 200
    assert fallback.headers["content-language"] == "en"
    assert "Accept-Language" in fallback.headers["vary"]


async def test_a_problem_is_answered_in_the_callers_language(api: httpx.AsyncClient) -> None:
    for locale, title in (
        ("fr-FR", "Introuvable"),
        ("es", "No encontrado"),
        ("de", "Nicht gefunden"),
    ):
        missing = await api.get(
            "/v1/candidates/cand_01JD6Z3K8Q2W5X7Y9A1B3C5D7E", headers={"Accept-Language": locale}
        )
        assert missing.status_code == 404
        assert missing.headers["content-language"] == locale[:2]
        assert "Accept-Language" in missing.headers["vary"]
        assert missing.json()["title"] == title
    english = await api.get("/v1/candidates/cand_01JD6Z3K8Q2W5X7Y9A1B3C5D7E")
    assert english.headers["content-language"] == "en"
    assert english.json()["title"] == "Not Found"
