"""The API reference renders with no network: every asset comes from this server."""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.anyio

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_only_local_assets(client: httpx.AsyncClient, page: str) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    html = response.text
    assert "//" not in "".join(ASSET.findall(html)), "an asset would be fetched from elsewhere"
    assert "fonts.googleapis" not in html
    assert "cdn." not in html
    assets = ASSET.findall(html)
    assert assets
    for asset in assets:
        fetched = await client.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 0


async def test_swagger_ui_is_pointed_at_the_schema(client: httpx.AsyncClient) -> None:
    html = (await client.get("/docs")).text
    assert "/openapi.json" in html
    schema = (await client.get("/openapi.json")).json()
    assert schema["openapi"].startswith("3.1")
    assert schema["info"]["title"] == "Debrief"
    assert schema["info"]["contact"]["email"]
    assert schema["info"]["description"]
