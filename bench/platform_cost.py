"""What the platform layer (rate limits and metrics) costs a request, measured in process:
one limiter check (both budgets) and one pass through the metrics middleware, in µs.

    .venv/bin/python bench/platform_cost.py
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds a file called http.py: keep it off the path, put the repository there.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import asyncio
import statistics
import time

from app.core.config import Settings
from app.core.security import Principal, Role, Scope
from app.platform.rate_limits import RateLimiter
from tests.core.replaced_layers.platform import PlatformMiddleware

ROUNDS = 20_000
PRINCIPAL = Principal(
    organization_id="org_bench",
    api_key_id="key_bench",
    scopes=frozenset({Scope.READ}),
    role=Role.ORGANIZATION,
    subject=None,
    candidate_ids=None,
)


class _Route:
    path = "/v1/sessions/{session_id}"


async def _noop_app(scope: dict[str, object], receive: object, send: object) -> None:
    scope["route"] = _Route()
    await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b""})  # type: ignore[operator]


async def _nothing(_message: object) -> None:
    return None


async def _per_call_us(call: object, rounds: int = ROUNDS) -> float:
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(rounds // 5):
            await call()  # type: ignore[operator]
        samples.append((time.perf_counter() - started) / (rounds // 5) * 1e6)
    return statistics.median(samples)


async def measure() -> dict[str, float]:
    settings = Settings(_env_file=None, rate_limit_reads=10**9)  # type: ignore[call-arg]
    limiter = RateLimiter(settings)

    async def spend() -> None:
        await limiter.spend(PRINCIPAL, "GET", "/v1/sessions/{session_id}")

    counted = PlatformMiddleware(_noop_app)  # type: ignore[arg-type]
    bare = _noop_app

    def through(app: object) -> object:
        async def one() -> None:
            scope = {"type": "http", "method": "GET", "path": "/v1/sessions/x"}
            await app(scope, None, _nothing)  # type: ignore[operator]

        return one

    return {
        "rate limit check (memory), µs": await _per_call_us(spend),
        "bare ASGI call, µs": await _per_call_us(through(bare)),
        "ASGI call through the metrics middleware, µs": await _per_call_us(through(counted)),
    }


def main() -> None:
    figures = asyncio.run(measure())
    for name, value in figures.items():
        print(f"{name:<48}{value:8.2f}")
    middleware = (
        figures["ASGI call through the metrics middleware, µs"] - figures["bare ASGI call, µs"]
    )
    print(f"{'metrics middleware alone, µs':<48}{middleware:8.2f}")


if __name__ == "__main__":
    main()
