"""A fresh action item has the same ETag however it was made."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.diagnosis.test_diagnoses import REFLECTION

pytestmark = pytest.mark.anyio


async def test_a_fresh_item_has_the_same_etag_by_hand_or_from_a_diagnosis(
    api: httpx.AsyncClient, session_: dict[str, Any]
) -> None:
    base = f"/v1/sessions/{session_['id']}"
    assert (await api.put(f"{base}/answers", json={"answers": REFLECTION})).status_code == 200
    diagnosis = await api.post(f"{base}/diagnoses", json={"create_action_items": True})
    assert diagnosis.status_code == 201, diagnosis.text
    made = diagnosis.json()["action_items_created"]
    assert made
    by_hand = await api.post(f"{base}/action-items", json={"text": "Ask for a referral"})
    etags = {by_hand.headers["ETag"]}
    for item_id in [*made, by_hand.json()["id"]]:
        etags.add((await api.get(f"{base}/action-items/{item_id}")).headers["ETag"])
    listed = await api.get(f"{base}/action-items")
    assert len(listed.json()["items"]) == len(made) + 1
    assert etags == {'"1"'}
