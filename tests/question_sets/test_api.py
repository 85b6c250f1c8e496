from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

MERGE_PATCH = {"content-type": "application/merge-patch+json"}

MY_SET: dict[str, Any] = {
    "key": "coach-checkin",
    "purpose": "self_reflection",
    "title": "Weekly check-in",
    "default_locale": "en",
    "sections": [
        {
            "key": "mood",
            "title": "How it went",
            "questions": [
                {
                    "key": "applied",
                    "kind": "yes_no",
                    "prompt": "Did you apply anywhere?",
                    "required": True,
                },
                {
                    "key": "how_many",
                    "kind": "number",
                    "prompt": "How many applications?",
                    "min": 1,
                    "max": 100,
                    "show_if": {"==": [{"var": "applied"}, True]},
                },
                {
                    "key": "channel",
                    "kind": "single_choice",
                    "prompt": "Best channel?",
                    "options": [
                        {"key": "referral", "label": "Referral"},
                        {"key": "job_board", "label": "Job board"},
                    ],
                },
            ],
        }
    ],
    "translations": {
        "fr": {
            "title": "Point hebdomadaire",
            "sections": {"mood": {"title": "Comment ça s'est passé"}},
            "questions": {
                "applied": {"prompt": "Avez-vous postulé quelque part ?"},
                "channel": {"options": {"referral": "Recommandation"}},
            },
        }
    },
}


async def create(api: httpx.AsyncClient, body: dict[str, Any] | None = None) -> httpx.Response:
    return await api.post("/v1/question-sets", json=body or MY_SET)


async def test_builtins_are_listed_and_readable(api: httpx.AsyncClient) -> None:
    listing = (await api.get("/v1/question-sets")).json()
    keys = [item["key"] for item in listing["items"]]
    assert keys == ["interviewer-feedback", "self-reflection"]
    assert all(item["builtin"] and item["status"] == "published" for item in listing["items"])
    response = await api.get("/v1/question-sets/self-reflection")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1
    assert body["locale"] == "en"
    assert response.headers["content-language"] == "en"
    assert body["sections"][4]["show_if"] == {"==": [{"var": "wanted_job"}, True]}
    same = await api.get("/v1/question-sets/self-reflection/versions/1")
    assert same.json() == body
    assert (await api.get("/v1/question-sets/self-reflection/versions/2")).status_code == 404
    cached = await api.get(
        "/v1/question-sets/self-reflection", headers={"If-None-Match": response.headers["etag"]}
    )
    assert cached.status_code == 304


async def test_filters(api: httpx.AsyncClient) -> None:
    await create(api)
    feedback = await api.get("/v1/question-sets", params={"purpose": "interviewer_feedback"})
    assert [i["key"] for i in feedback.json()["items"]] == ["interviewer-feedback"]
    drafts = (await api.get("/v1/question-sets", params={"status": "draft"})).json()["items"]
    assert [i["key"] for i in drafts] == ["coach-checkin"]
    by_key = (await api.get("/v1/question-sets", params={"key": "coach-checkin"})).json()
    assert len(by_key["items"]) == 1
    paged = (await api.get("/v1/question-sets", params={"limit": 2})).json()
    rest = (
        await api.get("/v1/question-sets", params={"limit": 2, "cursor": paged["next_cursor"]})
    ).json()
    assert [i["key"] for i in paged["items"] + rest["items"]] == [
        "interviewer-feedback",
        "self-reflection",
        "coach-checkin",
    ]
    assert rest["next_cursor"] is None


