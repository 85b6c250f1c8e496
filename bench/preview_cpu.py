"""CPU per request of the two previews, in-process, one request at a time.

    .venv/bin/python bench/preview_cpu.py [--requests 2000] [--repeats 5]

Builds the app as the server does (logging to /dev/null) on a fresh SQLite database and
sends `bench/http.py`'s preview bodies straight to the ASGI app, sequentially. For each
preview it prints, per repeat and as the median, the process's CPU time per request
(`time.process_time`) for the whole request ("request": middleware, routing and the
route) and for the route alone ("endpoint": body, dependencies, handler, serialisation;
the route's ASGI app timed from outside). One request at a time, so nothing else runs in
between. To compare two commits, run this file from an export of each, back to back.
"""

from __future__ import annotations

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent  # keep bench/http.py from shadowing `http`
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvloop

from bench import http as bench_http
from bench.profile_http import _configure_logging, asgi_call
from bench.support import debrief_cli, environment, fresh_database

PREVIEWS = {
    "diagnosis preview": bench_http.Call(
        "POST", "/v1/diagnoses/preview", bench_http.DIAGNOSIS_PREVIEW_BODY
    ),
    "message preview": bench_http.Call(
        "POST", "/v1/messages/preview", bench_http.MESSAGE_PREVIEW_BODY
    ),
}


class RouteTimer:
    """Wraps a route's ASGI app and sums the CPU time spent inside it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seconds = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = time.process_time()
        try:
            await self.inner(scope, receive, send)
        finally:
            self.seconds += time.process_time() - started


async def measure(args: argparse.Namespace, api_key: str) -> None:
    from app.core.config import get_settings
    from app.main import create_app

    app = create_app(get_settings())
    timers = {}
    for route in app.routes:
        path = getattr(route, "path", None)
        for name, call in PREVIEWS.items():
            if path == call.path:
                timer = RouteTimer(route.app)  # type: ignore[attr-defined]
                route.app = timer  # type: ignore[attr-defined]
                timers[name] = timer
    figures: dict[str, dict[str, list[float]]] = {}
    for name, call in PREVIEWS.items():
        for _ in range(200):  # warm-up: caches, the active rule set
            assert await asgi_call(app, call, api_key) == 200
        for _ in range(args.repeats):
            timer = timers[name]
            timer.seconds = 0.0
            started = time.process_time()
            for _ in range(args.requests):
                await asgi_call(app, call, api_key)
            total = time.process_time() - started
            row = figures.setdefault(name, {"request": [], "endpoint": []})
            row["request"].append(total / args.requests * 1e6)
            row["endpoint"].append(timer.seconds / args.requests * 1e6)
    await app.state.database.dispose()
    print(f"CPU µs per request, {args.requests} requests a repeat, load {os.getloadavg()[0]:.2f}")
    for name, row in figures.items():
        for part, values in row.items():
            shown = " ".join(f"{v:.0f}" for v in values)
            print(
                f"  {name:<18} {part:<8} median {statistics.median(values):>6.0f}"
                f"  min {min(values):>6.0f}  ({shown})"
            )


@contextmanager
def preview_organisation(prefix: str) -> Iterator[tuple[Path, str]]:
    """A fresh SQLite database, migrated, with one organisation: the working directory
    and the organisation's API key, Debrief's settings in this process's environment."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        with fresh_database("sqlite", workdir, "", "preview") as url:
            env = environment(url, workdir)
            debrief_cli(["migrate"], env, workdir)
            created = debrief_cli(["create-org", "Preview", "--json"], env, workdir)
            os.environ.update({k: v for k, v in env.items() if k.startswith("DEBRIEF_")})
            yield workdir, json.loads(created)["api_key"]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with preview_organisation("debrief-preview-cpu-") as (_, api_key):
        _configure_logging()
        uvloop.run(measure(args, api_key))
    return 0


if __name__ == "__main__":
    sys.exit(main())
