"""What a request costs outside its route: CPU and function calls per request, in-process.

    .venv/bin/python bench/request_overhead.py [--db postgres|sqlite] [--requests 2000]
        [--repeats 5] [--layers]

Builds the app as the server does (app.main.create_app, default settings, logging at INFO
to /dev/null) on a fresh database, makes a candidate and 20 sessions through the API, and
sends three requests straight to the ASGI app, one at a time: `GET /v1/sessions/{id}`
(PostgreSQL: the driver read), `POST /v1/diagnoses/preview` (bench/http.py's body) and a
`GET` that matches no route (404). For each it prints the process's CPU time per request
(`time.process_time`, the median of the repeats), the route's own share (the route's ASGI
app timed from outside, so "outside" is the middleware stack, routing and the server's
view of both), and the Python function calls per request (cProfile's count). `--layers`
adds each middleware module's own time and calls per request, from cProfile. To compare
two commits, run this file from an export of each, back to back.
"""

from __future__ import annotations

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent  # keep bench/http.py from shadowing `http`
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import cProfile
import json
import os
import pstats
import statistics
import time
from typing import Any

import uvloop

from bench import http as bench_http
from bench.preview_cpu import RouteTimer
from bench.profile_http import asgi_call
from bench.support import DEFAULT_PG_URL, FreshApp, fresh_app

# Where a middleware layer's own code lives (cProfile's file names), for --layers.
LAYER_FILES = (
    "app/core/request_pipeline.py",
    "tests/core/replaced_layers/request_context.py",
    "tests/core/replaced_layers/conditional_get.py",
    "tests/core/replaced_layers/platform.py",
    "app/core/route_table.py",
    "app/core/pipeline_app.py",
    "starlette/middleware/errors.py",
    "starlette/middleware/exceptions.py",
    "starlette/_exception_handler.py",
    "starlette/applications.py",
    "fastapi/applications.py",
    "fastapi/middleware/asyncexitstack.py",
    "fastapi/_body_limit.py",
    "fastapi/telemetry/_asgi.py",
    "contextlib.py",
)


async def _created(app: Any, path: str, body: dict[str, Any], api_key: str) -> str:
    sent: list[dict[str, Any]] = []
    call = bench_http.Call("POST", path, body)
    # asgi_call reports the status only; read the id from the body through a wrapping app.

    async def capture(scope: Any, receive: Any, send: Any) -> None:
        async def keep(message: dict[str, Any]) -> None:
            sent.append(message)
            await send(message)

        await app(scope, receive, keep)

    status = await asgi_call(capture, call, api_key)
    if status != 201:
        raise SystemExit(f"setup: POST {path} gave {status}")
    document = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return str(json.loads(document)["id"])


