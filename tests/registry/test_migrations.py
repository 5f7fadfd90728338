"""The registry's migrations build exactly the schema its models describe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import services.registry.main  # noqa: F401 - registers every registry model
from services.registry.main import MIGRATIONS
from shared import migrations
from shared.db import Base


def test_models_and_migrations_agree(registry_db_url: str) -> None:
    engine = sa.create_engine(migrations.sync_url(registry_db_url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())

            def ours(obj: Any, name: str | None, type_: str, reflected: bool, _: Any) -> bool:
                # Other services' models share the declarative base; their tables live
                # in their own databases.
                table = obj if type_ == "table" else getattr(obj, "table", None)
                return table is None or table.name in tables

            context = MigrationContext.configure(conn, opts={"include_object": ours})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_household_list_indexes_end_in_the_page_key(registry_db_url: str) -> None:
    engine = sa.create_engine(migrations.sync_url(registry_db_url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            indexes = {
                i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("household")
            }
    finally:
        engine.dispose()
    assert indexes["ix_household_village_status"] == ["village_code", "status", "id"]
    assert indexes["ix_household_town_status"] == ["town_code", "status", "id"]


def test_a_database_from_before_the_purge_index_gets_it(
    make_database: Callable[[str], str],
) -> None:
    """Upgraded from the revision before it: the index is created (a database created
    since has it from the first migration, and the upgrade leaves it be)."""
    url = make_database("before_purge_index")
    migrations.upgrade(MIGRATIONS, url, "0003_households_list_indexes")
    engine = sa.create_engine(migrations.sync_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP INDEX ix_idempotency_key_created_at"))
        migrations.upgrade(MIGRATIONS, url)
        with engine.connect() as conn:
            indexes = sa.inspect(conn).get_indexes("idempotency_key")
    finally:
        engine.dispose()
    assert [i["column_names"] for i in indexes if i["name"] == "ix_idempotency_key_created_at"] == [
        ["created_at"]
    ]
