"""Browsers of the configured origins may call the API; no origin configured, no CORS."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from app.core.config import Settings

ALLOWED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "Accept-Language",
    "X-Request-ID",
]
EXPOSED_HEADERS = [
    "ETag",
    "Link",
    "Location",
    "X-Request-ID",
    "Idempotent-Replayed",
    "Retry-After",
    "Content-Language",
    "RateLimit",
    "RateLimit-Policy",
]
# Browsers cap this themselves (Chromium at 2 hours); ten minutes keeps a changed
# configuration from lingering in them for long.
PREFLIGHT_MAX_AGE_SECONDS = 600


def install_cors(app: FastAPI, settings: Settings) -> None:
    """Add last, so it wraps everything: a preflight is answered before anything else runs
    and every answer, problems included, carries the CORS headers."""
    if not settings.cors_origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=ALLOWED_METHODS,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        # Credentials travel in the Authorization header, never in cookies.
        allow_credentials=False,
        max_age=PREFLIGHT_MAX_AGE_SECONDS,
    )
