"""The `debrief` command: serve, migrate, openapi."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from app.core.config import Settings, get_settings
from app.core.logging import configure_logging, logging_config

logger = logging.getLogger("debrief.cli")

DEFAULT_OPENAPI_PATH = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from app.core import migrations

    if settings.uses_embedded_default:
        logger.info("applying pending migrations to %s", settings.effective_database_url)
        migrations.upgrade(settings.effective_database_url)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=None if args.reload else args.workers,
        reload=args.reload,
        log_config=logging_config(settings),
        access_log=False,
        server_header=False,
    )
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from app.core import migrations

    migrations.upgrade(settings.effective_database_url, args.revision)
    logger.info("database is at revision %s", args.revision)
    return 0


def _openapi(args: argparse.Namespace, _settings: Settings) -> int:
    from app.core.openapi import dump_openapi
    from app.main import create_app

    document = dump_openapi(create_app().openapi())
    output: Path = args.output
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != document:
            print(f"{output} is out of date: run `debrief openapi`", file=sys.stderr)
            return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document, encoding="utf-8")
    print(f"wrote {output}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="debrief", description="Debrief: learn from a job rejection. Settings: DEBRIEF_*."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the HTTP service",
        description="Run the HTTP service under uvicorn. On the embedded SQLite default, "
        "pending migrations are applied first.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port (default %(default)s)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--reload", action="store_true", help="restart on code changes (dev)")
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser(
        "migrate",
        help="apply database migrations",
        description="Upgrade the database at DEBRIEF_DATABASE_URL to a revision.",
    )
    migrate.add_argument("--revision", default="head", help="target (default %(default)s)")
    migrate.set_defaults(handler=_migrate)

    openapi = commands.add_parser(
        "openapi",
        help="write the OpenAPI document",
        description="Write the app's OpenAPI document (sorted keys, trailing newline).",
    )
    openapi.add_argument("--output", type=Path, default=DEFAULT_OPENAPI_PATH)
    openapi.add_argument(
        "--check", action="store_true", help="fail if the file differs instead of writing it"
    )
    openapi.set_defaults(handler=_openapi)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:
        print(f"debrief: invalid settings:\n{exc}", file=sys.stderr)
        return 2
    configure_logging(settings)
    handler = args.handler
    return int(handler(args, settings))


if __name__ == "__main__":
    sys.exit(main())
