from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from app.diagnosis.builtin import DEFAULT_RULE_SET
from tests.sessions.conftest import SESSION

pytestmark = pytest.mark.anyio

REFLECTION = {
    "wanted_job": True,
    "wow_self_rating": 2,
    "articulated_fit": False,
    "interviewer_signals": ["bored"],
    "enthusiasm": 4,
    "had_advocate": True,
}


async def test_preview_returns_an_explained_verdict(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/v1/diagnoses/preview",
        json={"answers": REFLECTION, "session": {"stage_reached": "first_interview"}},
    )
    assert response.status_code == 200, response.text
    verdict = response.json()
    assert verdict["primary_category"] == "in_person"
    assert verdict["rule_set"]["key"] == "default"
    assert verdict["rule_set"]["content_hash"] == DEFAULT_RULE_SET.compiled.hash
    fired = {f["id"]: f for f in verdict["fired_rules"]}
    assert "bored" in fired["negative_signals"]["because"]
    assert fired["negative_signals"]["held"]
    assert verdict["next_steps"][0]["id"] == "rehearse_fit"
    assert {c["key"] for c in verdict["categories"]} == {"in_person", "on_paper", "direction"}


async def test_preview_checks_answers_and_inline_rule_sets(api: httpx.AsyncClient) -> None:
    bad = await api.post("/v1/diagnoses/preview", json={"answers": {"wow_self_rating": 9}})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["pointer"] == "/body/answers/wow_self_rating"
    hostile = DEFAULT_RULE_SET.compiled.content.model_dump(mode="json")
    hostile["rules"][0]["when"] = {"var": "__class__"}
    refused = await api.post(
        "/v1/diagnoses/preview", json={"answers": REFLECTION, "rule_set": hostile}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "/body/rule_set/rules/0/when/var"
    inline = copy.deepcopy(DEFAULT_RULE_SET.compiled.content.model_dump(mode="json"))
    ok = await api.post("/v1/diagnoses/preview", json={"answers": REFLECTION, "rule_set": inline})
    assert ok.json()["rule_set"]["key"] == "inline"


async def test_session_diagnoses_with_history_and_action_items(
    api: httpx.AsyncClient, candidate: dict[str, Any]
) -> None:
    ids = []
    for company in ("A", "B", "C"):
        ses = (
            await api.post(
                "/v1/sessions",
                json={
                    **SESSION,
                    "company": company,
                    "candidate_id": candidate["id"],
                    "stage_reached": "first_interview",
                },
            )
        ).json()
        await api.put(f"/v1/sessions/{ses['id']}/answers", json={"answers": REFLECTION})
        ids.append(ses["id"])
    first = await api.post(f"/v1/sessions/{ids[0]}/diagnoses", json={})
    assert first.status_code == 201, first.text
    assert first.headers["location"] == f"/v1/diagnoses/{first.json()['id']}"
    assert first.json()["verdict"]["primary_category"] == "in_person"
    await api.post(f"/v1/sessions/{ids[1]}/diagnoses", json={})
    third = (
        await api.post(f"/v1/sessions/{ids[2]}/diagnoses", json={"create_action_items": True})
    ).json()
    assert third["verdict"]["pattern"] == ["in_person"]
    assert "pattern_in_person" in {f["id"] for f in third["verdict"]["fired_rules"]}
    created = third["action_items_created"]
    assert created
    again = (
        await api.post(f"/v1/sessions/{ids[2]}/diagnoses", json={"create_action_items": True})
    ).json()
    assert again["action_items_created"] == []  # no duplicates on a re-run
    items = (await api.get(f"/v1/sessions/{ids[2]}/action-items")).json()["items"]
    assert {i["source"] for i in items} == {"diagnosis"}
    assert len(items) == len(created)
    history = (await api.get(f"/v1/sessions/{ids[2]}/diagnoses")).json()["items"]
    assert [d["id"] for d in history] == [third["id"], again["id"]]
    one = (await api.get(f"/v1/diagnoses/{third['id']}")).json()
    assert one["verdict"] == third["verdict"]
    assert one["inputs_hash"].startswith("sha256:")
    insights = (await api.get(f"/v1/candidates/{candidate['id']}/insights")).json()
    assert insights["recurring_categories"] == [{"category": "in_person", "sessions": 3}]


async def test_unknown_named_rule_set(api: httpx.AsyncClient, session_: dict[str, Any]) -> None:
    response = await api.post(
        f"/v1/sessions/{session_['id']}/diagnoses", json={"rule_set": "nope@1"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/body/rule_set"


async def test_other_tenants_diagnoses_are_invisible(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    diagnosis = (await api.post(f"/v1/sessions/{session_['id']}/diagnoses", json={})).json()
    for response in (
        await other_api.get(f"/v1/diagnoses/{diagnosis['id']}"),
        await other_api.get(f"/v1/sessions/{session_['id']}/diagnoses"),
        await other_api.post(f"/v1/sessions/{session_['id']}/diagnoses", json={}),
    ):
        assert response.status_code == 404
