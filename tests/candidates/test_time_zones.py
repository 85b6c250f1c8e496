"""Time zones: a string in the schema, an IANA name from the pinned tzdata on the server."""

from __future__ import annotations

import httpx
import pytest

from app.candidates.schemas import TIME_ZONES

pytestmark = pytest.mark.anyio


async def test_the_list_is_every_accepted_name(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/time-zones")
    assert response.status_code == 200
    items = response.json()["items"]
    assert items == sorted(items) == list(TIME_ZONES)
    assert {"UTC", "Europe/Paris", "America/Sao_Paulo"} <= set(items)


@pytest.mark.parametrize("zone", ["Europe/Paris", "UTC", "Asia/Kolkata"])
async def test_a_known_name_is_kept(api: httpx.AsyncClient, zone: str) -> None:
    response = await api.post(
        "/v1/candidates",
        json={"external_ref": f"tz-{zone}", "display_name": "Alex", "time_zone": zone},
    )
    assert response.status_code == 201, response.text
    assert response.json()["time_zone"] == zone


@pytest.mark.parametrize("zone", ["Mars/Olympus", "europe/paris", "", "UTC+2", "x" * 65])
async def test_an_unknown_name_is_a_422_at_the_field(api: httpx.AsyncClient, zone: str) -> None:
    response = await api.post(
        "/v1/candidates",
        json={"external_ref": "tz-bad", "display_name": "Alex", "time_zone": zone},
    )
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["/body/time_zone"]
