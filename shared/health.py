"""Liveness, readiness (database reachable, migrations at head) and Prometheus metrics."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine

from shared import migrations


def health_router(engine_of: str = "engine") -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get(
        "/healthz",
        summary="Alive",
        responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
    )
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Ready: database reachable and migrations at head",
        responses={
            200: {
                "content": {
                    "application/json": {
                        "example": {"status": "ready", "database": "ok", "migrations": "at head"}
                    }
                }
            },
            503: {
                "content": {
                    "application/json": {
                        "example": {"status": "not ready", "database": "ok", "migrations": "behind"}
                    }
                }
            },
        },
    )
    async def readyz(request: Request) -> JSONResponse:
        engine: AsyncEngine = getattr(request.app.state, engine_of)
        script_location: Path = request.app.state.migrations_path
        try:
            async with engine.connect() as conn:
                current = await conn.run_sync(migrations.current_revisions)
        except (sa.exc.SQLAlchemyError, OSError):
            return JSONResponse({"status": "not ready", "database": "unreachable"}, status_code=503)
        at_head = current == migrations.heads(script_location)
        body = {
            "status": "ready" if at_head else "not ready",
            "database": "ok",
            "migrations": "at head" if at_head else "behind",
        }
        return JSONResponse(body, status_code=200 if at_head else 503)

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics(request: Request) -> Response:
        return Response(
            generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
        )

    return router
