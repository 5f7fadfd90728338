"""`/readyz` follows the database: 200 when it is reachable and at head, 503 when it is not.

The registry's lifespan needs its database (it migrates and creates accounts at start), so
the database is taken away after startup, for real: on the server, the app's database stops
accepting connections and its backends (the app's pooled connections) are terminated; and,
for a server that does not answer at all, the app's engine is pointed at a port where
nothing listens. In both cases the same app answers 200 again once the database is back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.registry.main import MIGRATIONS, create_app
from services.registry.settings import RegistrySettings
from shared.db import async_url

READY = {"status": "ready", "database": "ok", "migrations": "at head"}
UNREACHABLE = {"status": "not ready", "database": "unreachable"}


@pytest.fixture(scope="module")
def readyz_db_url(make_database: Callable[[str], str]) -> str:
    return make_database("readyz")


@pytest.fixture(scope="module")
async def app(
    readyz_db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    settings = RegistrySettings(
        database_url=readyz_db_url,
        data_dir=Path(tmp_path_factory.mktemp("readyz-data")),
        log_level="CRITICAL",  # the database going away is the point here
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):  # migrates the new database to head
        yield app


@pytest.fixture(scope="module")
async def admin(pg_admin_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(
        async_url(pg_admin_url), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    yield engine
    await engine.dispose()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://readyz.test") as c:
        yield c


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


async def _stamped(readyz_db_url: str) -> set[str]:
    """The app database's alembic_version, read over a connection of the test's own."""
    engine = create_async_engine(async_url(readyz_db_url), poolclass=sa.pool.NullPool)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
            return {r[0] for r in rows}
    finally:
        await engine.dispose()


def _heads() -> set[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    return set(ScriptDirectory.from_config(config).get_heads())


async def test_ready_when_reachable_and_at_head(
    client: httpx.AsyncClient, readyz_db_url: str
) -> None:
    # Independently of the endpoint: the database answers and is stamped with every head.
    assert await _stamped(readyz_db_url) == _heads()
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == READY


async def _backends(admin: AsyncEngine, database: str) -> int:
    async with admin.connect() as conn:
        query = sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"
        )
        return int((await conn.execute(query, {"d": database})).scalar_one())


async def _take_database_away(admin: AsyncEngine, database: str) -> None:
    """New connections are refused and every open one (the app's pool) is cut."""
    async with admin.connect() as conn:
        # The name comes from make_database (test_readyz_<hex>), not from outside.
        await conn.execute(sa.text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false'))
        await conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :d AND pid <> pg_backend_pid()"
            ),
            {"d": database},
        )
    for _ in range(100):  # pg_terminate_backend signals; the backends exit just after
        if await _backends(admin, database) == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{database}: backends still connected")


async def _give_database_back(admin: AsyncEngine, database: str) -> None:
    async with admin.connect() as conn:
        await conn.execute(sa.text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true'))


async def test_not_ready_while_the_database_refuses_connections(
    client: httpx.AsyncClient, admin: AsyncEngine, readyz_db_url: str
) -> None:
    database = _database_name(readyz_db_url)
    assert (await client.get("/readyz")).status_code == 200  # the pool holds a connection now
    await _take_database_away(admin, database)
    try:
        # Independently of the endpoint: the database really refuses a new connection.
        with pytest.raises(sa.exc.DBAPIError, match="not currently accepting connections"):
            await _stamped(readyz_db_url)
        # First the pooled connection that was cut, then a new one that is refused.
        for _ in range(2):
            down = await client.get("/readyz")
            assert down.status_code == 503
            assert down.json() == UNREACHABLE
        # Liveness does not depend on the database.
        assert (await client.get("/healthz")).status_code == 200
    finally:
        await _give_database_back(admin, database)
    back = await client.get("/readyz")
    assert back.status_code == 200
    assert back.json() == READY
