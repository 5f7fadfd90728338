"""The registry service: areas, registered households, accounts, exchange, change feed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from services.registry.accounts import service as accounts_service
from services.registry.accounts.router import keys_router
from services.registry.accounts.router import router as accounts_router
from services.registry.areas.router import router as areas_router
from services.registry.audit.router import router as audit_router
from services.registry.cadres.router import router as cadres_router
from services.registry.changes.router import router as changes_router
from services.registry.codes.router import router as codes_router
from services.registry.exchange.router import import_router as exchange_import_router
from services.registry.exchange.router import router as exchange_router
from services.registry.households.router import router as households_router
from services.registry.settings import RegistrySettings
from services.registry.stats.router import router as stats_router
from shared.app import create_service_app
from shared.auth import TokenIssuer, TokenVerifier, load_or_create_signing_keys
from shared.idcard import IdCipher

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()

    async def verifier(app: FastAPI) -> TokenVerifier:
        keys = load_or_create_signing_keys(settings.keys_dir)
        app.state.issuer = TokenIssuer(
            keys, settings.jwt_issuer, settings.jwt_audience, settings.access_token_ttl_seconds
        )
        if settings.jwks_url is not None:
            # Another issuer (an OIDC provider) replaces ours: only its keys are trusted,
            # fetched and refetched on rotation as every other service does.
            return TokenVerifier(
                settings.jwt_issuer, settings.jwt_audience, jwks_url=settings.jwks_url
            )
        return TokenVerifier.from_signing_keys(
            keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience
        )

    @asynccontextmanager
    async def registry_state(app: FastAPI) -> AsyncIterator[None]:
        encryption_key, lookup_key = settings.id_keys()
        app.state.id_cipher = IdCipher({1: encryption_key}, 1, lookup_key)
        async with app.state.sessionmaker() as session, session.begin():
            if settings.bootstrap_admin_password is not None:
                await accounts_service.ensure_bootstrap_admin(
                    session,
                    settings.bootstrap_admin_username,
                    settings.bootstrap_admin_password.get_secret_value(),
                )
            await accounts_service.ensure_service_clients(
                session, {k: v.get_secret_value() for k, v in settings.service_clients.items()}
            )
        yield

    return create_service_app(
        settings,
        title="峄城区 registry — 建档立卡 households",
        description=(
            "Towns, villages and key villages; registered poor households and their members; "
            "yearly income surveys; accounts; history; bulk exchange with the provincial "
            "system; the change feed."
        ),
        migrations_path=MIGRATIONS,
        # The router tries routes in this order, one pattern at a time (≈1 µs each): the
        # most requested ones, households, go first. No two routers' paths overlap.
        routers=[
            households_router,
            keys_router,
            accounts_router,
            areas_router,
            cadres_router,
            codes_router,
            changes_router,
            stats_router,
            audit_router,
            exchange_import_router,
            exchange_router,
        ],
        verifier=verifier,
        service_hook=registry_state,
    )
