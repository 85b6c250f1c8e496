"""An organisation's template is written in its own locale. In one Debrief does not write
in (`it`), it gets no English: reading a text Debrief writes (the greeting, the call
questions, the counted nouns, the English pronoun forms) is a 422 naming each, on saving
and previewing alike; dates come in that locale from Babel."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.messages.template_checks import DEBRIEF_TEXTS

pytestmark = pytest.mark.anyio

ITALIAN = {
    "key": "richiesta",
    "kind": "feedback_request_email",
    "tone": "formal",
    "locale": "it",
    "subject": "Un breve riscontro sul ruolo di {{ role }}",
    "body": "Buongiorno{% if interviewer.address_as %} {{ interviewer.address_as }}{% endif %},"
    "\n\ngrazie ancora per il colloquio del {{ interview_date }} presso {{ company }}."
    "\n\n{{ candidate.signature }}",
}
FACTS = {
    "candidate": {"name": "Alex Morgan"},
    "interviewer": {"name": "Dana Lee", "address_as": "Dana"},
    "company": "Northwind",
    "role": "Designer",
    "interview_date": "2026-03-14",
}


async def test_a_template_that_writes_its_own_words_renders_with_no_english(
    api: httpx.AsyncClient,
) -> None:
    created = await api.post("/v1/templates", json=ITALIAN)
    assert created.status_code == 201, created.text
    preview = await api.post(
        "/v1/messages/preview",
        json={"kind": "feedback_request_email", "template": created.json()["id"], "facts": FACTS},
    )
    assert preview.status_code == 200, preview.text
    assert preview.headers["content-language"] == "it"
    assert preview.json()["locale"] == "it"
    text = preview.json()["text"]
    assert text.startswith("Buongiorno Dana,")
    assert "14 marzo 2026" in text


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ("{{ greeting }}\n\nGrazie.", "greeting"),
        ("Grazie per {{ call.length }}.", "call.length"),
        ("Ringrazi {{ interviewer.them }}.", "interviewer.them"),
        ("{% for q in questions %}{{ q.ask }}{% endfor %}", "questions"),
        ("{{ closing_notes }}", "closing_notes"),
    ],
)
async def test_a_template_in_a_locale_debrief_lacks_cannot_read_debriefs_words(
    api: httpx.AsyncClient, body: str, path: str
) -> None:
    refused = await api.post("/v1/templates", json={**ITALIAN, "body": body})
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["errors"][0]["code"] == "texts_missing"
    assert problem["errors"][0]["pointer"] == "/body/body"
    assert f"`{path}`" in problem["errors"][0]["detail"]
    preview = await api.post(
        "/v1/templates/preview",
        json={
            "kind": "feedback_request_email",
            "locale": "it",
            "subject": "x",
            "body": body,
            "facts": FACTS,
        },
    )
    assert preview.status_code == 422
    assert preview.json()["errors"][0]["code"] == "texts_missing"
    # The same template in a locale Debrief writes in is fine.
    fine = await api.post("/v1/templates", json={**ITALIAN, "body": body, "locale": "fr"})
    assert fine.status_code == 201, fine.text


async def test_dates_in_a_locale_babel_lacks_are_refused_too(api: httpx.AsyncClient) -> None:
    refused = await api.post("/v1/templates", json={**ITALIAN, "locale": "qaa"})
    assert refused.status_code == 422
    assert "`interview_date`" in refused.json()["errors"][0]["detail"]


async def test_a_template_is_rendered_in_its_own_locale_not_the_candidates(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    created = await api.post("/v1/templates", json=ITALIAN)
    written = await api.post(
        f"/v1/sessions/{session_['id']}/messages",
        json={"kind": "feedback_request_email", "template": created.json()["id"]},
    )
    assert written.status_code == 201, written.text
    assert written.headers["content-language"] == "it"
    assert written.json()["locale"] == "it"


def test_every_variable_debrief_writes_is_listed() -> None:
    assert {"greeting", "questions", "closing_notes", "call.length", "request.elapsed"} <= (
        DEBRIEF_TEXTS
    )
