"""What rendering in a worker process costs over rendering in-process, per message.

    .venv/bin/python bench/render_pool.py [--renders 300]

Renders the built-in call script (the longest template) on the sample facts, in-process
and through the render pool that organisations' templates and previews go through, and
prints the median of each and their difference: the pool's overhead per rendering.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from app.messages.builtin import builtin_source
from app.messages.facts import context
from app.messages.kinds import MessageKind, Tone
from app.messages.render import render
from app.messages.render_pool import RenderPool
from app.messages.samples import SAMPLE


async def measure(renders: int) -> None:
    variables = context(SAMPLE, MessageKind.CALL_SCRIPT, Tone.WARM, "en")
    source = builtin_source(MessageKind.CALL_SCRIPT, Tone.WARM, "en")
    pool = RenderPool(workers=2, timeout=2.0)
    started = time.perf_counter()
    await pool.render(source, variables)
    print(f"pool start and first rendering: {(time.perf_counter() - started) * 1000:.0f} ms")
    pooled, local = [], []
    for _ in range(renders):
        started = time.perf_counter()
        await pool.render(source, variables)
        pooled.append(time.perf_counter() - started)
        started = time.perf_counter()
        render(source, variables)
        local.append(time.perf_counter() - started)
    pool.close()
    ms = [statistics.median(times) * 1000 for times in (pooled, local)]
    print(f"in a worker: {ms[0]:.2f} ms, in-process: {ms[1]:.2f} ms (medians of {renders})")
    print(f"overhead per rendering: {ms[0] - ms[1]:.2f} ms")


if __name__ == "__main__":  # the pool's workers import this module again
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=300)
    asyncio.run(measure(parser.parse_args().renders))
