"""The baselines of the HTTP benchmark, served with the same uvicorn settings as
`python -m services.registry serve`:

- `GET /v1/ping`: a bare FastAPI endpoint returning a small JSON, touching no database;
- `GET /v1/ping-db`: the same plus one `SELECT 1` on a pooled asyncpg connection — the
  floor of any endpoint that reads PostgreSQL;
- `GET /v1/households/{id}` and `GET /v1/households?village_code=&status=`: bare FastAPI
  endpoints doing the same read as the registry's — the same service functions, the same
  SQL, a pool made the same way — without its authentication, area scoping, validation,
  middleware (request ids, metrics, traces) or routing among its other endpoints.

usage: python bench/registry/bare_app.py PORT [DATABASE_URL]
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from services.registry.households import reading
from shared.auth import Principal, Role
from shared.db import make_read_pool

ADMIN = Principal("bench", Role.district_admin, "370404")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    url = sys.argv[2] if len(sys.argv) > 2 else None
    app.state.pool = await make_read_pool(url) if url else None
    yield
    if app.state.pool is not None:
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/v1/ping")
async def ping() -> dict[str, object]:
    return {"status": "ok", "service": "bare", "items": [1, 2, 3]}


@app.get("/v1/ping-db")
async def ping_db(request: Request) -> dict[str, Any]:
    async with request.app.state.pool.acquire() as connection:
        value = await connection.fetchval("SELECT 1")
    return {"status": "ok", "service": "bare", "items": [value, 2, 3]}


@app.get("/v1/households/{household_id}")
async def household(household_id: str, request: Request) -> Response:
    async with request.app.state.pool.acquire() as connection:
        document = await reading.read_household(connection, ADMIN, uuid.UUID(household_id), None)
    return Response(document.json, media_type="application/json")


@app.get("/v1/households")
async def households(village_code: str, status: str, request: Request) -> Response:
    filters = reading.HouseholdFilters(village_code=village_code, status=status)
    async with request.app.state.pool.acquire() as connection:
        page = await reading.list_summaries(connection, ADMIN, filters, after=None, limit=50)
    return Response(page.json(None), media_type="application/json")


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )
