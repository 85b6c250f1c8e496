"""Instructions executed per preview request, under callgrind: a figure load cannot move.

    .venv/bin/python bench/preview_instructions.py [--requests 300]

Runs `bench/preview_cpu.py`'s setup under `valgrind --tool=callgrind` twice per preview
(100 warm-up requests of each preview, then none or ``--requests`` more of one) and prints
(second total - first total) / requests. To compare two commits, run this file from an
export of each, back to back.
"""

from __future__ import annotations

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent  # keep bench/http.py from shadowing `http`
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import os
import re
import shutil
import subprocess
import tempfile

import uvloop

from bench.preview_cpu import PREVIEWS
from bench.profile_http import asgi_call
from bench.support import _log_to_devnull, fresh_app

_TOTAL = re.compile(r"^(?:summary|totals): (\d+)", re.MULTILINE)


async def run(name: str, requests: int, api_key: str) -> None:
    from app.core.config import get_settings
    from app.main import create_app

    app = create_app(get_settings())
    for call in PREVIEWS.values():
        for _ in range(100):
            assert await asgi_call(app, call, api_key) == 200
    for _ in range(requests):
        await asgi_call(app, PREVIEWS[name], api_key)
    await app.state.database.dispose()


def instructions(name: str, requests: int, workdir: Path) -> int:
    out = workdir / f"callgrind.{requests}.out"
    subprocess.run(
        [
            shutil.which("valgrind") or "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--inner",
            name,
            "--requests",
            str(requests),
        ],
        check=True,
        capture_output=True,
    )
    match = _TOTAL.search(out.read_text(errors="replace"))
    assert match is not None
    return int(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        _log_to_devnull()
        uvloop.run(run(args.inner, args.requests, os.environ["BENCH_API_KEY"]))
        return 0
    # The inner runs inherit the database's DEBRIEF_* settings from this process.
    with fresh_app("sqlite", "", "preview") as fresh, tempfile.TemporaryDirectory() as outdir:
        os.environ["BENCH_API_KEY"] = fresh.api_key
        for name in PREVIEWS:
            base = instructions(name, 0, Path(outdir))
            more = instructions(name, args.requests, Path(outdir))
            print(f"  {name:<18} {(more - base) / args.requests / 1e6:.3f} M instructions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
