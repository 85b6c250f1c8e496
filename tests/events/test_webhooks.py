"""Webhook endpoints and deliveries, verified by a real receiver with `standardwebhooks`."""

from __future__ import annotations

import ipaddress
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.core.config import Settings
from app.core.database import Database
from app.events import address_guard
from app.events.retry_schedule import SCHEDULE_SECONDS, next_delay, parse_retry_after
from app.events.signing import signed_headers
from app.worker.loop import Worker
from tests.candidates.test_candidates import ALEX
from tests.events.conftest import add_endpoint, drain, event_settings
from tests.events.receiver import Receiver
from tests.tenants import Tenant, make_key

pytestmark = pytest.mark.anyio


def verify(secret: str, body: bytes, headers: dict[str, str]) -> Any:
    return Webhook(secret).verify(body, headers)


async def test_every_delivery_verifies_and_is_thin(
    api: httpx.AsyncClient, receiver: Receiver, worker: Worker
) -> None:
    endpoint = await add_endpoint(api, receiver.url, description="CRM")
    assert endpoint["secret"].startswith("whsec_")
    for n in range(3):
        await api.post("/v1/candidates", json={**ALEX, "external_ref": f"r{n}"})
    await drain(worker)
    events = (await api.get("/v1/events")).json()["items"]
    assert len(receiver.received) == 3
    received = sorted(receiver.received, key=lambda r: r.headers["webhook-id"])
    for got, event in zip(received, events, strict=True):
        payload = verify(endpoint["secret"], got.body, got.headers)
        assert got.headers["webhook-id"] == event["id"]
        assert payload == {
            "type": "candidate.created",
            "timestamp": event["created_at"].replace("+00:00", "Z"),
            "data": event["data"],
        }
        assert len(got.body) < 20_000
    # The secret is shown once only.
    again = (await api.get(f"/v1/webhook-endpoints/{endpoint['id']}")).json()
    assert "secret" not in again
    deliveries = (await api.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries")).json()
    assert [d["status"] for d in deliveries["items"]] == ["succeeded"] * 3
    attempt = deliveries["items"][0]["attempts"][0]
    assert attempt["status_code"] == 200
    assert attempt["error"] is None
    assert attempt["duration_ms"] >= 0
    assert attempt["next_attempt_at"] is None


async def test_tampering_an_old_timestamp_or_another_secret_fail_verification(
    api: httpx.AsyncClient, receiver: Receiver, worker: Worker
) -> None:
    endpoint = await add_endpoint(api, receiver.url)
    await api.post("/v1/candidates", json=ALEX)
    await drain(worker)
    got = receiver.received[0]
    verify(endpoint["secret"], got.body, got.headers)
    with pytest.raises(WebhookVerificationError):
        verify(endpoint["secret"], got.body.replace(b"candidate", b"kandidate"), got.headers)
    old = signed_headers(
        got.headers["webhook-id"],
        datetime.now(UTC) - timedelta(minutes=10),
        got.body.decode(),
        [endpoint["secret"]],
    )
    with pytest.raises(WebhookVerificationError):
        verify(endpoint["secret"], got.body, old)
    with pytest.raises(WebhookVerificationError):
        verify("whsec_" + "QUJD" * 8, got.body, got.headers)


async def test_rotation_signs_with_both_secrets_until_the_overlap_ends(
    api: httpx.AsyncClient,
    receiver: Receiver,
    database: Database,
    database_url: str,
    tmp_path: Path,
) -> None:
    endpoint = await add_endpoint(api, receiver.url)
    etag = (await api.get(f"/v1/webhook-endpoints/{endpoint['id']}")).headers["ETag"]
    stale = await api.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", headers={"If-Match": '"99"'}
    )
    assert stale.status_code == 412
    rotated = await api.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", headers={"If-Match": etag}
    )
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != endpoint["secret"]
    assert rotated.json()["previous_secret_expires_at"]
    await api.post("/v1/candidates", json=ALEX)
    await drain(Worker(database, event_settings(database_url, tmp_path)))
    got = receiver.received[0]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    verify(endpoint["secret"], got.body, got.headers)
    verify(new_secret, got.body, got.headers)

    # With no overlap, the old secret stops verifying at once.
    no_overlap = event_settings(database_url, tmp_path, webhooks_secret_overlap_hours=0)
    from app.main import create_app

    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(no_overlap, database=database)),
        base_url="http://testserver",
        headers=api.headers,
    )
    async with client:
        newest = (
            await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret")
        ).json()["secret"]
    await api.post("/v1/candidates", json={**ALEX, "external_ref": "later"})
    await drain(Worker(database, no_overlap))
    got = receiver.received[-1]
    verify(newest, got.body, got.headers)
    for retired in (endpoint["secret"], new_secret):
        with pytest.raises(WebhookVerificationError):
            verify(retired, got.body, got.headers)


