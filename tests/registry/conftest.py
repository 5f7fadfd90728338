"""Registry fixtures: one migrated database per run, one rolled-back transaction per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from services.registry.main import MIGRATIONS, create_app
from services.registry.settings import RegistrySettings
from shared import migrations
from shared.auth import Role, TokenIssuer
from shared.db import ReadOnlySession
from tests.registry.factories import TokenFactory
from tests.registry.test_exchange_support import demo_villages


@pytest.fixture(scope="session")
def registry_db_url(make_database: Callable[[str], str]) -> str:
    url = make_database("registry")
    migrations.upgrade(MIGRATIONS, url)
    return url


@pytest.fixture(scope="session")
async def registry_app(
    registry_db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    settings = RegistrySettings(
        database_url=registry_db_url,
        data_dir=Path(tmp_path_factory.mktemp("registry-data")),
        log_json=True,
        log_level="WARNING",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
def registry_engine(registry_app: FastAPI) -> AsyncEngine:
    engine: AsyncEngine = registry_app.state.engine
    return engine


@pytest.fixture
async def db(registry_app: FastAPI, registry_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """Everything a test does happens in one transaction that is rolled back afterwards."""
    async with registry_engine.connect() as connection:
        outer = await connection.begin()
        sessionmaker = async_sessionmaker(
            bind=connection,
            expire_on_commit=False,
            autoflush=False,  # as in production (shared.db.make_sessionmaker)
            join_transaction_mode="create_savepoint",
        )
        # Reads see the test's writes: the same connection, refusing writes as in production.
        read_sessionmaker = async_sessionmaker(
            bind=connection,
            expire_on_commit=False,
            autoflush=False,
            join_transaction_mode="create_savepoint",
            sync_session_class=ReadOnlySession,
        )
        real = registry_app.state.sessionmaker
        real_read = registry_app.state.read_sessionmaker
        registry_app.state.sessionmaker = sessionmaker
        registry_app.state.read_sessionmaker = read_sessionmaker
        registry_app.state.read_bind = connection  # shared.db.read_connection
        registry_app.state.idempotency.sessionmaker = sessionmaker
        try:
            yield connection
        finally:
            registry_app.state.sessionmaker = real
            registry_app.state.read_sessionmaker = real_read
            registry_app.state.read_bind = None
            registry_app.state.idempotency.sessionmaker = real
            await outer.rollback()


@pytest.fixture
async def session(db: AsyncConnection) -> AsyncIterator[AsyncSession]:
    async with AsyncSession(
        bind=db, expire_on_commit=False, join_transaction_mode="create_savepoint"
    ) as s:
        yield s


@pytest.fixture
async def client(registry_app: FastAPI, db: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=registry_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as c:
        yield c


@pytest.fixture
def auth(registry_app: FastAPI) -> TokenFactory:
    """Authorization headers for a role and area: `auth(Role.village_cadre, VILLAGE)`."""
    issuer: TokenIssuer = registry_app.state.issuer

    def headers(
        role: Role = Role.district_admin, area: str = "370404", subject: str | None = None
    ) -> dict[str, str]:
        token = issuer.issue(subject or f"{role.value}@{area}", role, area)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
async def demo_areas(session: AsyncSession) -> None:
    """The demo district's towns and villages, where generated households live (imports)."""
    await demo_villages(session)
