"""Messages rendered per second on one core, for each kind.

    .venv/bin/python bench/messages.py [--seconds 2] [--tone warm] [--smoke]

A message is what `POST /v1/messages/preview` does without HTTP: check the required
facts, build the template variables, render subject, text, Markdown and HTML, and make the
`mailto:` link. For the emails, the `.eml` draft (what `GET ?format=eml` adds) is
measured on its own.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

# The repository, not bench/, goes first: bench/http.py must not shadow the standard library.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from app.messages.compose import compose_builtin
from app.messages.formats import Party, eml
from app.messages.kinds import EMAILS, MessageKind, Tone
from app.messages.samples import SAMPLE
from app.messages.schemas import Rendition

FACTS = SAMPLE
NOW = datetime(2026, 11, 26, tzinfo=UTC)


def rendition(kind: MessageKind, tone: Tone) -> Rendition:
    return compose_builtin(FACTS, kind, tone, "en", lambda path: path)[0]


def draft(written: Rendition) -> bytes:
    return eml(
        subject=written.subject,
        text=written.text,
        html=written.html,
        to=Party("Dana Lee", "dana@example.com"),
        sender=Party("Alex Morgan", "alex@example.com"),
        created_at=NOW,
        message_id="msg_bench",
    )


def per_second(work: Callable[[], object], seconds: float) -> float:
    for _ in range(50):  # warm the template and compile caches
        work()
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for _ in range(20):
            work()
        count += 20
    return count / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--tone", choices=[t.value for t in Tone], default="warm")
    parser.add_argument("--smoke", action="store_true", help="CI: a moment per kind")
    args = parser.parse_args()
    if args.smoke:
        args.seconds = 0.05
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    tone = Tone(args.tone)
    print(f"{'kind':<24} {'messages/s':>11} {'.eml/s':>8}  (tone {tone.value}, one core)")
    for kind in MessageKind:
        rate = per_second(lambda kind=kind: rendition(kind, tone), args.seconds)
        emails = "-"
        if kind in EMAILS:
            written = rendition(kind, tone)
            emails = f"{per_second(lambda w=written: draft(w), args.seconds / 2):,.0f}"
        print(f"{kind.value:<24} {rate:>11,.0f} {emails:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
