"""Every problem document the suite provokes is read as a person would read it: its title
and detail must not show an internal code (a snake_case status, kind or field name). The
transport of the suite's `client` fixture checks each one, so every test is also a test of
the texts of the problems it provokes."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

INTERNAL_CODE = re.compile(r"(?<![\w/.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-])")


def _template_language(problem: dict[str, Any]) -> bool:
    """A template's own problems name its variables: that is the language its author
    writes in, not our internals."""
    errors = problem.get("errors")
    return isinstance(errors, list) and any(
        isinstance(e, dict) and e.get("code") in {"template", "too_costly"} for e in errors
    )


def leaks(problem: dict[str, Any], sent: str = "") -> list[str]:
    """Snake_case words in the title and detail, less those the caller sent (an id or a
    key echoed back is the caller's own word)."""
    if _template_language(problem):
        return []
    found = []
    for member in ("title", "detail"):
        text = problem.get(member)
        if isinstance(text, str):
            found += [
                f"{member}: {m.group(0)!r} in {text!r}"
                for m in INTERNAL_CODE.finditer(text)
                if m.group(0) not in sent
            ]
    return found


def _sent(request: httpx.Request) -> str:
    try:
        body = request.content.decode("utf-8", "replace")
    except httpx.RequestNotRead:
        body = ""
    return f"{request.url.path} {request.url.query.decode()} {body}"


class ProblemCheckingTransport(httpx.ASGITransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            try:
                problem = json.loads(await response.aread())
            except ValueError:
                return response
            if isinstance(problem, dict):
                found = leaks(problem, _sent(request))
                assert not found, f"{request.method} {request.url.path}: {found}"
        return response
