"""The shared plumbing, exercised through the registry app.

Health and readiness, metrics labelled by route template, request ids, problem+json,
a failed COMMIT never answered with a 200, and migrations serialised by an advisory lock.
Tests that break a database do it on throwaway databases of their own.
"""

from __future__ import annotations

import asyncio
import re
import sys
import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import APIRouter, FastAPI

from services.registry.main import MIGRATIONS, create_app
from services.registry.settings import RegistrySettings
from shared import migrations
from shared.db import DbSession
from tests.registry.factories import TokenFactory

REQUEST_ID = "x-request-id"
ROOT = Path(__file__).resolve().parents[2]

probe_router = APIRouter()


@probe_router.post("/test/deferred-unique")
async def deferred_unique(session: DbSession) -> dict[str, str]:
    # Both rows pass at INSERT; the deferred UNIQUE only fires at COMMIT.
    await session.execute(sa.text("INSERT INTO plumbing_probe (k) VALUES (1), (1)"))
    return {"status": "written"}


@probe_router.post("/test/deferred-trigger")
async def deferred_trigger(session: DbSession) -> dict[str, str]:
    await session.execute(sa.text("INSERT INTO plumbing_guard (v) VALUES (1)"))
    return {"status": "written"}


_PROBE_DDL = (
    "CREATE TABLE plumbing_probe (k int, CONSTRAINT plumbing_probe_k UNIQUE (k)"
    " DEFERRABLE INITIALLY DEFERRED)",
    "CREATE TABLE plumbing_guard (v int)",
    """CREATE FUNCTION plumbing_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'refused at commit'; END $$""",
    "CREATE CONSTRAINT TRIGGER plumbing_guard_refuse AFTER INSERT ON plumbing_guard"
    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION plumbing_refuse()",
)


@pytest.fixture(scope="module")
async def throwaway_app(
    make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    """A registry app on a database of its own, with the test-only probe routes."""
    url = make_database("plumbing")
    settings = RegistrySettings(
        database_url=url,
        data_dir=Path(tmp_path_factory.mktemp("plumbing-data")),
        log_level="WARNING",
    )
    app = create_app(settings)
    app.include_router(probe_router)
    async with app.router.lifespan_context(app):  # migrates the new database to head
        async with app.state.engine.begin() as conn:
            for statement in _PROBE_DDL:
                await conn.execute(sa.text(statement))
        yield app


def _client(app: FastAPI) -> httpx.AsyncClient:
    # Unexpected errors become the 500 a real server sends instead of raising in the test.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://plumbing.test")


async def _count(app: FastAPI, table: str) -> int:
    async with app.state.engine.connect() as conn:
        query = sa.text(f"SELECT count(*) FROM {table}")  # noqa: S608 - this module's table names
        return int((await conn.execute(query)).scalar_one())


async def test_healthz_and_readyz_at_head(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "migrations": "at head"}


async def test_readyz_is_503_when_the_schema_is_behind(throwaway_app: FastAPI) -> None:
    engine = throwaway_app.state.engine
    async with engine.connect() as conn:
        stamped = [
            r[0] for r in await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
        ]
    async with _client(throwaway_app) as client:
        assert (await client.get("/readyz")).status_code == 200
        async with engine.begin() as conn:  # as if a newer release's migrations had not run
            await conn.execute(sa.text("DELETE FROM alembic_version"))
            await conn.execute(sa.text("INSERT INTO alembic_version VALUES ('0001')"))
        try:
            behind = await client.get("/readyz")
            assert behind.status_code == 503
            assert behind.json()["migrations"] == "behind"
        finally:
            async with engine.begin() as conn:
                await conn.execute(sa.text("DELETE FROM alembic_version"))
                for revision in stamped:
                    await conn.execute(
                        sa.text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision}
                    )
        assert (await client.get("/readyz")).status_code == 200


async def _request_samples(client: httpx.AsyncClient, auth: TokenFactory) -> list[str]:
    await client.get(f"/v1/villages/{CONCRETE_VILLAGE}", headers=auth())
    await client.get(f"/v1/cadres/{CONCRETE_CADRE}", headers=auth())
    text = (await client.get("/metrics")).text
    return [line for line in text.splitlines() if line.startswith("http_requests_total{")]


