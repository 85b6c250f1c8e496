"""Every endpoint that takes a rule set refuses hostile ones with the problem naming the
limit and the part at fault, before validating them (for work comparable to a trivial
request's, counted in function calls), and an evaluation's output stays bounded whatever
the answers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from app.core.database import Database
from app.diagnosis.models import RuleSetVersion
from app.rules.engine import CompiledRuleSet
from app.rules.explain import MAX_FILLED_CHARS
from app.rules.limits import MAX_EVALUATION_BYTES, MAX_EXPLANATIONS_CHARS
from tests.diagnosis.hostile_rule_sets import Case, amplifier, base, cases, sized
from tests.tenants import Tenant
from tests.work_done import calls_made

pytestmark = pytest.mark.anyio

DRAFT = "/v1/rule-sets/coach-rules/versions/1"
# A refusal by a limit may make this many times the function calls of a trivial request;
# one found by full validation (a 300-rule set), more. Counted at 2026-12-03: every limit
# at most 3.4x, the 300-rule set 12-29x; with the limits not checked first, the
# 5,000-clause `and` made 18-25x, the 10,000-key condition 15x, the 30,000-item `in`
# list 42-45x (and the 10,000-key condition had cost over 70 trivial requests in time).
MAX_LIMIT_RATIO = 10
MAX_VALIDATION_RATIO = 60
JSON = {"content-type": "application/json"}
MERGE_PATCH = {"content-type": "application/merge-patch+json"}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: str
    prefix: str  # where the rule set sits in the body
    headers: dict[str, str]

    def body(self, content: dict[str, Any]) -> bytes:
        if self.name == "create":
            document: dict[str, Any] = {"key": "hostile", **content}
        elif self.name == "preview":
            document = {"rule_set": content}
        else:
            document = content
        return json.dumps(document).encode()


ENDPOINTS = [
    Endpoint("create", "POST", "/v1/rule-sets", "/body", JSON),
    Endpoint("patch", "PATCH", DRAFT, "/body", MERGE_PATCH),
    Endpoint("preview", "POST", "/v1/diagnoses/preview", "/body/rule_set", JSON),
]
CASES = cases()


async def warm_calls(call: Callable[[], Awaitable[httpx.Response]]) -> int:
    """The function calls of `call` made a second time: the first fills the caches."""
    await call()
    return await calls_made(call)


async def trivial_calls(api: httpx.AsyncClient) -> int:
    """A request the service refuses for nearly nothing: the yardstick of the ratios."""
    body = json.dumps({"key": "trivial"}).encode()
    return await warm_calls(lambda: api.post("/v1/rule-sets", content=body, headers=JSON))


async def reading_calls(api: httpx.AsyncClient, body: bytes) -> int:
    """The same bytes read, parsed and refused by a route that does no rule-set work (a
    candidate is not a rule set): what any refusal of that body costs at least."""
    return await warm_calls(lambda: api.post("/v1/candidates", content=body, headers=JSON))


def assert_refused(response: httpx.Response, case: Case, prefix: str) -> None:
    assert response.status_code == case.status, response.text[:500]
    problem = response.json()
    assert problem["type"] == case.type
    if case.pointer is not None:
        expected = case.pointer if case.limit == "body_bytes" else prefix + case.pointer
        assert problem["errors"][0]["pointer"] == expected
    if case.limit is not None:
        assert problem["limit"] == case.limit
        assert problem["errors"][0]["code"] == case.limit
        assert isinstance(problem["maximum"], int)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
async def test_hostile_rule_sets_are_refused_before_the_work(
    api: httpx.AsyncClient, case: Case, endpoint: Endpoint
) -> None:
    created = await api.post("/v1/rule-sets", json={"key": "coach-rules", **base()})
    assert created.status_code == 201, created.text
    body = endpoint.body(case.content)

    async def send() -> httpx.Response:
        return await api.request(
            endpoint.method, endpoint.url, content=body, headers=endpoint.headers
        )

    response = await send()
    if case.is_a_limit or endpoint.name == "preview":
        assert_refused(response, case, endpoint.prefix)
    else:  # a draft may hold mistakes; validating it points at them
        assert response.status_code in (200, 201), response.text[:500]
        url = response.headers.get("location", DRAFT)
        check = (await api.post(f"{url}/validate")).json()
        assert case.pointer in [p["pointer"] for p in check["problems"]]
    # The yardstick: a trivial request, or reading the same bytes where that costs more.
    yardstick = max(await trivial_calls(api), await reading_calls(api, body))
    ratio = MAX_LIMIT_RATIO if case.is_a_limit else MAX_VALIDATION_RATIO
    hostile = await calls_made(send, budget=int(ratio * yardstick))
    print(
        f"\n{endpoint.name:8} {case.name:52} {response.status_code} "
        f"{hostile:7} calls (yardstick {yardstick:5}, ratio {hostile / yardstick:4.1f})"
    )
    assert hostile < ratio * yardstick


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
async def test_a_streamed_body_is_measured_as_a_rule_set(
    api: httpx.AsyncClient, endpoint: Endpoint
) -> None:
    """Without a Content-Length to refuse unread, the rule set's own size decides."""
    await api.post("/v1/rule-sets", json={"key": "coach-rules", **base()})
    body = endpoint.body(sized(705 * 1024))

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    response = await api.request(
        endpoint.method, endpoint.url, content=chunks(), headers=endpoint.headers
    )
    assert response.status_code == 413
    assert response.json()["limit"] == "rule_set_bytes"
    assert response.json()["errors"][0]["pointer"] == endpoint.prefix


