"""The MCP server, driven by the SDK's own client over streamable HTTP against the app:
a candidate's whole reflection through the tools on their own token, and nothing of
another candidate's visible."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import httpx2
import pytest
from fastapi import FastAPI
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextResourceContents

from tests.candidates.test_candidates import ALEX
from tests.sessions.conftest import SESSION
from tests.tenants import mint_token

pytestmark = pytest.mark.anyio

TOOLS = {
    "start_reflection",
    "next_questions",
    "save_answers",
    "diagnose",
    "draft_message",
    "whats_due",
}
Connect = Callable[[str], AbstractAsyncContextManager[Client]]


@pytest.fixture
async def connect(app: FastAPI) -> AsyncIterator[Connect]:
    @asynccontextmanager
    async def as_caller(credential: str) -> AsyncIterator[Client]:
        http = httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {credential}"},
        )
        async with (
            http,
            Client(streamable_http_client("http://testserver/mcp", http_client=http)) as c,
        ):
            yield c

    async with app.router.lifespan_context(app):
        yield as_caller


async def _call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert isinstance(result, CallToolResult)
    assert not result.is_error, result.content
    assert isinstance(result.structured_content, dict)
    return result.structured_content


async def _error(client: Client, tool: str, **arguments: Any) -> str:
    result = await client.call_tool(tool, arguments)
    assert isinstance(result, CallToolResult)
    assert result.is_error
    text: str = result.content[0].text  # type: ignore[union-attr]
    return text


async def _candidate(api: httpx.AsyncClient, ref: str) -> str:
    response = await api.post("/v1/candidates", json={**ALEX, "external_ref": ref})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_candidate_reflects_through_the_tools_and_sees_only_their_own(
    api: httpx.AsyncClient, connect: Connect
) -> None:
    me = await _candidate(api, "mcp-me")
    other = await _candidate(api, "mcp-other")
    theirs = await api.post("/v1/sessions", json={**SESSION, "candidate_id": other})
    assert theirs.status_code == 201
    their_session = theirs.json()["id"]

    async with connect(await mint_token(api, me)) as client:
        assert {tool.name for tool in (await client.list_tools()).tools} == TOOLS

        created = await _call(client, "start_reflection", details={**SESSION, "candidate_id": me})
        session_id = created["id"]
        assert created["candidate_id"] == me

        first = await _call(client, "next_questions", session_id=session_id)
        assert first["part"] == "self_reflection"
        asked = {q["key"]: q for q in first["questions"]}
        assert {"wow_self_rating", "wanted_job"} <= asked.keys()
        assert asked["wow_self_rating"]["prompt"]
        assert "willing_to_invest" not in asked  # shown only once the job was wanted

        # Branching: wanting the job shows section 4, not section 5.
        branched = await _call(
            client, "save_answers", session_id=session_id, answers={"wanted_job": True}
        )
        keys = {q["key"] for q in branched["questions"]}
        assert "willing_to_invest" in keys
        assert "better_fit_positions" not in keys
        assert "wanted_job" not in keys  # answered

        refused = await _error(
            client, "save_answers", session_id=session_id, answers={"wow_self_rating": 99}
        )
        assert "/body/answers/wow_self_rating" in refused

        done = await _call(
            client,
            "save_answers",
            session_id=session_id,
            answers={
                "wow_self_rating": 2,
                "articulated_fit": False,
                "interviewer_signals": ["bored"],
                "enthusiasm": 4,
                "had_advocate": True,
            },
        )
        assert done["part"] == "interviewer_feedback"  # the reflection is complete
        assert done["status"] == "reflected"
        assert done["questions"]

        diagnosis = await _call(client, "diagnose", session_id=session_id)
        assert diagnosis["session_id"] == session_id
        assert diagnosis["verdict"]["primary_category"]
        assert diagnosis["verdict"]["fired_rules"]
        for kind in ("feedback_request_email", "call_script"):
            message = await _call(client, "draft_message", session_id=session_id, kind=kind)
            assert message["kind"] == kind
            assert message["text"]

        due = await _call(client, "whats_due")
        assert [item["session_id"] for item in due["items"]] == [session_id]
        assert due["items"][0]["next_step"]
        assert due["follow_ups"], "the rejection planned the feedback request"
        assert {f["session_id"] for f in due["follow_ups"]} == {session_id}
        assert due["follow_ups"][0]["kind"] == "feedback_request_email"

        # Another candidate's session does not exist for this token, through MCP too.
        for tool in ("next_questions", "diagnose"):
            assert f"No session with id {their_session}" in await _error(
                client, tool, session_id=their_session
            )
        missing = await _error(
            client, "start_reflection", details={**SESSION, "candidate_id": other}
        )
        assert f"No candidate with id {other}" in missing

        resource = await client.read_resource("debrief://question-sets/self-reflection")
        contents = resource.contents[0]
        assert isinstance(contents, TextResourceContents)
        assert json.loads(contents.text)["sections"]

    # The organisation's key sees both candidates' open sessions.
    async with connect(api.headers["Authorization"].removeprefix("Bearer ")) as client:
        due = await _call(client, "whats_due")
        assert {item["session_id"] for item in due["items"]} == {session_id, their_session}


async def test_a_read_only_token_cannot_write_through_the_tools(
    api: httpx.AsyncClient, connect: Connect
) -> None:
    me = await _candidate(api, "mcp-reader")
    async with connect(await mint_token(api, me, ("read",))) as client:
        assert (await _call(client, "whats_due"))["items"] == []
        denied = await _error(client, "start_reflection", details={**SESSION, "candidate_id": me})
        assert "`write` scope" in denied


@pytest.mark.parametrize("authorization", [None, "Bearer dbr_wrong", "Bearer eyJnot.a.token"])
async def test_mcp_without_a_valid_credential_is_a_401_problem(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.post("/mcp", json={}, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
