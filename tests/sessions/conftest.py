from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.candidates.test_candidates import ALEX

SESSION: dict[str, Any] = {
    "company": "Northwind Health",
    "role_title": "Product designer",
    "posting": {
        "url": "https://jobs.example.com/123",
        "required_credentials": ["Portfolio"],
        "preferred_credentials": ["Figma certification"],
        "years_required": 5,
    },
    "stage_reached": "final_interview",
    "interview_date": "2026-11-10",
    "decision_date": "2026-11-20",
    "stated_reason": "We went with a candidate with more healthcare experience.",
    "interviewer": {"name": "Jordan Lee", "title": "Design lead", "email": "jordan@example.com"},
}


@pytest.fixture
async def candidate(api: httpx.AsyncClient) -> dict[str, Any]:
    response = await api.post("/v1/candidates", json=ALEX)
    assert response.status_code == 201
    return dict(response.json())


@pytest.fixture
async def session_(api: httpx.AsyncClient, candidate: dict[str, Any]) -> dict[str, Any]:
    response = await api.post("/v1/sessions", json={**SESSION, "candidate_id": candidate["id"]})
    assert response.status_code == 201, response.text
    return dict(response.json())
