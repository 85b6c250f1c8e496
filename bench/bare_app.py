"""The yardstick for `bench/http.py`: a bare FastAPI app with one small JSON route.

Served exactly like Debrief (one uvicorn worker, uvloop, httptools), it measures what the
stack itself costs on this machine, so Debrief's figures can be read as ratios to it.
"""

from __future__ import annotations

from fastapi import FastAPI

PATH = "/bare"

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get(PATH)
async def bare() -> dict[str, str]:
    return {"status": "ok"}