CONCRETE_VILLAGE = "370404104077"
CONCRETE_CADRE = "5f0c7a0e-3b7e-4d0a-9c55-2b1f0f6f2a11"


async def test_metrics_never_carry_concrete_ids(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    samples = await _request_samples(client, auth)
    assert any('status="404"' in line for line in samples)
    assert not any(CONCRETE_VILLAGE in line or CONCRETE_CADRE in line for line in samples)


async def test_metrics_label_routes_by_template(
    client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    samples = await _request_samples(client, auth)
    routes = {m.group(1) for line in samples if (m := re.search(r'route="([^"]*)"', line))}
    assert {"/v1/villages/{code}", "/v1/cadres/{cadre_id}"} <= routes


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    mine = "phone-7f3c1d0e9a2b"
    assert (await client.get("/healthz", headers={REQUEST_ID: mine})).headers[REQUEST_ID] == mine
    made = (await client.get("/healthz")).headers[REQUEST_ID]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    # Too short to be an id (or a way to smuggle text into logs): replaced, not echoed.
    replaced = (await client.get("/healthz", headers={REQUEST_ID: "x"})).headers[REQUEST_ID]
    assert replaced != "x" and re.fullmatch(r"[0-9a-f]{32}", replaced)


async def test_errors_are_problem_json(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    for response, status in [
        (await client.get("/v1/no-such-route", headers=auth()), 404),
        (await client.get("/v1/villages/370404104077", headers=auth()), 404),
        (await client.get("/v1/villages?limit=0", headers=auth()), 422),
    ]:
        assert response.status_code == status
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["status"] == status and body["title"] and body["detail"]
    invalid = (await client.get("/v1/villages?limit=0", headers=auth())).json()
    assert invalid["type"] == "/problems/invalid-input"
    assert invalid["errors"][0]["loc"] == ["query", "limit"]


async def test_a_constraint_failing_at_commit_is_a_409_not_a_200(throwaway_app: FastAPI) -> None:
    async with _client(throwaway_app) as client:
        response = await client.post("/test/deferred-unique")
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "plumbing_probe_k" in response.json()["detail"]
    assert await _count(throwaway_app, "plumbing_probe") == 0


async def test_any_commit_failure_is_an_error_not_a_200(throwaway_app: FastAPI) -> None:
    async with _client(throwaway_app) as client:
        response = await client.post("/test/deferred-trigger")
    assert response.status_code == 500
    assert "written" not in response.text
    assert await _count(throwaway_app, "plumbing_guard") == 0


async def test_an_unexpected_500_is_problem_json(throwaway_app: FastAPI) -> None:
    async with _client(throwaway_app) as client:
        response = await client.post("/test/deferred-trigger")
    assert response.headers["content-type"].startswith("application/problem+json")


_UPGRADE = "import sys; from shared import migrations; from services.registry.main import " \
    "MIGRATIONS; migrations.upgrade(MIGRATIONS, sys.argv[1])"  # fmt: skip


async def _replica(url: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _UPGRADE,
        url,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_concurrent_migrations_queue_on_the_advisory_lock(
    make_database: Callable[[str], str],
) -> None:
    """Two replicas starting at once: both succeed, the schema is migrated once."""
    url = make_database("migrate")
    engine = sa.create_engine(migrations.sync_url(url), poolclass=sa.pool.NullPool)
    lock_id = zlib.crc32(b"registry-migrations")  # the lock name services/registry/env.py uses
    with engine.connect() as holder:
        holder.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": lock_id})
        holder.commit()
        # Separate processes, like replicas: Alembic's `context` is process-global.
        replicas = [await _replica(url) for _ in range(2)]
        await asyncio.sleep(2)
        assert all(p.returncode is None for p in replicas)  # both queue on the lock
        assert not sa.inspect(holder).has_table("alembic_version")
        holder.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
        holder.commit()
    outputs = [await asyncio.wait_for(p.communicate(), 120) for p in replicas]
    assert [p.returncode for p in replicas] == [0, 0], outputs
    with engine.connect() as conn:
        stamped = [r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]
        assert set(stamped) == migrations.heads(MIGRATIONS) and len(stamped) == len(set(stamped))
        assert sa.inspect(conn).has_table("village")
    engine.dispose()