async def test_a_patch_within_limits_cannot_grow_a_draft_past_them(api: httpx.AsyncClient) -> None:
    await api.post("/v1/rule-sets", json={"key": "coach-rules", **base()})
    assert (await api.patch(DRAFT, json={"rules": sized(200 * 1024)["rules"]})).status_code == 200
    bulky_test = {
        "name": "t",
        "inputs": {"answers": {"played_well": "p" * 1500}},
        "expect": {"primary_category": "in_person"},
    }
    response = await api.patch(DRAFT, json={"tests": [bulky_test] * 50})
    assert response.status_code == 413
    assert response.json()["limit"] == "rule_set_bytes"
    assert response.json()["errors"][0]["pointer"] == "/body"


async def test_the_amplifier_is_refused_before_anything_is_evaluated(
    api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probe's 230 KB preview that answered 34 MB: refused before compiling."""

    def must_not_run(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("evaluated a rule set over its limits")

    monkeypatch.setattr(CompiledRuleSet, "__init__", must_not_run)
    monkeypatch.setattr(CompiledRuleSet, "evaluate", must_not_run)
    response = await api.post(
        "/v1/diagnoses/preview",
        json={"answers": {"played_well": "w" * 2000}, "rule_set": amplifier(200, 34)},
    )
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/limit-exceeded"
    assert response.json()["errors"][0]["pointer"] == "/body/rule_set/rules/0/because"
    assert "5 answers" in response.json()["detail"]


async def test_a_version_published_before_the_limits_answers_within_them(
    api: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    """Published versions keep working, but filling holds the caps whatever the answers."""
    await api.post("/v1/rule-sets", json={"key": "coach-rules", **base()})
    legacy = amplifier(250, 34)
    async with database.sessionmaker() as session, session.begin():
        await session.execute(
            update(RuleSetVersion)
            .where(RuleSetVersion.organization_id == tenant.organization_id)
            .values(content=legacy, status="published", content_hash="sha256:legacy")
        )
    assert (await api.post(f"{DRAFT}/activate")).status_code == 200
    long_answer = '\u001f"' * 1000  # each character escapes to several bytes of JSON
    response = await api.post(
        "/v1/diagnoses/preview",
        json={"answers": {"played_well": long_answer, "wanted_job": True}},
    )
    assert response.status_code == 200, response.text[:500]
    fired = response.json()["fired_rules"]
    assert len(fired) == 250
    assert all(len(rule["because"]) <= MAX_FILLED_CHARS for rule in fired)
    assert sum(len(rule["because"]) for rule in fired) <= MAX_EXPLANATIONS_CHARS + len(fired)
    assert len(response.content) <= MAX_EVALUATION_BYTES
    check = (await api.post(f"{DRAFT}/validate")).json()
    assert check["problems"][0]["pointer"] == "/rules/0/because"  # and it says why
