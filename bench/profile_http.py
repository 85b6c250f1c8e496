"""Where a request's time goes: one `bench/http.py` case, in-process, under cProfile.

    .venv/bin/python bench/profile_http.py --case "get session by id" [--db sqlite]
        [--requests 3000] [--concurrency 64] [--sort tottime] [--top 45] [--pyinstrument]
        [--switch-interval S] [--no-profile] [--save FILE]

Builds the app the way the server does (app.main.create_app, the app's logging going to
/dev/null), on a fresh database set up like bench/http.py's, and drives the ASGI app
directly (no sockets, no HTTP parser: those cost the same for the bare app) with
`--concurrency` requests in flight. Prints the rate without the profiler, with the same
driver against the bare app for scale, and then the profile.
"""

from __future__ import annotations

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent  # keep bench/http.py from shadowing `http`
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvloop

from bench import http as bench_http
from bench.bare_app import PATH as BARE_PATH
from bench.bare_app import app as bare_app
from bench.support import DEFAULT_PG_URL, FreshApp, fresh_app

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


async def asgi_call(app: ASGIApp, call: bench_http.Call, api_key: str | None) -> int:
    path, _, query = call.path.partition("?")
    body = b"" if call.body is None else json.dumps(call.body).encode()
    headers = [(b"host", b"bench")]
    if api_key:
        headers.append((b"authorization", f"Bearer {api_key}".encode()))
    if call.body is not None:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": call.method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    delivered = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def drive(
    app: ASGIApp, lists: list[list[bench_http.Call]], api_key: str | None, total: int, inflight: int
) -> tuple[float, dict[int, int]]:
    statuses: dict[int, int] = {}
    per_worker = max(1, total // inflight)

    async def worker(index: int) -> None:
        calls = lists[index % len(lists)]
        for turn in range(per_worker):
            status = await asgi_call(app, calls[(index + turn) % len(calls)], api_key)
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(inflight)))
    return per_worker * inflight / (time.perf_counter() - started), statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", required=True, choices=[c.name for c in bench_http.CASES])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--sort", default="tottime", help="pstats key (tottime, cumulative)")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument(
        "--pyinstrument",
        action="store_true",
        help="a pyinstrument tree instead of cProfile (pip install pyinstrument)",
    )
    parser.add_argument(
        "--save",
        metavar="FILE",
        help="also write the cProfile stats to FILE, for pstats' print_callers",
    )
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=None,
        help="sys.setswitchinterval (s) for the run: the GIL hand-off to driver threads",
    )
    parser.add_argument("--no-profile", action="store_true", help="only the rates")
    args = parser.parse_args()
    case = next(c for c in bench_http.CASES if c.name == args.case)

    with fresh_app(args.db, args.pg_url, "profile", args.sessions) as fresh:
        if args.switch_interval is not None:
            sys.setswitchinterval(args.switch_interval)
        return uvloop.run(_profile(args, case, fresh))


async def _profile(args: argparse.Namespace, case: bench_http.Case, fresh: FreshApp) -> int:
    app = fresh.create()
    api_key = fresh.api_key
    assert fresh.fixture is not None
    lists = case.build(fresh.fixture, args.concurrency)
    bare_lists = [[bench_http.Call("GET", BARE_PATH)]]

    await drive(bare_app, bare_lists, None, 2000, args.concurrency)
    bare_rate, _ = await drive(bare_app, bare_lists, None, args.requests, args.concurrency)
    await drive(app, lists, api_key, 500, args.concurrency)  # warm-up
    rate, statuses = await drive(app, lists, api_key, args.requests, args.concurrency)
    print(f"in-process, {args.concurrency} in flight, {args.db}:")
    print(f"  bare app:           {bare_rate:>8,.0f} req/s")
    print(f"  {case.name:<19} {rate:>8,.0f} req/s  statuses {statuses}")

    if args.no_profile:
        await app.state.database.dispose()
        return 0
    if not args.pyinstrument:
        profiler = cProfile.Profile()
        profiler.enable()
        profiled_rate, _ = await drive(app, lists, api_key, args.requests, args.concurrency)
        profiler.disable()
        print(f"  under cProfile:     {profiled_rate:>8,.0f} req/s\n")
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
        if args.save:
            profiler.dump_stats(args.save)
        print(out.getvalue())

    if args.pyinstrument:
        from pyinstrument import Profiler
        from pyinstrument.renderers import ConsoleRenderer

        sampler = Profiler(interval=0.0002, async_mode="disabled")
        sampler.start()
        await drive(app, lists, api_key, args.requests, args.concurrency)
        sampler.stop()
        renderer = ConsoleRenderer(unicode=False, color=False, time="percent_of_total")
        print(sampler.output(renderer))
    await app.state.database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
