"""`python -m services.<name> migrate|serve`: the two things ops run per service."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import uvicorn
from fastapi import FastAPI

from shared import migrations
from shared.embedded import resolve_database_url
from shared.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


def main(
    settings_type: type[S],
    create_app: Callable[[S], FastAPI],
    migrations_path: Path,
    argv: list[str] | None = None,
) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m services.{settings_type().service_name}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the database to the newest migration, then exit")
    # One process per container: scale out with replicas, not workers.
    sub.add_parser("serve", help="run the HTTP service")
    args = parser.parse_args(argv)

    settings = settings_type()
    if args.command == "migrate":
        url = resolve_database_url(settings.database_url, settings.data_dir, settings.database_name)
        migrations.upgrade(migrations_path, url)
        return
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,  # structlog writes the access log as JSON
        access_log=False,
        proxy_headers=True,
    )
