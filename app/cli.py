"""The `debrief` command: serve, worker, mcp, migrate, openapi, create-org, create-key, purge."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import socket
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from pydantic import ValidationError

from app.core.config import Environment, Settings, get_settings
from app.core.ids import utc_now
from app.core.logging import configure_logging, logging_config
from app.core.schema_head import schema_head
from app.core.security import Scope

logger = logging.getLogger("debrief.cli")

HTTP_PROTOCOL = "app.core.http_server:LimitedHttpToolsProtocol"
DEFAULT_OPENAPI_PATH = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    # Before anything is created: a one-time key printed by a server that then cannot
    # start is a key nobody sees again.
    taken = _port_taken(args.host, args.port)
    if taken is not None:
        print(
            f"Cannot listen on {args.host}:{args.port}: {taken}. Choose another port "
            "(`debrief serve --port 8001`, `make run PORT=8001`).",
            file=sys.stderr,
        )
        return 1
    if settings.uses_embedded_default:
        from app.core import migrations

        logger.info("applying pending migrations to %s", settings.effective_database_url)
        migrations.upgrade(settings.effective_database_url)
        if settings.environment is Environment.DEV:
            _bootstrap_local_organization(settings, args)
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
        # httptools, with limits on the request head and problem documents for what it refuses.
        http=HTTP_PROTOCOL,
    )
    return 0


def _port_taken(host: str, port: int) -> str | None:
    """Why the address cannot be listened on, or None if it can."""
    try:
        with socket.create_server((host, port)):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


def _bootstrap_local_organization(settings: Settings, args: argparse.Namespace) -> None:
    from app.organizations.commands import bootstrap_local_organization

    created = asyncio.run(bootstrap_local_organization(settings.effective_database_url))
    if created is None:
        return
    organization_id, key = created
    base = f"http://{args.host}:{args.port}"
    print(
        f"\nCreated organisation {organization_id} for local development.\n"
        f"Its admin API key is shown this once; keep it:\n\n    {key}\n\n"
        f"Try: curl -H 'Authorization: Bearer {key}' {base}/v1/me\n",
        flush=True,
    )


class SchemaBehind(Exception):
    """The database's schema is not the one this code needs."""


def _embedded_ready(settings: Settings) -> None:
    """Commands that use the database need its schema up to date: the embedded default is
    brought there; any other database must be migrated by whoever runs it."""
    if settings.uses_embedded_default:
        from app.core import migrations

        migrations.upgrade(settings.effective_database_url)
        return
    if asyncio.run(_schema_revision(settings)) != schema_head():
        raise SchemaBehind


async def _schema_revision(settings: Settings) -> str | None:
    from app.core.database import Database

    database = Database(settings.effective_database_url, pooled=False)
    try:
        return await database.schema_revision()
    finally:
        await database.dispose()


def _create_org(args: argparse.Namespace, settings: Settings) -> int:
    from app.organizations.commands import create_organization

    _embedded_ready(settings)
    organization_id, key = asyncio.run(
        create_organization(settings.effective_database_url, args.name)
    )
    if args.json:
        print(json.dumps({"organization_id": organization_id, "api_key": key}))
    else:
        print(f"organisation: {organization_id}\nadmin API key (shown once): {key}")
    return 0


def _create_key(args: argparse.Namespace, settings: Settings) -> int:
    from app.core.errors import NotFound
    from app.organizations.commands import create_key

    _embedded_ready(settings)
    expires_at = utc_now() + timedelta(days=args.expires_in_days) if args.expires_in_days else None
    try:
        key_id, key = asyncio.run(
            create_key(
                settings.effective_database_url,
                args.org,
                args.name,
                [Scope(s) for s in args.scope],
                expires_at,
            )
        )
    except NotFound:
        print(f"debrief: no organisation with id {args.org}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"api_key_id": key_id, "api_key": key}))
    else:
        print(f"API key {key_id} (shown once): {key}")
    return 0


def _purge(_args: argparse.Namespace, settings: Settings) -> int:
    from app.organizations.commands import purge_idempotency_records

    _embedded_ready(settings)
    removed = asyncio.run(purge_idempotency_records(settings.effective_database_url))
    logger.info("removed %d expired idempotency records", removed)
    return 0


def _worker(_args: argparse.Namespace, settings: Settings) -> int:
    from app.worker.commands import run_worker

    _embedded_ready(settings)
    asyncio.run(run_worker(settings))
    return 0


def _mcp(args: argparse.Namespace, settings: Settings) -> int:
    from app.mcp.stdio import CredentialRefused, serve_stdio

    _embedded_ready(settings)
    credential = settings.mcp_credential.get_secret_value() if settings.mcp_credential else None
    try:
        asyncio.run(serve_stdio(settings, credential))
    except CredentialRefused as refused:
        print(f"debrief: {refused}", file=sys.stderr)
        return 1
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

    create_org = commands.add_parser(
        "create-org",
        help="create an organisation and its admin API key",
        description="Create an organisation (a tenant) and print its admin API key once.",
    )
    create_org.add_argument("name", help="the organisation's name")
    create_org.add_argument(
        "--json", action="store_true", help='print {"organization_id", "api_key"} only'
    )
    create_org.set_defaults(handler=_create_org)

    create_key = commands.add_parser(
        "create-key",
        help="create another API key for an organisation",
        description="Create an API key and print it once. Scopes: read, write, admin "
        "(each implies the ones before it).",
    )
    create_key.add_argument("--org", required=True, help="organisation id (org_…)")
    create_key.add_argument(
        "--scope",
        action="append",
        required=True,
        choices=[s.value for s in Scope],
        help="repeat for several scopes",
    )
    create_key.add_argument("--name", default="cli", help="a name to recognise the key by")
    create_key.add_argument(
        "--expires-in-days", type=int, default=None, help="expire the key after N days"
    )
    create_key.add_argument(
        "--json", action="store_true", help='print {"api_key_id", "api_key"} only'
    )
    create_key.set_defaults(handler=_create_key)

    worker = commands.add_parser(
        "worker",
        help="deliver webhooks and run periodic tasks",
        description="Deliver webhooks and run the periodic tasks (the daily purge among "
        "them) until SIGTERM or Ctrl-C. Run as many as you like on PostgreSQL.",
    )
    worker.set_defaults(handler=_worker)

    mcp = commands.add_parser(
        "mcp",
        help="serve the MCP tools over stdio",
        description="Serve Debrief's MCP tools over stdin/stdout, as the caller whose API "
        "key or person's token is in DEBRIEF_MCP_CREDENTIAL.",
    )
    mcp.set_defaults(handler=_mcp)

    purge = commands.add_parser(
        "purge",
        help="delete expired idempotency records",
        description="Delete idempotency records older than 24 hours (run it daily).",
    )
    purge.set_defaults(handler=_purge)
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
    try:
        return int(handler(args, settings))
    except SchemaBehind:
        print(
            "debrief: the database is not at the latest migration; run `debrief migrate` "
            "first (with the same DEBRIEF_DATABASE_URL).",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
