"""Eligibility service fixtures: the REAL registry app in-process (its own database, data
created through its API), the eligibility app reaching it through an in-process transport
exactly as over the network, one rolled-back transaction per test on the eligibility side.

Tokens are issued by the registry; the eligibility app verifies them with the keys of the
registry's JWKS document, and obtains its own service token from the registry's
client-credentials grant.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path

import httpx
import jwt
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from services.eligibility.main import create_app
from services.eligibility.settings import EligibilitySettings
from services.registry.main import MIGRATIONS as REGISTRY_MIGRATIONS
from services.registry.main import create_app as create_registry_app
from services.registry.settings import RegistrySettings
from shared import migrations
from shared.auth import Role, TokenIssuer, TokenVerifier
from tests.eligibility.api import factories as f
from tests.eligibility.api.factories import Registry, RegistryWorld, TestClock, TokenFactory

SERVICE_CLIENT = "svc-eligibility"
SERVICE_SECRET = "eligibility-test-secret"
# The plan gives no rural CPI; exit in 2019 needs the lines of 2018 and 2019.
CPI = {2018: "101.5", 2019: "102"}  # line 2018 = 3561.64, line 2019 = 3632.87


@pytest.fixture(scope="session")
async def registry_app(
    make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    url = make_database("elig_registry")
    migrations.upgrade(REGISTRY_MIGRATIONS, url)
    settings = RegistrySettings(
        database_url=url,
        data_dir=Path(tmp_path_factory.mktemp("elig-registry-data")),
        log_level="WARNING",
        service_clients={SERVICE_CLIENT: SERVICE_SECRET},
    )
    app = create_registry_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
def auth(registry_app: FastAPI) -> TokenFactory:
    """Authorization headers for a role and area: `auth(Role.village_cadre, VILLAGE)`."""
    issuer: TokenIssuer = registry_app.state.issuer

    def headers(
        role: Role = Role.district_admin, area: str = "370404", subject: str | None = None
    ) -> dict[str, str]:
        token = issuer.issue(subject or f"{role.value}@{area}", role, area)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture(scope="session")
async def registry_client(registry_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=registry_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as c:
        yield c


@pytest.fixture(scope="session")
def registry(registry_client: httpx.AsyncClient, auth: TokenFactory) -> Registry:
    return Registry(registry_client, auth(Role.district_admin))


@pytest.fixture(scope="session")
async def world(registry_app: FastAPI, registry: Registry) -> RegistryWorld:
    engine: AsyncEngine = registry_app.state.engine
    async with engine.begin() as conn:
        for code, name in f.TOWNS.items():
            await conn.execute(
                sa.text(
                    "INSERT INTO town (code, name, kind) VALUES (:c, :n, '镇') ON CONFLICT DO NOTHING"
                ),
                {"c": code, "n": name},
            )
    for code, name in f.VILLAGES.items():
        key = code in (f.KEY_VILLAGE, f.WEAK_VILLAGE)
        year = None
        if code == f.KEY_VILLAGE:
            year = f.village_year(2154)  # 3 poor of 2154: 0.14 %
        elif code == f.WEAK_VILLAGE:
            year = f.village_year(100, tap_water=False)  # 3 poor of 100: 3 %
        await registry.village(code, name, designation=key, year=year)
    h = registry.household
    world = RegistryWorld(
        passing=await h(f.household_body()),
        failing=await h(
            f.household_body(
                members=f.family(basic_medical_insured=False),
                year={
                    "wage_income": "3000.00",
                    "operating_income": "0.00",
                    "operating_expenses": "0.00",
                    "pension_income": "0.00",
                    "house_grade": "C",
                },
            )
        ),
        elderly=await h(
            f.household_body(
                assistance_type="dibao",
                main_cause="disability",
                members=[
                    f.member(
                        "王大山",
                        "head",
                        date(1935, 3, 1),
                        male=True,
                        dibao=True,
                        pension_insured=True,
                        health=["disabled"],
                        disability_category="physical",
                        disability_grade=1,
                    ),
                    f.member(
                        "王小花",
                        "daughter",
                        date(1975, 6, 1),
                        male=False,
                        labour="ordinary",
                        dibao=True,
                    ),
                ],
                year={
                    "wage_income": "2000.00",
                    "dibao_income": "1800.00",
                    "operating_income": "0.00",
                    "operating_expenses": "0.00",
                    "pension_income": "1200.00",
                },
            )
        ),
        exited=await h(f.household_body(status="exited_supported", exit_year=2017)),
        neighbour=await h(f.household_body(f.NEIGHBOUR)),
        far=await h(f.household_body(f.OTHER_VILLAGE)),
        unsurveyed=await h(f.household_body(f.NEIGHBOUR, data_year=2018)),
        ungraded=await h(
            f.household_body(
                f.NEIGHBOUR,
                members=[
                    *f.family()[:2],
                    f.member(
                        "张明",
                        "son",
                        date(1995, 1, 9),
                        male=True,
                        labour="no_labour",
                        health=["disabled"],
                    ),
                ],
            )
        ),
        key_poor=await h(f.household_body(f.KEY_VILLAGE)),
        weak_poor=await h(f.household_body(f.WEAK_VILLAGE)),
    )
    world.all_in_village = [world.passing, world.failing, world.elderly, world.exited]
    return world


@pytest.fixture(scope="session")
async def eligibility_app(
    make_database: Callable[[str], str],
    registry_app: FastAPI,
    registry_client: httpx.AsyncClient,
    world: RegistryWorld,
    auth: TokenFactory,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[FastAPI]:
    url = make_database("eligibility")
    jwks = (await registry_client.get("/.well-known/jwks.json")).json()
    settings = EligibilitySettings(
        database_url=url,
        data_dir=Path(tmp_path_factory.mktemp("eligibility-data")),
        log_level="WARNING",
        registry_url="http://registry.test",
        service_client_id=SERVICE_CLIENT,
        service_client_secret=SERVICE_SECRET,
        run_chunk_size=3,
    )
    verifier = TokenVerifier(
        settings.jwt_issuer,
        settings.jwt_audience,
        keys={k["kid"]: jwt.PyJWK(k).key for k in jwks["keys"]},
    )
    app = create_app(
        settings,
        token_verifier=verifier,
        registry_transport=httpx.ASGITransport(app=registry_app),
        clock=TestClock(),
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://e") as client:
            for year, index in CPI.items():
                added = await client.post(
                    "/v1/parameters/cpi.rural/values",
                    json={"effective": f"{year}-01-01", "value": index, "source": "test figure"},
                    headers=auth(Role.district_admin),
                )
                assert added.status_code == 201, added.text
        yield app


@pytest.fixture
def clock(eligibility_app: FastAPI) -> TestClock:
    """A fresh server clock per test, set to 2019-11-05 08:00 UTC."""
    fresh = TestClock()
    eligibility_app.state.clock = fresh
    return fresh


@pytest.fixture
async def db(eligibility_app: FastAPI) -> AsyncIterator[AsyncConnection]:
    """Everything a test writes here happens in one transaction, rolled back afterwards."""
    engine: AsyncEngine = eligibility_app.state.engine
    async with engine.connect() as connection:
        outer = await connection.begin()
        sessionmaker = async_sessionmaker(
            bind=connection,
            expire_on_commit=False,
            autoflush=False,
            join_transaction_mode="create_savepoint",
        )
        real = eligibility_app.state.sessionmaker
        eligibility_app.state.sessionmaker = sessionmaker
        eligibility_app.state.idempotency.sessionmaker = sessionmaker
        try:
            yield connection
        finally:
            eligibility_app.state.sessionmaker = real
            eligibility_app.state.idempotency.sessionmaker = real
            await outer.rollback()


@pytest.fixture
async def client(
    eligibility_app: FastAPI, db: AsyncConnection, clock: TestClock
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=eligibility_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://eligibility.test") as c:
        yield c


@pytest.fixture
async def committed_client(
    eligibility_app: FastAPI, clock: TestClock
) -> AsyncIterator[httpx.AsyncClient]:
    """Requests that really commit: batch runs, whose background task has its own sessions."""
    transport = httpx.ASGITransport(app=eligibility_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://eligibility.test") as c:
        yield c


@pytest.fixture
def on() -> date:
    return date(2019, 6, 30)
