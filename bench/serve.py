"""Serve Debrief or the bare app under one uvicorn worker, uvloop and httptools.

    python -m bench.serve {debrief|bare} --port N [--host 127.0.0.1]

Debrief is started the way `debrief serve` starts it (app/cli.py: the app factory, the
app's own logging configuration, no uvicorn access log, no Server header, httptools with
the limits on the request head), with the loop pinned; the bare app runs on plain
httptools. With one worker uvicorn serves in this very process, so this process's id is
the worker's (its /proc/<pid>/status carries the peak RSS, VmHWM).
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app", choices=["debrief", "bare"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "workers": 1,
        "loop": "uvloop",
        "http": "httptools",
        "access_log": False,
        "server_header": False,
    }
    if args.app == "debrief":
        from app.cli import HTTP_PROTOCOL
        from app.core.config import get_settings
        from app.core.logging import logging_config

        uvicorn.run(
            "app.main:create_app",
            factory=True,
            log_config=logging_config(get_settings()),
            **{**options, "http": HTTP_PROTOCOL},
        )
    else:
        uvicorn.run("bench.bare_app:app", log_level="warning", **options)


if __name__ == "__main__":
    main()
