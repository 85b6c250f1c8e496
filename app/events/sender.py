"""One HTTP attempt at one delivery: guarded, signed, timed, never following redirects."""

from __future__ import annotations

import time
from typing import Any

import httpx

from app.core.ids import utc_now
from app.events.address_guard import UnsafeAddress, pinned_target
from app.events.outcome import Outcome, body_of
from app.events.retry_schedule import RETRY_AFTER_STATUSES, parse_retry_after
from app.events.signing import signed_headers

MAX_ERROR_LENGTH = 300


async def attempt(
    client: httpx.AsyncClient,
    url: str,
    message_id: str,
    payload: dict[str, Any],
    secrets_in_use: list[str],
    *,
    allow_private: bool,
    require_https: bool,
) -> Outcome:
    started = time.perf_counter()
    at = utc_now()

    def done(status: int | None, error: str | None, retry_after: float | None = None) -> Outcome:
        duration = round((time.perf_counter() - started) * 1000)
        return Outcome(at, status, duration, error and error[:MAX_ERROR_LENGTH], retry_after)

    try:
        target = await pinned_target(url, allow_private=allow_private, require_https=require_https)
    except UnsafeAddress as exc:
        return done(None, str(exc))
    body = body_of(payload)
    headers = signed_headers(message_id, at, body, secrets_in_use)
    if target.host_header is not None:
        headers["host"] = target.host_header
    extensions = {"sni_hostname": target.server_name} if target.server_name else None
    try:
        response = await client.post(
            target.url, content=body.encode(), headers=headers, extensions=extensions
        )
    except httpx.TimeoutException:
        return done(None, "The endpoint did not answer in time.")
    except httpx.HTTPError as exc:
        return done(None, f"Could not reach the endpoint ({type(exc).__name__}).")
    status = response.status_code
    if 300 <= status < 400:
        return done(status, "Redirects are not followed; give the final URL.")
    if status >= 300:
        retry_after = (
            parse_retry_after(response.headers.get("retry-after"))
            if status in RETRY_AFTER_STATUSES
            else None
        )
        return done(status, f"The endpoint answered {status}.", retry_after)
    return done(status, None)


def new_client(timeout_seconds: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds),
        follow_redirects=False,
        trust_env=False,
        headers={"user-agent": "Debrief-Webhooks/1"},
    )
