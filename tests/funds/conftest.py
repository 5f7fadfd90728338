"""Funds fixtures: the real registry and eligibility apps in-process, a migrated funds
database per run, one rolled-back transaction per test, and the ledger invariants checked
after every test.

The registry (its own database) holds committed towns, villages and households created
once through its HTTP API; the eligibility service (its own database) computes subsidies.
The funds app reaches both through in-process transports with the caller's token, exactly
as deployed over the network. Tokens are issued by the registry; funds and eligibility
verify them with the keys of the registry's JWKS document.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import jwt
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from services.eligibility.main import MIGRATIONS as ELIGIBILITY_MIGRATIONS
from services.eligibility.main import create_app as create_eligibility_app
from services.eligibility.settings import EligibilitySettings
from services.funds.main import MIGRATIONS as FUNDS_MIGRATIONS
from services.funds.main import create_app as create_funds_app
from services.funds.settings import FundsSettings
from services.registry.main import MIGRATIONS as REGISTRY_MIGRATIONS
from services.registry.main import create_app as create_registry_app
from services.registry.settings import RegistrySettings
from shared import migrations
from shared.auth import Role, TokenIssuer, TokenVerifier
from tests.funds.books import assert_books_balance
from tests.funds.factories import (
    OTHER_VILLAGE,
    RACE_VILLAGE,
    TOWNS,
    VILLAGE,
    VILLAGE_2,
    VILLAGES,
    Households,
    TokenFactory,
    household_body,
)


@pytest.fixture(scope="session")
async def funds_registry_app(
    make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    url = make_database("funds_registry")
    migrations.upgrade(REGISTRY_MIGRATIONS, url)
    settings = RegistrySettings(
        database_url=url,
        data_dir=Path(tmp_path_factory.mktemp("funds-registry-data")),
        log_level="WARNING",
    )
    app = create_registry_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
def auth(funds_registry_app: FastAPI) -> TokenFactory:
    """Authorization headers for a role and area: `auth(Role.finance_officer)`."""
    issuer: TokenIssuer = funds_registry_app.state.issuer

    def headers(
        role: Role = Role.finance_officer, area: str = "370404", subject: str | None = None
    ) -> dict[str, str]:
        token = issuer.issue(subject or f"{role.value}@{area}", role, area)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture(scope="session")
async def households(funds_registry_app: FastAPI, auth: TokenFactory) -> Households:
    """Towns (no registry endpoint creates towns), then villages and households via the API."""
    engine: AsyncEngine = funds_registry_app.state.engine
    async with engine.begin() as conn:
        for code, name in TOWNS.items():
            await conn.execute(
                sa.text(
                    "INSERT INTO town (code, name, kind) VALUES (:c, :n, '镇') ON CONFLICT DO NOTHING"
                ),
                {"c": code, "n": name},
            )
    admin = auth(Role.district_admin)
    transport = httpx.ASGITransport(app=funds_registry_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as client:
        for code, name in VILLAGES.items():
            made = await client.post(
                "/v1/villages", json={"code": code, "name": name}, headers=admin
            )
            assert made.status_code in (201, 409), made.text  # 409: already there

        async def household(
            village: str, *, working: bool, status: str = "not_exited"
        ) -> uuid.UUID:
            body = household_body(village, working=working, status=status)
            made = await client.post("/v1/households", json=body, headers=admin)
            assert made.status_code == 201, made.text
            return uuid.UUID(made.json()["id"])

        return Households(
            worker=await household(VILLAGE, working=True),
            elderly=await household(VILLAGE, working=False),
            disabled=await household(VILLAGE, working=False),
            exited=await household(VILLAGE, working=True, status="exited_unsupported"),
            neighbour=await household(VILLAGE_2, working=True),
            far=await household(OTHER_VILLAGE, working=True),
            racer=await household(RACE_VILLAGE, working=True),
        )


@pytest.fixture(scope="session")
async def registry_keys(funds_registry_app: FastAPI) -> TokenVerifier:
    """The registry's public keys, read from its JWKS document as any service would."""
    transport = httpx.ASGITransport(app=funds_registry_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as c:
        jwks = (await c.get("/.well-known/jwks.json")).json()
    defaults = FundsSettings()
    return TokenVerifier(
        defaults.jwt_issuer,
        defaults.jwt_audience,
        keys={k["kid"]: jwt.PyJWK(k).key for k in jwks["keys"]},
    )


@pytest.fixture(scope="session")
async def eligibility_app(
    make_database: Callable[[str], str],
    funds_registry_app: FastAPI,
    registry_keys: TokenVerifier,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[FastAPI]:
    url = make_database("funds_eligibility")
    migrations.upgrade(ELIGIBILITY_MIGRATIONS, url)
    settings = EligibilitySettings(
        database_url=url,
        data_dir=Path(tmp_path_factory.mktemp("funds-eligibility-data")),
        log_level="WARNING",
        registry_url="http://registry.test",
    )
    app = create_eligibility_app(
        settings,
        token_verifier=registry_keys,
        registry_transport=httpx.ASGITransport(app=funds_registry_app),
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def funds_app(
    make_database: Callable[[str], str],
    funds_registry_app: FastAPI,
    eligibility_app: FastAPI,
    registry_keys: TokenVerifier,
    households: Households,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[FastAPI]:
    url = make_database("funds")
    migrations.upgrade(FUNDS_MIGRATIONS, url)
    settings = FundsSettings(
        database_url=url,
        data_dir=Path(tmp_path_factory.mktemp("funds-data")),
        log_level="WARNING",
        registry_url="http://registry.test",
        eligibility_url="http://eligibility.test",
    )
    app = create_funds_app(
        settings,
        token_verifier=registry_keys,
        registry_transport=httpx.ASGITransport(app=funds_registry_app),
        eligibility_transport=httpx.ASGITransport(app=eligibility_app),
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
def funds_engine(funds_app: FastAPI) -> AsyncEngine:
    engine: AsyncEngine = funds_app.state.engine
    return engine


@pytest.fixture
async def db(funds_app: FastAPI, funds_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """Everything a test does happens in one transaction, rolled back afterwards — after
    the ledger invariants were checked in it."""
    async with funds_engine.connect() as connection:
        outer = await connection.begin()
        sessionmaker = async_sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        real = funds_app.state.sessionmaker
        funds_app.state.sessionmaker = sessionmaker
        funds_app.state.idempotency.sessionmaker = sessionmaker
        try:
            yield connection
            await assert_books_balance(connection)
        finally:
            funds_app.state.sessionmaker = real
            funds_app.state.idempotency.sessionmaker = real
            await outer.rollback()


@pytest.fixture(autouse=True)
async def books_balance_after_committed_writes(
    request: pytest.FixtureRequest,
) -> AsyncIterator[None]:
    """Tests that write for real (races, the state machine) are checked on the committed
    state; tests inside `db` are checked in their own transaction by `db`."""
    yield
    if "db" in request.fixturenames or "funds_engine" not in request.fixturenames:
        return
    engine: AsyncEngine = request.getfixturevalue("funds_engine")
    async with engine.connect() as connection, connection.begin():
        await assert_books_balance(connection)


@pytest.fixture
async def client(funds_app: FastAPI, db: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=funds_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://funds.test") as c:
        yield c


@pytest.fixture
async def committed_client(
    funds_app: FastAPI, funds_engine: AsyncEngine
) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests really commit: for races between transactions."""
    transport = httpx.ASGITransport(app=funds_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://funds.test") as c:
        yield c