def old_layers(app: Any) -> Any:
    """The same app with the layers it had before app/core/request_pipeline (FastAPI's own
    stack around our five middleware classes) and its PostgreSQL reads' AsyncSession made
    eagerly: the "before" of an in-process A/B, built from this very code and the layers
    frozen in tests/core/replaced_layers."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from tests.core.replaced_layers import install_replaced_layers

    install_replaced_layers(app)
    database = app.state.database
    if not database.is_sqlite:
        database.read_sessionmaker = async_sessionmaker(
            database.engine.execution_options(isolation_level="AUTOCOMMIT"),
            expire_on_commit=False,
        )
    return app


async def _cases(app: Any, api_key: str) -> dict[str, tuple[list[bench_http.Call], int]]:
    candidate = await _created(
        app, "/v1/candidates", {**bench_http.CANDIDATE_BODY, "external_ref": "x"}, api_key
    )
    sessions = [
        await _created(
            app,
            "/v1/sessions",
            {**bench_http.SESSION_BODY, "company": f"C{i}", "candidate_id": candidate},
            api_key,
        )
        for i in range(20)
    ]
    return {
        "get session by id": ([bench_http.Call("GET", f"/v1/sessions/{s}") for s in sessions], 200),
        "diagnosis preview": (
            [bench_http.Call("POST", "/v1/diagnoses/preview", bench_http.DIAGNOSIS_PREVIEW_BODY)],
            200,
        ),
        "404": ([bench_http.Call("GET", "/v1/no-such-thing")], 404),
    }


async def _ab(args: argparse.Namespace, api_key: str, new: Any, old: Any) -> None:
    """Both stacks in this process, their runs alternated (old, new, new, old, ...), so
    whatever else loads the machine weighs on both alike."""
    cases = await _cases(new, api_key)
    apps = {"before": old, "after": new}
    print(
        f"{args.db}, in-process A/B, {args.requests} requests a run, {args.repeats} runs each, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    print(f"  {'case':<18} {'before µs':>9} {'after µs':>9} {'after/before':>12} {'calls':>11}")
    for name, (calls, expected) in cases.items():
        for app in apps.values():
            for turn in range(300):  # warm-up: caches, prepared statements
                status = await asgi_call(app, calls[turn % len(calls)], api_key)
                assert status == expected, (name, status)
        runs: dict[str, list[float]] = {"before": [], "after": []}
        for repeat in range(args.repeats):
            order = ["before", "after"] if repeat % 2 == 0 else ["after", "before"]
            for which in order:
                started = time.process_time()
                for turn in range(args.requests):
                    await asgi_call(apps[which], calls[turn % len(calls)], api_key)
                runs[which].append((time.process_time() - started) / args.requests * 1e6)
        counted = {}
        for which, app in apps.items():
            profiler = cProfile.Profile()
            profiler.enable()
            for turn in range(200):
                await asgi_call(app, calls[turn % len(calls)], api_key)
            profiler.disable()
            counted[which] = pstats.Stats(profiler).total_calls / 200  # type: ignore[attr-defined]
        before, after = statistics.median(runs["before"]), statistics.median(runs["after"])
        ratio = statistics.median(a / b for a, b in zip(runs["after"], runs["before"], strict=True))
        print(
            f"  {name:<18} {before:>9.1f} {after:>9.1f} {ratio:>12.3f} "
            f"{counted['before']:>5.0f} → {counted['after']:<5.0f}"
        )
    for app in apps.values():
        await app.state.database.dispose()


async def measure(args: argparse.Namespace, fresh: FreshApp) -> None:
    app = fresh.create()
    api_key = fresh.api_key
    if args.ab:
        await _ab(args, api_key, app, old_layers(fresh.create()))
        return
    cases = await _cases(app, api_key)
    timers: dict[tuple[str, str], RouteTimer] = {}
    route_of = {
        "get session by id": ("GET", "/v1/sessions/{session_id}"),
        "diagnosis preview": ("POST", "/v1/diagnoses/preview"),
    }
    for route in app.routes:
        for method in getattr(route, "methods", None) or ():
            key = (method, getattr(route, "path", ""))
            if key in route_of.values():
                timer = RouteTimer(route.app)  # type: ignore[attr-defined]
                route.app = timer  # type: ignore[attr-defined]
                timers[key] = timer
    print(
        f"{args.db}, {args.requests} requests a repeat, {args.repeats} repeats, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    print(f"  {'case':<18} {'request µs':>10} {'route µs':>9} {'outside µs':>10} {'calls':>7}")
    for name, (calls, expected) in cases.items():
        for turn in range(300):  # warm-up: caches, prepared statements
            status = await asgi_call(app, calls[turn % len(calls)], api_key)
            assert status == expected, (name, status)
        timer = timers.get(route_of.get(name, ("", "")))
        totals, inside = [], []
        for _ in range(args.repeats):
            if timer is not None:
                timer.seconds = 0.0
            started = time.process_time()
            for turn in range(args.requests):
                await asgi_call(app, calls[turn % len(calls)], api_key)
            totals.append((time.process_time() - started) / args.requests * 1e6)
            inside.append((timer.seconds if timer else 0.0) / args.requests * 1e6)
        profiler = cProfile.Profile()
        count = min(args.requests, 1000)
        profiler.enable()
        for turn in range(count):
            await asgi_call(app, calls[turn % len(calls)], api_key)
        profiler.disable()
        stats = pstats.Stats(profiler)
        total, route = statistics.median(totals), statistics.median(inside)
        print(
            f"  {name:<18} {total:>10.1f} {route:>9.1f} {total - route:>10.1f} "
            f"{stats.total_calls / count:>7.0f}"  # type: ignore[attr-defined]
        )
        if args.layers:
            _print_layers(stats, count)
        if args.top:
            stats.sort_stats("tottime").print_stats(args.top)
    await app.state.database.dispose()


def _print_layers(stats: pstats.Stats, count: int) -> None:
    per_file: dict[str, list[float]] = {}
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, function), (_cc, calls, tottime, _ct, _callers) in raw.items():
        for layer in LAYER_FILES:
            if filename.endswith(layer):
                key = f"{layer}:{function}"
                entry = per_file.setdefault(key, [0.0, 0.0])
                entry[0] += tottime
                entry[1] += calls
    for key, (tottime, calls) in sorted(per_file.items(), key=lambda kv: -kv[1][0]):
        if calls / count >= 0.5:
            print(f"      {key:<62} {tottime / count * 1e6:>6.1f} µs {calls / count:>5.1f} calls")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--layers", action="store_true")
    parser.add_argument(
        "--ab", action="store_true", help="this code against its old layers, in one process"
    )
    parser.add_argument("--top", type=int, default=0, help="also cProfile's top N by own time")
    args = parser.parse_args()
    with fresh_app(args.db, args.pg_url, "overhead") as fresh:
        uvloop.run(measure(args, fresh))
    return 0


if __name__ == "__main__":
    sys.exit(main())
