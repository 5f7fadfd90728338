"""Reporting fixtures: the real registry (the demo district loaded once by its own loader)
and funds apps in-process, an eligibility contract stand-in, and reporting apps wired to
them through in-process transports, each with its own database.

Tokens are issued by the registry and verified by every other app with the keys of the
registry's JWKS document, as deployed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI

from services.funds.main import create_app as create_funds_app
from services.funds.settings import FundsSettings
from services.registry.demo.loader import cipher_of, load_demo_into
from services.registry.main import MIGRATIONS as REGISTRY_MIGRATIONS
from services.registry.main import create_app as create_registry_app
from services.registry.settings import RegistrySettings
from services.reporting.main import create_app as create_reporting_app
from services.reporting.settings import ReportingSettings
from shared import migrations
from shared.auth import Role, TokenIssuer, TokenVerifier
from tests.reporting.eligibility_contract import contract_app
from tests.reporting.funds_data import FundsData, create_funds_data

TokenFactory = Callable[..., str]


@pytest.fixture(scope="session")
async def demo_registry_settings(
    make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> RegistrySettings:
    """A registry database holding the demo district, loaded once by the registry's loader."""
    url = make_database("reporting_registry")
    migrations.upgrade(REGISTRY_MIGRATIONS, url)
    settings = RegistrySettings(
        database_url=url,
        data_dir=Path(tmp_path_factory.mktemp("reporting-registry-data")),
        log_level="WARNING",
    )
    await load_demo_into(url, cipher_of(settings))
    return settings


@pytest.fixture(scope="session")
async def registry_app(demo_registry_settings: RegistrySettings) -> AsyncIterator[FastAPI]:
    app = create_registry_app(demo_registry_settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
def token(registry_app: FastAPI) -> TokenFactory:
    """A bearer token for a role and area: `token(Role.town_officer, "370404104")`."""
    issuer: TokenIssuer = registry_app.state.issuer

    def make(role: Role = Role.district_admin, area: str = "370404", subject: str = "") -> str:
        return issuer.issue(subject or f"{role.value}@{area}", role, area)

    return make


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


@pytest.fixture(scope="session")
async def verifier(registry_app: FastAPI) -> TokenVerifier:
    transport = httpx.ASGITransport(app=registry_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as client:
        jwks = (await client.get("/.well-known/jwks.json")).json()
    return TokenVerifier(
        "yicheng-registry", "yicheng", keys={k["kid"]: jwt.PyJWK(k).key for k in jwks["keys"]}
    )


@pytest.fixture(scope="session")
async def villages(registry_app: FastAPI, token: TokenFactory) -> dict[str, list[str]]:
    """The demo's village codes per town, read through the registry's API."""
    transport = httpx.ASGITransport(app=registry_app)
    out: dict[str, list[str]] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as client:
        page = await client.get("/v1/villages", params={"limit": 500}, headers=bearer(token()))
        assert page.status_code == 200, page.text
        for v in page.json()["items"]:
            out.setdefault(v["town_code"], []).append(v["code"])
    return out


@pytest.fixture(scope="session")
async def funds_app(
    make_database: Callable[[str], str],
    registry_app: FastAPI,
    verifier: TokenVerifier,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[FastAPI]:
    settings = FundsSettings(
        database_url=make_database("reporting_funds"),
        data_dir=Path(tmp_path_factory.mktemp("reporting-funds-data")),
        log_level="WARNING",
        registry_url="http://registry.test",
    )
    app = create_funds_app(
        settings, token_verifier=verifier, registry_transport=httpx.ASGITransport(registry_app)
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def funds_data(
    funds_app: FastAPI, token: TokenFactory, villages: dict[str, list[str]]
) -> FundsData:
    """Sources, projects, allocations, payments and an asset, created through the API."""
    transport = httpx.ASGITransport(app=funds_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://funds.test") as client:
        return await create_funds_data(client, token, villages)


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    """Passes requests on and remembers them: which token reached which upstream."""

    inner: httpx.AsyncBaseTransport
    requests: list[httpx.Request]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)


class Switch(httpx.AsyncBaseTransport):
    """An upstream that can be taken down, slowed, or made to refuse or answer garbage."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.mode = "up"
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        match self.mode:
            case "down":
                raise httpx.ConnectError("All connection attempts failed", request=request)
            case "slow":
                await asyncio.sleep(30)
            case "refuse":
                return httpx.Response(403, json={"title": "Forbidden"}, request=request)
            case "error":
                return httpx.Response(500, json={"title": "Internal error"}, request=request)
            case "garbage":
                return httpx.Response(200, json={"unexpected": True}, request=request)
        return await self.inner.handle_async_request(request)


class Down(httpx.AsyncBaseTransport):
    """An upstream whose process is gone: nothing listens."""

    def __init__(self) -> None:
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        raise httpx.ConnectError("All connection attempts failed", request=request)


ReportingFactory = Callable[..., Awaitable[FastAPI]]


@pytest.fixture(scope="session")
async def reporting_factory(
    make_database: Callable[[str], str],
    registry_app: FastAPI,
    funds_app: FastAPI,
    verifier: TokenVerifier,
    villages: dict[str, list[str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[ReportingFactory]:
    """Reporting apps, each with its own database (so its snapshots are its own).

    Upstream transports default to the in-process apps; pass `registry_transport=Down()`
    and the like to take one away, and settings as keyword arguments.
    """
    running: list[AbstractAsyncContextManager[Any]] = []

    async def make(**overrides: Any) -> FastAPI:
        transports = {
            "registry_transport": httpx.ASGITransport(app=registry_app),
            "funds_transport": httpx.ASGITransport(app=funds_app),
            "eligibility_transport": httpx.ASGITransport(app=contract_app(villages)),
        }
        for name in list(transports):
            if name in overrides:
                transports[name] = overrides.pop(name)
        settings = ReportingSettings(
            **{
                "database_url": make_database("reporting"),
                "data_dir": Path(tmp_path_factory.mktemp("reporting-data")),
                "log_level": "WARNING",
                "registry_url": "http://registry.test",
                "funds_url": "http://funds.test",
                "eligibility_url": "http://eligibility.test",
                "upstream_deadline_seconds": 5.0,
                **overrides,
            }
        )
        app = create_reporting_app(settings, token_verifier=verifier, **transports)
        context = app.router.lifespan_context(app)
        await context.__aenter__()
        running.append(context)
        return app

    yield make
    for context in reversed(running):
        await context.__aexit__(None, None, None)


@pytest.fixture(scope="session")
async def reporting(reporting_factory: ReportingFactory) -> FastAPI:
    """The reporting app with every upstream up."""
    return await reporting_factory()


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://reporting.test"
    )


@pytest.fixture
async def client(reporting: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(reporting) as c:
        yield c