async def test_a_failure_is_retried_with_the_same_webhook_id(
    api: httpx.AsyncClient, receiver: Receiver, worker: Worker
) -> None:
    endpoint = await add_endpoint(api, receiver.url)
    receiver.statuses = [500, 503]
    await api.post("/v1/candidates", json=ALEX)
    await drain(worker)
    assert len(receiver.received) == 3
    assert len(set(receiver.ids())) == 1
    for got in receiver.received:
        verify(endpoint["secret"], got.body, got.headers)
    delivery = (await api.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries")).json()[
        "items"
    ][0]
    assert delivery["status"] == "succeeded"
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 503, 200]
    assert delivery["attempts"][0]["error"]
    assert delivery["attempts"][0]["next_attempt_at"]
    endpoint_now = (await api.get(f"/v1/webhook-endpoints/{endpoint['id']}")).json()
    assert endpoint_now["failing_since"] is None
    assert endpoint_now["enabled"]


async def test_eight_failures_give_up(
    api: httpx.AsyncClient, receiver: Receiver, worker: Worker
) -> None:
    endpoint = await add_endpoint(api, receiver.url)
    receiver.statuses = [500] * 20
    await api.post("/v1/candidates", json=ALEX)
    await drain(worker)
    assert len(receiver.received) == len(SCHEDULE_SECONDS) == 8
    delivery = (await api.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries")).json()[
        "items"
    ][0]
    assert delivery["status"] == "failed"
    assert delivery["next_attempt_at"] is None
    # A manual replay sends the same message again.
    replay = await api.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{delivery['id']}/replay"
    )
    assert replay.status_code == 202
    receiver.statuses = []
    await drain(worker)
    assert receiver.ids()[-1] == delivery["message_id"]
    assert (
        await api.post(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/whd_nope/replay")
    ).status_code == 404


async def test_410_disables_the_endpoint_and_says_so(
    api: httpx.AsyncClient, receiver: Receiver, worker: Worker
) -> None:
    endpoint = await add_endpoint(api, receiver.url)
    watcher = await add_endpoint(
        api, receiver.url + "/watcher", event_types=["webhook_endpoint.disabled"]
    )
    receiver.statuses = [410]
    await api.post("/v1/candidates", json=ALEX)
    await drain(worker)
    gone = (await api.get(f"/v1/webhook-endpoints/{endpoint['id']}")).json()
    assert gone["enabled"] is False
    assert gone["disabled_reason"] == "gone"
    events = (await api.get("/v1/events", params={"type": "webhook_endpoint.disabled"})).json()
    assert [e["data"] for e in events["items"]] == [
        {"webhook_endpoint_id": endpoint["id"], "reason": "gone"}
    ]
    # The other endpoint heard of it; the disabled one gets nothing more.
    assert (
        verify(watcher["secret"], receiver.received[-1].body, receiver.received[-1].headers)["type"]
        == "webhook_endpoint.disabled"
    )
    before = len(receiver.received)
    await api.post("/v1/candidates", json={**ALEX, "external_ref": "more"})
    await drain(worker)
    assert len(receiver.received) == before


async def test_an_endpoint_failing_for_days_is_disabled(
    api: httpx.AsyncClient,
    receiver: Receiver,
    database: Database,
    database_url: str,
    tmp_path: Path,
) -> None:
    endpoint = await add_endpoint(api, receiver.url)
    receiver.statuses = [500, 500]
    await api.post("/v1/candidates", json=ALEX)
    # "Days" shrunk to nothing: the second failure is already too long after the first.
    settings = event_settings(database_url, tmp_path, webhooks_disable_after_days=1e-9)
    await drain(Worker(database, settings))
    failing = (await api.get(f"/v1/webhook-endpoints/{endpoint['id']}")).json()
    assert failing["enabled"] is False
    assert failing["disabled_reason"] == "failing"
    # Enabling it again starts afresh.
    enabled = await api.patch(f"/v1/webhook-endpoints/{endpoint['id']}", json={"enabled": True})
    assert enabled.json()["disabled_reason"] is None
    assert enabled.json()["failing_since"] is None


async def test_event_type_filter_and_test_ping(
    api: httpx.AsyncClient, receiver: Receiver, worker: Worker
) -> None:
    endpoint = await add_endpoint(api, receiver.url, event_types=["session.created"])
    await api.post("/v1/candidates", json=ALEX)
    ping = await api.post(f"/v1/webhook-endpoints/{endpoint['id']}/test")
    assert ping.status_code == 202
    await drain(worker)
    payloads = [verify(endpoint["secret"], r.body, r.headers) for r in receiver.received]
    assert [p["type"] for p in payloads] == ["webhook.test"]
    assert payloads[0]["data"] == {"webhook_endpoint_id": endpoint["id"]}
    assert (await api.get("/v1/events")).json()["items"][-1]["type"] == "candidate.created"


async def test_endpoint_crud_etags_scopes_and_tenancy(
    api: httpx.AsyncClient,
    other_api: httpx.AsyncClient,
    client: httpx.AsyncClient,
    database: Database,
    tenant: Tenant,
) -> None:
    from app.core.security import Scope

    endpoint = await add_endpoint(api, "https://hooks.example.com/x")
    path = f"/v1/webhook-endpoints/{endpoint['id']}"
    got = await api.get(path)
    assert got.status_code == 200
    assert got.headers["ETag"]
    stale = await api.patch(path, json={"description": "x"}, headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    changed = await api.patch(
        path,
        json={"description": "Billing", "event_types": ["message.sent"]},
        headers={"If-Match": got.headers["ETag"]},
    )
    assert changed.status_code == 200
    assert changed.json()["event_types"] == ["message.sent"]
    assert (await api.patch(path, json={"url": None})).status_code == 422
    assert (await api.patch(path, json={"secret": "mine"})).status_code == 422
    assert (
        await api.post("/v1/webhook-endpoints", json={"url": "x", "nope": 1})
    ).status_code == 422
    assert (await other_api.get(path)).status_code == 404
    assert (await api.get("/v1/webhook-endpoints")).json()["items"][0]["id"] == endpoint["id"]
    writer = await make_key(database, tenant, Scope.WRITE)
    forbidden = await client.get("/v1/webhook-endpoints", headers=tenant.headers(writer))
    assert forbidden.status_code == 403
    assert (await client.get("/v1/events", headers=tenant.headers(writer))).status_code == 200
    assert (await api.delete(path)).status_code == 204
    assert (await api.get(path)).status_code == 404


FORBIDDEN_URLS = [
    "http://127.0.0.1/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://[fd00::1]/hook",
    "http://224.0.0.1/hook",
    "http://0.0.0.0/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://100.100.100.200/hook",
    "http://internal.example/hook",  # resolves to a private address (patched resolver)
    "ftp://hooks.example.com/hook",
    "http://user:pass@hooks.example.com/hook",
]


@pytest.fixture
def strict_settings(database_url: str, tmp_path: Path) -> Settings:
    return event_settings(database_url, tmp_path, webhooks_allow_private=False)


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    names = {
        "internal.example": ["10.0.0.5"],
        "hooks.example.com": ["93.184.216.34"],
        "mixed.example": ["93.184.216.34", "127.0.0.1"],
    }

    async def resolve(host: str, _port: int) -> list[address_guard.IPAddress]:
        return [ipaddress.ip_address(a) for a in names[host]]

    monkeypatch.setattr(address_guard, "resolve", resolve)


@pytest.mark.usefixtures("fake_dns")
@pytest.mark.parametrize("url", [*FORBIDDEN_URLS, "http://mixed.example/hook"])
async def test_the_guard_refuses_private_addresses_at_creation(
    url: str, strict_settings: Settings, database: Database, tenant: Tenant
) -> None:
    from app.main import create_app

    app = create_app(strict_settings, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers=tenant.headers()
    ) as api:
        response = await api.post("/v1/webhook-endpoints", json={"url": url})
        assert response.status_code == 422, url
        assert response.json()["errors"][0]["pointer"] == "/body/url"
        ok = await api.post("/v1/webhook-endpoints", json={"url": "http://hooks.example.com/h"})
        assert ok.status_code == 201


@pytest.mark.usefixtures("fake_dns")
async def test_the_guard_checks_again_at_delivery_and_connects_to_the_checked_address(
    strict_settings: Settings, database: Database, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.events.sender import attempt

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        # A redirect to the metadata service is not followed.
        return httpx.Response(302, headers={"location": "http://169.254.169.254/"})

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=False)
    secret = "whsec_" + "QUJD" * 8
    outcome = await attempt(
        client,
        "https://hooks.example.com/h",
        "evt_x",
        {"type": "t", "timestamp": "", "data": {}},
        [secret],
        allow_private=False,
        require_https=True,
    )
    assert len(seen) == 1
    assert outcome.status_code == 302
    assert outcome.error
    assert not outcome.succeeded
    assert seen[0].url.host == "93.184.216.34"
    assert seen[0].headers["host"] == "hooks.example.com"
    assert seen[0].extensions["sni_hostname"] == "hooks.example.com"

    # The name now resolves to a private address (rebinding): nothing is sent.
    async def rebound(_host: str, _port: int) -> list[address_guard.IPAddress]:
        return [ipaddress.ip_address("169.254.169.254")]

    monkeypatch.setattr(address_guard, "resolve", rebound)
    outcome = await attempt(
        client,
        "https://hooks.example.com/h",
        "evt_x",
        {"type": "t", "timestamp": "", "data": {}},
        [secret],
        allow_private=False,
        require_https=True,
    )
    assert len(seen) == 1
    assert outcome.status_code is None
    assert "private" in (outcome.error or "")
    # Plain http is refused in prod unless private addresses are allowed.
    outcome = await attempt(
        client,
        "http://hooks.example.com/h",
        "evt_x",
        {"type": "t", "timestamp": "", "data": {}},
        [secret],
        allow_private=False,
        require_https=True,
    )
    assert outcome.status_code is None
    assert "https" in (outcome.error or "")


def test_retry_schedule_with_jitter_and_retry_after() -> None:
    for made, base in enumerate(SCHEDULE_SECONDS[1:], start=1):
        delay = next_delay(made, 1.0, None)
        assert delay is not None
        assert base * 0.9 <= delay.total_seconds() <= base * 1.1
    assert next_delay(8, 1.0, None) is None
    # Retry-After (429/503) is honoured when longer than the schedule's wait.
    delay = next_delay(1, 1.0, 120)
    assert delay is not None
    assert delay.total_seconds() == 120
    assert parse_retry_after("30") == 30
    future = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 60))
    parsed = parse_retry_after(future)
    assert parsed is not None
    assert 50 <= parsed <= 61
    assert parse_retry_after("soon") is None


async def test_retry_after_is_honoured_on_429(
    api: httpx.AsyncClient, receiver: Receiver, worker: Worker
) -> None:
    endpoint = await add_endpoint(api, receiver.url)
    receiver.statuses = [429]
    receiver.extra_headers = {"Retry-After": "3600"}
    await api.post("/v1/candidates", json=ALEX)
    await drain(worker)
    assert len(receiver.received) == 1
    delivery = (await api.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries")).json()[
        "items"
    ][0]
    due = datetime.fromisoformat(delivery["next_attempt_at"])
    assert due - datetime.now(UTC) > timedelta(minutes=55)
