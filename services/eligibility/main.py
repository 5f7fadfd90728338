"""The eligibility service: dated policy parameters, the benefit catalogue, assessments,
exit cases and their public-notice procedure, batch runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

import httpx
import structlog
from fastapi import FastAPI

from services.eligibility.assessments.router import router as assessments_router
from services.eligibility.audit_log import router as audit_router
from services.eligibility.calculations.router import router as benefits_router
from services.eligibility.cases.router import router as cases_router
from services.eligibility.clock import Clock, system_clock
from services.eligibility.parameters.loader import default_definitions
from services.eligibility.policy import service as policy
from services.eligibility.policy.router import router as parameters_router
from services.eligibility.registry_client import RegistryClient
from services.eligibility.runs.manager import RunManager
from services.eligibility.runs.router import router as runs_router
from services.eligibility.settings import EligibilitySettings
from services.eligibility.stats import router as stats_router
from services.eligibility.village_cases.router import router as village_cases_router
from shared.app import create_service_app
from shared.auth import TokenVerifier
from shared.http import ServiceTokenSource

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(
    settings: EligibilitySettings | None = None,
    *,
    token_verifier: TokenVerifier | None = None,
    registry_transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock = system_clock,
) -> FastAPI:
    """The transport and verifier are for running services in one process (tests, benchmarks);
    deployed, the registry is reached at its URL and keys come from the JWKS URL. `clock` is
    the server's clock the notice periods run on (also `app.state.clock`, for tests)."""
    settings = settings or EligibilitySettings()

    async def verifier(app: FastAPI) -> TokenVerifier:
        if token_verifier is not None:
            return token_verifier
        return TokenVerifier(settings.jwt_issuer, settings.jwt_audience, jwks_url=settings.jwks_url)

    @asynccontextmanager
    async def eligibility_state(app: FastAPI) -> AsyncIterator[None]:
        log = structlog.get_logger("eligibility")
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
            export_path=settings.registry_export_path,
            tokens=tokens,
            transport=registry_transport,
            timeout=settings.upstream_timeout_seconds,
        )
        async with app.state.sessionmaker() as session, session.begin():
            report = await policy.seed_from_files(session)
        log.info("parameters_seeded", **asdict(report))
        app.state.parameters = policy.ParameterCache(dict(default_definitions()))
        app.state.registry = registry
        app.state.runs = runs = RunManager(app, registry, chunk=settings.run_chunk_size)
        interrupted = await runs.sweep_stale(timedelta(minutes=settings.run_stale_minutes))
        if interrupted:
            log.warning("runs_interrupted", count=interrupted)
        try:
            yield
        finally:
            await runs.shutdown()
            await registry.aclose()

    app = create_service_app(
        settings,
        title="峄城区 eligibility — 政策参数、帮扶政策与退出",
        description=(
            "Dated policy parameters with their sources (RULES.md §1, §6); the benefit catalogue "
            "and single calculations with traces; a registered household's entitlements (一户一策); "
            "household exit (§3), village exit (§4) and key-village identification (§5); exit "
            "cases through their public-notice procedure; batch runs over an area."
        ),
        migrations_path=MIGRATIONS,
        routers=[
            parameters_router,
            benefits_router,
            assessments_router,
            cases_router,
            village_cases_router,
            runs_router,
            stats_router,
            audit_router,
        ],
        verifier=verifier,
        service_hook=eligibility_state,
    )
    app.state.clock = clock
    return app