async def test_lifecycle_draft_edit_publish_retire(api: httpx.AsyncClient) -> None:
    created = await create(api)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/v1/question-sets/coach-checkin/versions/1"
    draft = created.json()
    assert (draft["status"], draft["version"], draft["builtin"]) == ("draft", 1, False)
    assert draft["available_locales"] == ["en", "fr"]
    url = "/v1/question-sets/coach-checkin/versions/1"

    # Not offered before it is published.
    assert (await api.get("/v1/question-sets/coach-checkin")).status_code == 404

    edited = await api.patch(
        url,
        json={"title": "Weekly check-in (v1)"},
        headers={**MERGE_PATCH, "If-Match": created.headers["etag"]},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["title"] == "Weekly check-in (v1)"
    stale = await api.patch(url, json={"title": "x"}, headers={"If-Match": created.headers["etag"]})
    assert stale.status_code == 412

    published = await api.post(f"{url}/publish")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published.json()["published_at"]
    latest = await api.get("/v1/question-sets/coach-checkin")
    assert latest.json()["version"] == 1

    for attempt in (
        api.patch(url, json={"title": "changed"}),
        api.delete(url),
    ):
        response = await attempt
        assert response.status_code == 409
        assert response.json()["type"] == "/problems/conflict"

    second = await create(api, {**MY_SET, "title": "Weekly check-in v2"})
    assert second.json()["version"] == 2
    again = await create(api)
    assert again.status_code == 409  # one draft at a time
    assert (await api.post("/v1/question-sets/coach-checkin/versions/2/publish")).status_code == 200
    assert (await api.get("/v1/question-sets/coach-checkin")).json()["version"] == 2

    retired = await api.post("/v1/question-sets/coach-checkin/versions/2/retire")
    assert retired.json()["status"] == "retired"
    assert (await api.get("/v1/question-sets/coach-checkin")).json()["version"] == 1
    versions = (await api.get("/v1/question-sets/coach-checkin/versions")).json()["items"]
    assert [(v["version"], v["status"]) for v in versions] == [(1, "published"), (2, "retired")]
    assert (await api.post(f"{url}/publish")).status_code == 200  # already published: no-op


async def test_drafts_can_be_deleted(api: httpx.AsyncClient) -> None:
    await create(api)
    url = "/v1/question-sets/coach-checkin/versions/1"
    assert (await api.delete(url)).status_code == 204
    assert (await api.get(url)).status_code == 404
    assert (await create(api)).json()["version"] == 1


async def test_builtins_cannot_be_changed_or_shadowed(api: httpx.AsyncClient) -> None:
    url = "/v1/question-sets/self-reflection/versions/1"
    for response in (
        await api.patch(url, json={"title": "Mine now"}),
        await api.post(f"{url}/retire"),
        await api.delete(url),
    ):
        assert response.status_code == 409
    shadow = await create(api, {**MY_SET, "key": "self-reflection"})
    assert shadow.status_code == 409
    assert shadow.json()["errors"][0]["pointer"] == "/body/key"


async def test_purpose_is_fixed_per_key(api: httpx.AsyncClient) -> None:
    await create(api)
    await api.post("/v1/question-sets/coach-checkin/versions/1/publish")
    other = await create(api, {**MY_SET, "purpose": "interviewer_feedback"})
    assert other.status_code == 409
    assert other.json()["errors"][0]["pointer"] == "/body/purpose"


async def test_locales_by_query_and_accept_language(api: httpx.AsyncClient) -> None:
    await create(api)
    url = "/v1/question-sets/coach-checkin/versions/1"
    french = await api.get(url, headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"})
    body = french.json()
    assert french.headers["content-language"] == "fr"
    assert body["title"] == "Point hebdomadaire"
    questions = body["sections"][0]["questions"]
    assert questions[0]["prompt"] == "Avez-vous postulé quelque part ?"
    assert questions[1]["prompt"] == "How many applications?"  # untranslated: default
    assert questions[2]["options"][0]["label"] == "Recommandation"
    assert body["sections"][0]["title"] == "Comment ça s'est passé"
    english = await api.get(url, params={"locale": "en"}, headers={"Accept-Language": "fr"})
    assert english.json()["title"] == "Weekly check-in"
    unknown = await api.get(url, headers={"Accept-Language": "de-DE"})
    assert unknown.headers["content-language"] == "en"
    assert french.headers["etag"] != english.headers["etag"]
    # Any locale's ETag of the current revision is good for If-Match.
    patched = await api.patch(
        url, json={"title": "T"}, headers={"If-Match": french.headers["etag"]}
    )
    assert patched.status_code == 200


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"key": "Bad Key"}, "/body/key"),
        ({"title": ""}, "/body/title"),
        ({"purpose": "vibes"}, "/body/purpose"),
        ({"surprise": 1}, "/body/surprise"),
        ({"sections": []}, "/body/sections"),
    ],
)
async def test_invalid_sets_point_at_the_field(
    api: httpx.AsyncClient, change: dict[str, Any], pointer: str
) -> None:
    response = await create(api, {**MY_SET, **change})
    assert response.status_code == 422
    assert pointer in [e["pointer"] for e in response.json()["errors"]]


