"""The funds service: sources, projects and their procedure, allocations, disbursements,
assets and their income, the double-entry ledger, and the public disclosure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from services.funds import codes
from services.funds.allocations.router import router as allocations_router
from services.funds.assets.router import router as assets_router
from services.funds.audit_log import router as audit_router
from services.funds.clients import EligibilityClient, RegistryClient
from services.funds.disbursements.router import router as disbursements_router
from services.funds.disclosure.router import router as disclosure_router
from services.funds.ledger.router import router as ledger_router
from services.funds.payees.router import router as payees_router
from services.funds.projects.router import router as projects_router
from services.funds.settings import FundsSettings
from services.funds.sources.router import router as sources_router
from services.funds.stats.router import router as stats_router
from shared.app import create_service_app
from shared.auth import TokenVerifier
from shared.http import ServiceTokenSource
from shared.idcard import IdCipher

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: FundsSettings | None = None,
    *,
    token_verifier: TokenVerifier | None = None,
    registry_transport: httpx.AsyncBaseTransport | None = None,
    eligibility_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The transports and verifier are for running the services in one process (tests,
    benchmarks); deployed, each is reached at its URL and keys come from the JWKS URL."""
    settings = settings or FundsSettings()

    async def verifier(app: FastAPI) -> TokenVerifier:
        if token_verifier is not None:
            return token_verifier
        return TokenVerifier(settings.jwt_issuer, settings.jwt_audience, jwks_url=settings.jwks_url)

    @asynccontextmanager
    async def funds_state(app: FastAPI) -> AsyncIterator[None]:
        tokens = None
        if settings.service_client_id and settings.service_client_secret:
            tokens = ServiceTokenSource(
                f"{settings.registry_url}/v1/auth/token",
                settings.service_client_id,
                settings.service_client_secret.get_secret_value(),
                transport=registry_transport,
            )
        registry = RegistryClient(
            settings.registry_url,
            tokens=tokens,
            transport=registry_transport,
            timeout=settings.upstream_timeout_seconds,
        )
        eligibility = None
        if settings.eligibility_url:
            eligibility = EligibilityClient(
                settings.eligibility_url,
                tokens=tokens,
                transport=eligibility_transport,
                timeout=settings.upstream_timeout_seconds,
            )
        app.state.registry = registry
        app.state.eligibility = eligibility
        app.state.card_cipher = IdCipher({1: settings.card_key()}, 1, b"")
        try:
            yield
        finally:
            await registry.aclose()
            if eligibility is not None:
                await eligibility.aclose()

    return create_service_app(
        settings,
        title="峄城区 funds — 扶贫资金与项目",
        description=(
            "Fund sources by level and kind; projects and their approval stages with public "
            "notices; allocations and disbursements into households' 一卡通 accounts, on a "
            "double-entry ledger in integer fen that nothing updates or deletes; assets formed "
            "by projects and their income; the 20 % rule; the public disclosure (阳光扶贫)."
        ),
        migrations_path=MIGRATIONS,
        routers=[
            codes.router,
            sources_router,
            projects_router,
            allocations_router,
            disbursements_router,
            payees_router,
            assets_router,
            ledger_router,
            stats_router,
            disclosure_router,
            audit_router,
        ],
        verifier=verifier,
        service_hook=funds_state,
    )
