from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from app.diagnosis.builtin import BUILTIN_VERSIONS, DEFAULT_RULE_SET

pytestmark = pytest.mark.anyio


def my_rule_set(**changes: Any) -> dict[str, Any]:
    content = copy.deepcopy(DEFAULT_RULE_SET.compiled.content.model_dump(mode="json"))
    content["title"] = "Coach rules"
    return {"key": "coach-rules", **content, **changes}


async def test_listing_shows_the_default_as_active(api: httpx.AsyncClient) -> None:
    items = (await api.get("/v1/rule-sets")).json()["items"]
    assert [(i["key"], i["builtin"], i["active"]) for i in items] == [("default", True, True)]
    default = (await api.get(f"/v1/rule-sets/default/versions/{DEFAULT_RULE_SET.version}")).json()
    assert default["content_hash"] == DEFAULT_RULE_SET.compiled.hash
    assert default["content"]["combination"] == "strongest_evidence"
    # Earlier versions stay readable and activatable: diagnoses and activations name them.
    first = (await api.get("/v1/rule-sets/default/versions/1")).json()
    assert first["content_hash"] == BUILTIN_VERSIONS["default", 1].compiled.hash
    assert first["content"]["combination"] == "certainty_factors"


async def test_lifecycle_validate_publish_activate(api: httpx.AsyncClient) -> None:
    created = await api.post("/v1/rule-sets", json=my_rule_set())
    assert created.status_code == 201, created.text
    url = "/v1/rule-sets/coach-rules/versions/1"
    assert created.json()["status"] == "draft"
    assert created.json()["content_hash"] is None

    broken_rules = copy.deepcopy(my_rule_set()["rules"])
    broken_rules[1]["when"] = {"var": "answers.salary"}
    patched = await api.patch(url, json={"rules": broken_rules})
    assert patched.status_code == 200
    check = (await api.post(f"{url}/validate")).json()
    assert not check["valid"]
    assert check["problems"][0]["pointer"] == "/rules/1/when/var"
    assert (await api.post(f"{url}/publish")).status_code == 422

    fixed = await api.patch(url, json={"rules": my_rule_set()["rules"]})
    assert (await api.post(f"{url}/validate")).json() == {"valid": True, "problems": []}
    assert (await api.post(f"{url}/activate")).status_code == 409  # a draft
    published = await api.post(f"{url}/publish", headers={"If-Match": fixed.headers["etag"]})
    assert published.status_code == 200, published.text
    digest = published.json()["content_hash"]
    assert digest.startswith("sha256:")
    assert (await api.patch(url, json={"title": "changed"})).status_code == 409
    assert (await api.get(url)).json()["content_hash"] == digest  # never changes

    activated = await api.post(f"{url}/activate")
    assert activated.json()["active"] is True
    listing = (await api.get("/v1/rule-sets")).json()["items"]
    assert {i["key"]: i["active"] for i in listing} == {"default": False, "coach-rules": True}
    preview = await api.post("/v1/diagnoses/preview", json={"answers": {"wanted_job": False}})
    assert preview.json()["rule_set"] == {
        "key": "coach-rules",
        "version": 1,
        "content_hash": digest,
    }


async def test_failing_embedded_tests_block_publishing(api: httpx.AsyncClient) -> None:
    body = my_rule_set()
    body["tests"][0]["expect"]["primary_category"] = "direction"
    await api.post("/v1/rule-sets", json=body)
    response = await api.post("/v1/rule-sets/coach-rules/versions/1/publish")
    assert response.status_code == 409
    assert response.json()["failing_tests"] == [body["tests"][0]["name"]]


async def test_dry_run_reports_tests_and_changed_verdicts(api: httpx.AsyncClient) -> None:
    body = my_rule_set()
    for rule in body["rules"]:
        if rule["id"] == "did_not_want_job":
            rule["cf"] = 0.1  # weaker direction evidence
    body["tests"] = []
    await api.post("/v1/rule-sets", json=body)
    sample = {
        "name": "did not want it",
        "inputs": {
            "answers": {
                "wanted_job": False,
                "wow_self_rating": 3,
                "interviewer_signals": ["bored"],
                "articulated_fit": False,
            }
        },
    }
    report = await api.post("/v1/rule-sets/coach-rules/versions/1/test", json={"samples": [sample]})
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["active"] == f"default@{DEFAULT_RULE_SET.version}"
    (outcome,) = body["samples"]
    assert outcome["active_primary_category"] != outcome["primary_category"]
    assert outcome["changed"] is True
    embedded = (await api.post("/v1/rule-sets/default/versions/1/test", json={})).json()
    assert embedded["passed"]
    assert len(embedded["tests"]) >= 10


async def test_builtin_is_immutable_and_cannot_be_shadowed(api: httpx.AsyncClient) -> None:
    assert (
        await api.patch("/v1/rule-sets/default/versions/1", json={"title": "x"})
    ).status_code == 409
    shadow = await api.post("/v1/rule-sets", json=my_rule_set(key="default"))
    assert shadow.status_code == 409


async def test_limits_on_untrusted_rule_sets(api: httpx.AsyncClient) -> None:
    rule = my_rule_set()["rules"][0]
    many = await api.post(
        "/v1/rule-sets", json=my_rule_set(rules=[{**rule, "id": f"r{i}"} for i in range(301)])
    )
    assert many.status_code == 422
    assert "/body/rules" in [e["pointer"] for e in many.json()["errors"]]
    long_text = await api.post("/v1/rule-sets", json=my_rule_set(title="x" * 1001))
    assert long_text.status_code == 422


async def test_other_tenants_rule_sets_are_invisible(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient
) -> None:
    await api.post("/v1/rule-sets", json=my_rule_set())
    url = "/v1/rule-sets/coach-rules/versions/1"
    for response in (
        await other_api.get(url),
        await other_api.patch(url, json={"title": "mine"}),
        await other_api.post(f"{url}/publish"),
        await other_api.post(f"{url}/validate"),
        await other_api.post(f"{url}/test", json={}),
    ):
        assert response.status_code == 404
    keys = [i["key"] for i in (await other_api.get("/v1/rule-sets")).json()["items"]]
    assert keys == ["default"]


async def test_deeply_nested_rules_are_a_422_not_a_crash(api: httpx.AsyncClient) -> None:
    rules = my_rule_set()["rules"]
    deep: Any = {"var": "answers.wanted_job"}
    for _ in range(900):
        deep = {"!": deep}
    rules[0]["when"] = deep
    response = await api.post("/v1/rule-sets", json=my_rule_set(rules=rules))
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/body/rules/0/when"
    inline = await api.post(
        "/v1/diagnoses/preview",
        json={"rule_set": {k: v for k, v in my_rule_set(rules=rules).items() if k != "key"}},
    )
    assert inline.status_code == 422
