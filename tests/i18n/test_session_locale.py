"""A session's own locale: nullable (the candidate's), in create, update and read; the
request's locale wins over it, it wins over the candidate's, which wins over
Accept-Language; a locale Debrief lacks is a 422 listing those it has."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from app.i18n.locales import BUILTIN_LOCALES
from tests.candidates.test_candidates import ALEX
from tests.sessions.conftest import SESSION

pytestmark = pytest.mark.anyio
REFS = itertools.count()

REFLECTION = {
    "wanted_job": True,
    "wow_self_rating": 2,
    "articulated_fit": False,
    "interviewer_signals": ["bored"],
    "enthusiasm": 4,
    "had_advocate": True,
}
# A word each locale's explanation of `fit_not_articulated` uses and no other does.
MARKERS = {"en": "best person", "fr": "bonne personne", "es": "mejor persona", "de": "beste Person"}


async def _session(api: httpx.AsyncClient, candidate_locale: str, **extra: Any) -> dict[str, Any]:
    person = {**ALEX, "locale": candidate_locale, "external_ref": f"ref-{next(REFS)}"}
    candidate = await api.post("/v1/candidates", json=person)
    assert candidate.status_code == 201, candidate.text
    created = await api.post(
        "/v1/sessions", json={**SESSION, "candidate_id": candidate.json()["id"], **extra}
    )
    assert created.status_code == 201, created.text
    answered = await api.put(
        f"/v1/sessions/{created.json()['id']}/answers", json={"answers": REFLECTION}
    )
    assert answered.status_code == 200, answered.text
    return dict(created.json())


async def _diagnosis_locale(
    api: httpx.AsyncClient, session_id: str, body: dict[str, Any], accept: str | None = None
) -> str:
    headers = {"Accept-Language": accept} if accept else {}
    response = await api.post(f"/v1/sessions/{session_id}/diagnoses", json=body, headers=headers)
    assert response.status_code == 201, response.text
    locale = response.headers["content-language"]
    assert response.json()["locale"] == locale
    because = " ".join(f["because"] for f in response.json()["verdict"]["fired_rules"])
    assert MARKERS[locale] in because, because
    again = await api.get(f"/v1/diagnoses/{response.json()['id']}")
    assert again.headers["content-language"] == locale
    return locale


async def test_a_session_locale_is_stored_read_and_reset_to_the_candidates(
    api: httpx.AsyncClient,
) -> None:
    session = await _session(api, "de", locale="fr")
    assert session["locale"] == "fr"
    url = f"/v1/sessions/{session['id']}"
    assert await _diagnosis_locale(api, session["id"], {}) == "fr"
    etag = (await api.get(url)).headers["etag"]
    reset = await api.patch(url, json={"locale": None}, headers={"If-Match": etag})
    assert reset.status_code == 200, reset.text
    assert reset.json()["locale"] is None
    assert await _diagnosis_locale(api, session["id"], {}) == "de"


async def test_the_request_wins_then_the_session_then_the_candidate_then_accept_language(
    api: httpx.AsyncClient,
) -> None:
    session = await _session(api, "es", locale="fr")
    assert await _diagnosis_locale(api, session["id"], {"locale": "de"}, "en") == "de"
    assert await _diagnosis_locale(api, session["id"], {}, "de") == "fr"
    plain = await _session(api, "es")
    assert await _diagnosis_locale(api, plain["id"], {}, "de") == "es"
    # A profile locale Debrief lacks is a preference, not a demand: negotiation goes on.
    unserved = await _session(api, "ja")
    assert await _diagnosis_locale(api, unserved["id"], {}, "de-AT, fr;q=0.5") == "de"
    assert await _diagnosis_locale(api, unserved["id"], {}) == "en"


async def test_messages_and_the_call_script_follow_the_session(api: httpx.AsyncClient) -> None:
    session = await _session(api, "en", locale="es")
    url = f"/v1/sessions/{session['id']}/messages"
    script = await api.post(url, json={"kind": "call_script"})
    assert script.status_code == 201, script.text
    assert script.headers["content-language"] == "es"
    assert script.json()["locale"] == "es"
    asked = await api.post(url, json={"kind": "feedback_request_email", "locale": "de"})
    assert asked.json()["locale"] == "de"
    listed = await api.get(url)
    assert listed.headers["content-language"] == "es, de"


@pytest.mark.parametrize("where", ["create", "update", "diagnose"])
async def test_a_locale_debrief_lacks_is_a_422_listing_the_available(
    api: httpx.AsyncClient, where: str
) -> None:
    if where == "create":
        candidate = await api.post("/v1/candidates", json=ALEX)
        response = await api.post(
            "/v1/sessions",
            json={**SESSION, "candidate_id": candidate.json()["id"], "locale": "it"},
        )
    else:
        session = await _session(api, "en")
        url = f"/v1/sessions/{session['id']}"
        if where == "update":
            etag = (await api.get(url)).headers["etag"]
            response = await api.patch(url, json={"locale": "it"}, headers={"If-Match": etag})
        else:
            response = await api.post(f"{url}/diagnoses", json={"locale": "pt-BR"})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("/locale-not-available")
    assert problem["available_locales"] == list(BUILTIN_LOCALES)
    assert problem["errors"][0]["pointer"] == "/body/locale"
