from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import event

from app.core.database import Database
from app.core.pagination import encode_cursor

pytestmark = pytest.mark.anyio


async def add(api: httpx.AsyncClient, n: int, prefix: str = "c") -> list[str]:
    ids = []
    for i in range(n):
        response = await api.post(
            "/v1/candidates", json={"external_ref": f"{prefix}-{i}", "display_name": f"P {i}"}
        )
        ids.append(response.json()["id"])
    return ids


async def walk(api: httpx.AsyncClient, limit: int, **params: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        response = await api.get("/v1/candidates", params=query)
        assert response.status_code == 200
        body = response.json()
        pages.append([c["id"] for c in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            assert "link" not in response.headers
            return pages
        assert response.headers["link"].endswith('>; rel="next"')
        assert f"cursor={cursor}" in response.headers["link"]


async def test_45_candidates_in_pages_of_20(api: httpx.AsyncClient) -> None:
    created = await add(api, 45)
    pages = await walk(api, 20)
    assert [len(p) for p in pages] == [20, 20, 5]
    seen = [i for page in pages for i in page]
    assert seen == sorted(created)
    assert len(set(seen)) == 45
    assert pages == await walk(api, 20)  # stable


async def test_every_candidate_once_while_new_ones_arrive(api: httpx.AsyncClient) -> None:
    created = await add(api, 45)
    seen: list[str] = []
    cursor = None
    round_ = 0
    while True:
        params: dict[str, Any] = {"limit": 20}
        if cursor:
            params["cursor"] = cursor
        body = (await api.get("/v1/candidates", params=params)).json()
        seen.extend(c["id"] for c in body["items"])
        await add(api, 3, prefix=f"late{round_}")
        round_ += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert all(seen.count(i) == 1 for i in created)
    assert len(seen) == len(set(seen))


async def test_default_and_bounds_of_limit(api: httpx.AsyncClient) -> None:
    await add(api, 25)
    assert len((await api.get("/v1/candidates")).json()["items"]) == 20
    for bad in (0, 101, -1, "ten"):
        response = await api.get("/v1/candidates", params={"limit": bad})
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/query/limit"


async def test_tampered_or_foreign_cursor_is_a_400(api: httpx.AsyncClient) -> None:
    await add(api, 3)
    cursor = (await api.get("/v1/candidates", params={"limit": 1})).json()["next_cursor"]
    payload, signature = cursor.split(".")
    tampered = payload[:-2] + ("AA" if not payload.endswith("AA") else "BB") + "." + signature
    keys_cursor = (await api.get("/v1/api-keys", params={"limit": 1})).json()["next_cursor"]
    forged = encode_cursor("another-deployments-secret", "candidates", "cand_0")
    for bad in (tampered, "garbage", "a.b.c", forged, keys_cursor or "x.y"):
        response = await api.get("/v1/candidates", params={"cursor": bad})
        assert response.status_code == 400, bad
        assert response.json()["type"] == "/problems/invalid-cursor"


async def test_a_page_is_one_keyset_query(api: httpx.AsyncClient, database: Database) -> None:
    await add(api, 30)
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement.upper(), parameters))

    event.listen(database.engine.sync_engine, "before_cursor_execute", capture)
    try:
        first = (await api.get("/v1/candidates", params={"limit": 10})).json()
        await api.get("/v1/candidates", params={"limit": 10, "cursor": first["next_cursor"]})
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", capture)
    listing = [(s, p) for s, p in statements if "FROM CANDIDATES" in s]
    assert len(listing) == 2
    for statement, parameters in listing:
        # SQLite's dialect always writes `LIMIT ? OFFSET ?`; the offset it binds is 0.
        assert "OFFSET" not in statement or (database.is_sqlite and parameters[-1] == 0)
        assert "COUNT(" not in statement
        assert "ORDER BY CANDIDATES.ID" in statement
        assert "LIMIT" in statement
