"""The reporting service: the plan's tables computed from the other services' data.

It owns no authoritative data. Each report asks the registry, funds and eligibility
services over HTTP, concurrently, with the caller's own token (so their area scoping
applies), and keeps snapshots of their answers to serve, marked, when one is down.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import httpx
from fastapi import FastAPI
from prometheus_client import Counter
from purgatory import AsyncCircuitBreakerFactory

from services.reporting.reports.common import SourceState
from services.reporting.router import router as reports_router
from services.reporting.service import ReportService
from services.reporting.settings import ReportingSettings
from services.reporting.snapshots.store import SnapshotStore
from services.reporting.sources import Collector, Deadlines
from services.reporting.upstreams import Upstreams
from services.reporting.upstreams.eligibility import EligibilityClient
from services.reporting.upstreams.funds import FundsClient
from services.reporting.upstreams.registry import RegistryClient
from shared.app import create_service_app
from shared.auth import TokenVerifier
from shared.http import ServiceTokenSource

MIGRATIONS = Path(__file__).parent / "migrations"
C = TypeVar("C", RegistryClient, FundsClient, EligibilityClient)


def create_app(
    settings: ReportingSettings | None = None,
    *,
    token_verifier: TokenVerifier | None = None,
    registry_transport: httpx.AsyncBaseTransport | None = None,
    funds_transport: httpx.AsyncBaseTransport | None = None,
    eligibility_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The transports and verifier are for running services in one process (tests,
    benchmarks); deployed, each upstream is reached at its URL and keys come from JWKS."""
    settings = settings or ReportingSettings()

    async def verifier(app: FastAPI) -> TokenVerifier:
        if token_verifier is not None:
            return token_verifier
        return TokenVerifier(settings.jwt_issuer, settings.jwt_audience, jwks_url=settings.jwks_url)

    @asynccontextmanager
    async def reporting_state(app: FastAPI) -> AsyncIterator[None]:
        upstreams = make_upstreams(
            settings,
            app,
            registry_transport=registry_transport,
            funds_transport=funds_transport,
            eligibility_transport=eligibility_transport,
        )
        store = SnapshotStore(
            app.state.sessionmaker,
            memory_entries=settings.snapshot_memory_entries,
            write_interval_seconds=settings.snapshot_write_interval_seconds,
        )
        deadlines = Deadlines(
            upstream_seconds=settings.upstream_deadline_seconds,
            fresh_seconds=settings.snapshot_fresh_seconds,
            max_age_seconds=settings.snapshot_max_age_seconds,
        )
        parts = Counter(
            "report_parts_total",
            "Upstream parts of reports by state: fresh, cached (a snapshot) or missing",
            ["report", "upstream", "state"],
            registry=app.state.metrics.registry,
        )

        def observe(report: str, upstream: str, state: SourceState) -> None:
            parts.labels(report, upstream, state.value).inc()

        app.state.upstreams = upstreams
        app.state.reports = ReportService(upstreams, Collector(store, deadlines, observe))
        try:
            yield
        finally:
            await upstreams.aclose()

    return create_service_app(
        settings,
        title="峄城区 reporting — 报表",
        description=(
            "The plan's tables computed from the services' data: the rolling plan (专栏2), "
            "the main indicators (专栏3), causes of poverty, exit progress and incidence, "
            "entitlements and funds. JSON, CSV or XLSX with Chinese headers. Each report says "
            "per upstream whether its figures are fresh, cached (and how old) or missing; "
            "missing figures are null, never 0."
        ),
        migrations_path=MIGRATIONS,
        routers=[reports_router],
        verifier=verifier,
        service_hook=reporting_state,
    )


def make_upstreams(
    settings: ReportingSettings,
    app: FastAPI,
    *,
    registry_transport: httpx.AsyncBaseTransport | None = None,
    funds_transport: httpx.AsyncBaseTransport | None = None,
    eligibility_transport: httpx.AsyncBaseTransport | None = None,
) -> Upstreams:
    """One client per upstream, each with its own circuit breaker; a service token for
    calls made without a caller (reports themselves always pass the caller's)."""
    tokens = None
    if settings.service_client_id and settings.service_client_secret:
        tokens = ServiceTokenSource(
            f"{settings.registry_url}/v1/auth/token",
            settings.service_client_id,
            settings.service_client_secret.get_secret_value(),
            transport=registry_transport,
        )

    def client(kind: type[C], url: str, transport: httpx.AsyncBaseTransport | None) -> C:
        return kind(
            url,
            tokens=tokens,
            transport=transport,
            timeout=settings.upstream_timeout_seconds,
            attempts=settings.upstream_attempts,
            # Per upstream: one that fails stops being asked for a while, the others not.
            breakers=AsyncCircuitBreakerFactory(
                default_threshold=settings.breaker_threshold,
                default_ttl=settings.breaker_reset_seconds,
            ),
            tracer_provider=app.state.tracer_provider,
        )

    eligibility = None
    if settings.eligibility_url:
        eligibility = client(EligibilityClient, settings.eligibility_url, eligibility_transport)
    return Upstreams(
        registry=client(RegistryClient, settings.registry_url, registry_transport),
        funds=client(FundsClient, settings.funds_url, funds_transport),
        eligibility=eligibility,
    )