async def test_definition_problems_point_into_the_body(api: httpx.AsyncClient) -> None:
    body = copy.deepcopy(MY_SET)
    body["sections"][0]["questions"][1]["show_if"] = {"==": [{"var": "channel"}, "referral"]}
    body["sections"][0]["questions"][2]["kind"] = "multi_choice"
    body["translations"]["fr"]["questions"]["ghost"] = {"prompt": "Fantôme ?"}
    response = await create(api, body)
    assert response.status_code == 422
    pointers = [e["pointer"] for e in response.json()["errors"]]
    assert "/body/sections/0/questions/1/show_if/==/0/var" in pointers  # a later question
    assert "/body/translations/fr/questions/ghost" in pointers


async def test_limits_are_refused(api: httpx.AsyncClient) -> None:
    body = copy.deepcopy(MY_SET)
    question = body["sections"][0]["questions"][2]
    question["options"] = [{"key": f"o{i}", "label": "L"} for i in range(31)]
    too_many_options = await create(api, body)
    assert too_many_options.status_code == 422
    assert "/body/sections/0/questions/2/options" in [
        e["pointer"] for e in too_many_options.json()["errors"]
    ]
    body = copy.deepcopy(MY_SET)
    body["sections"] = [
        {
            "key": f"s{n}",
            "title": "S",
            "questions": [{"key": f"q{n}_{i}", "kind": "yes_no", "prompt": "?"} for i in range(6)],
        }
        for n in range(18)
    ]
    too_many_questions = await create(api, body)
    assert too_many_questions.status_code == 422
    assert "more than 100 questions" in too_many_questions.text


async def test_a_condition_bomb_is_refused(api: httpx.AsyncClient) -> None:
    body = copy.deepcopy(MY_SET)
    bomb: Any = {"var": "applied"}
    for _ in range(500):
        bomb = {"!": bomb}
    body["sections"][0]["questions"][1]["show_if"] = bomb
    deep = await create(api, body)
    assert deep.status_code == 422
    body["sections"][0]["questions"][1]["show_if"] = {"in": [{"var": "applied"}, [1] * 5000]}
    wide = await create(api, body)
    assert wide.status_code == 422
    assert "more than 100 items" in wide.text


async def test_validate_checks_answers_and_stores_nothing(api: httpx.AsyncClient) -> None:
    url = "/v1/question-sets/self-reflection/versions/1/validate"
    good = await api.post(url, json={"answers": {"wow_self_rating": 4, "wanted_job": False}})
    assert good.status_code == 200
    assert good.json()["valid"]
    assert good.json()["complete"]
    assert "better_fit_positions" in good.json()["shown"]
    bad = (
        await api.post(
            url,
            json={
                "answers": {"wow_self_rating": 9, "wanted_job": False, "willing_to_invest": True}
            },
        )
    ).json()
    assert not bad["valid"]
    assert [p["pointer"] for p in bad["problems"]] == [
        "/answers/wow_self_rating",
        "/answers/willing_to_invest",
    ]
    missing = (await api.post(url, json={"answers": {}})).json()
    assert missing["valid"]
    assert not missing["complete"]
    assert missing["missing_required"] == ["wow_self_rating", "wanted_job"]
    assert (await api.post(url, json={"answers": {}, "extra": 1})).status_code == 422


async def test_other_tenants_sets_are_invisible(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient
) -> None:
    await create(api)
    url = "/v1/question-sets/coach-checkin/versions/1"
    for response in (
        await other_api.get(url),
        await other_api.get("/v1/question-sets/coach-checkin/versions"),
        await other_api.patch(url, json={"title": "mine"}),
        await other_api.post(f"{url}/publish"),
        await other_api.delete(url),
        await other_api.post(f"{url}/validate", json={"answers": {}}),
    ):
        assert response.status_code == 404, response.request.url
    theirs = (await other_api.get("/v1/question-sets", params={"limit": 100})).json()["items"]
    assert "coach-checkin" not in [i["key"] for i in theirs]
    # The key is theirs to use too.
    assert (await create(other_api)).status_code == 201
    assert (await api.get(url)).json()["title"] == "Weekly check-in"
