"""The application skeleton every service shares: lifespan, middleware, handlers, health."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI

from shared import migrations
from shared.auth import TokenVerifier
from shared.db import make_engine, make_read_pool, make_read_sessionmaker, make_sessionmaker
from shared.embedded import resolve_database_url
from shared.errors import install_problem_handlers
from shared.health import health_router
from shared.idempotency import IdempotencyStore, mark_claim_in_transaction, purging_expired_keys
from shared.observability import Metrics, RequestContextMiddleware, configure_logging
from shared.settings import ServiceSettings
from shared.tracing import instrument_app, make_tracer_provider

ServiceHook = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    migrations_path: Path,
    routers: Sequence[APIRouter],
    verifier: Callable[[FastAPI], Awaitable[TokenVerifier]],
    service_hook: ServiceHook | None = None,
    migrate_on_start: bool = True,
) -> FastAPI:
    """Build a service. Nothing touches the database until the lifespan starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level, json=settings.log_json)
        log = structlog.get_logger(settings.service_name)
        url = await asyncio.to_thread(
            resolve_database_url, settings.database_url, settings.data_dir, settings.database_name
        )
        if migrate_on_start:
            await asyncio.to_thread(migrations.upgrade, migrations_path, url)
        engine = make_engine(url, pool_size=settings.db_pool_size)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        app.state.read_sessionmaker = make_read_sessionmaker(engine)
        app.state.read_pool = await make_read_pool(url, size=settings.db_pool_size)
        ttl = timedelta(days=settings.idempotency_ttl_days)
        app.state.idempotency = IdempotencyStore(
            app.state.sessionmaker,
            ttl=ttl,
            stale_after=timedelta(seconds=settings.idempotency_stale_seconds),
        )
        app.state.verifier = await verifier(app)
        hook = service_hook(app) if service_hook else nullcontext()
        try:
            # The purge stops before the engine it uses is disposed.
            async with purging_expired_keys(app.state.sessionmaker, ttl=ttl), hook:
                log.info("started", service=settings.service_name)
                # What startup built (routes, models, schemas, metadata) lives as long as
                # the process: out of the collector's sight, full collections stop walking
                # it again and again under load (pauses that were the p99 of reads).
                gc.collect()
                gc.freeze()
                yield
        finally:
            await app.state.read_pool.close()
            await engine.dispose()
            app.state.tracer_provider.shutdown()

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        responses=_COMMON_RESPONSES,
    )
    app.state.settings = settings
    app.state.migrations_path = migrations_path
    app.state.metrics = Metrics(settings.service_name)
    app.state.before_commit = [mark_claim_in_transaction]
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    app.state.tracer_provider = make_tracer_provider(settings.service_name, settings.otlp_endpoint)
    instrument_app(app, app.state.tracer_provider)  # outermost: the others run in its span
    install_problem_handlers(app)
    app.include_router(health_router())
    for router in routers:
        app.include_router(router)
    return app


_PROBLEM_EXAMPLE: dict[str, Any] = {
    "type": "/problems/invalid-input",
    "title": "Invalid input",
    "status": 422,
    "detail": "Invalid input: body.members.0.id_number",
    "errors": [
        {
            "loc": ["body", "members", 0, "id_number"],
            "msg": "the check character does not match",
            "type": "value_error",
        }
    ],
}
_COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "Invalid input; `errors` names each field",
        "content": {"application/problem+json": {"example": _PROBLEM_EXAMPLE}},
    },
}
