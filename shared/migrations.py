"""Alembic, shared by every service's own migration chain.

Migrations run over a synchronous psycopg connection so they can be called from a CLI,
a Kubernetes Job or a test fixture alike. Concurrent `upgrade` runs (several replicas
starting at once) queue on a PostgreSQL advisory lock: the second waits, then finds the
schema at head and does nothing.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory


def sync_url(url: str) -> str:
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def alembic_config(script_location: Path, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["database_url"] = sync_url(url)
    return cfg


def upgrade(script_location: Path, url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(script_location, url), revision)


def heads(script_location: Path) -> set[str]:
    cfg = alembic_config(script_location, "postgresql://unused")
    return set(ScriptDirectory.from_config(cfg).get_heads())


def current_revisions(connection: sa.Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def run_env(target_metadata: sa.MetaData, lock_name: str) -> None:
    """Body of each service's `env.py` (online mode only: migrations need a database)."""
    url = context.config.attributes["database_url"]
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    lock_id = zlib.crc32(lock_name.encode())
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": lock_id})
        connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                compare_type=True,
                transaction_per_migration=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            connection.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
            connection.commit()
    engine.dispose()
