"""Sessions and connections of a request (shared.db) on a real PostgreSQL: reads cost their
statements and nothing more, writes still commit before the answer, nothing is written
through a read session, and the pool keeps its connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI, Request
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import (
    DbReadSession,
    DbSession,
    make_engine,
    make_read_pool,
    make_read_sessionmaker,
    make_sessionmaker,
    read_connection,
)


@pytest.fixture(scope="module")
async def engine(make_database: Callable[[str], str]) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(make_database("shared_db"), pool_size=2)
    async with engine.begin() as conn:
        await conn.execute(sa.text("CREATE TABLE probe (k int PRIMARY KEY)"))
        await conn.execute(sa.text("INSERT INTO probe VALUES (1), (2)"))
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
async def sent(engine: AsyncEngine) -> list[str]:
    """Every statement sent on the engine's connections, as the driver sees them: those
    SQLAlchemy runs (its before_cursor_execute event) and those sent straight to asyncpg,
    BEGIN and COMMIT included (asyncpg's query logger)."""
    log: list[str] = []

    def on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(lambda r: log.append(r.query))

    def on_cursor(*args: Any) -> None:
        log.append(str(args[2]))

    event.listen(engine.sync_engine, "connect", on_connect)
    event.listen(engine.sync_engine, "before_cursor_execute", on_cursor)
    await engine.dispose()  # connections opened from now on log
    return log


@pytest.fixture(scope="module")
def app(engine: AsyncEngine) -> FastAPI:
    app = FastAPI()
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.read_sessionmaker = make_read_sessionmaker(engine)

    @app.get("/read-session")
    async def read_session(session: DbReadSession) -> dict[str, int]:
        count = await session.scalar(sa.text("SELECT count(*) FROM probe"))
        return {"count": int(count or 0)}

    @app.get("/read-connection")
    async def read_driver(request: Request) -> dict[str, int]:
        async with read_connection(request) as driver:
            return {"count": await driver.fetchval("SELECT count(*) FROM probe")}

    @app.post("/write/{k}")
    async def write(k: int, session: DbSession) -> dict[str, int]:
        await session.execute(sa.text("INSERT INTO probe VALUES (:k)"), {"k": k})
        return {"written": k}

    @app.post("/write-through-a-read/{k}")
    async def sneaky(k: int, session: DbReadSession) -> dict[str, int]:
        await session.execute(sa.text("SELECT 1"))
        await session.execute(sa.insert(sa.table("probe", sa.column("k"))).values(k=k))
        return {"written": k}

    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://db.test") as c:
        yield c


async def _statements(sent: list[str], client: httpx.AsyncClient, url: str) -> list[str]:
    sent.clear()
    response = await client.get(url)
    assert response.status_code == 200, response.text
    await asyncio.sleep(0)  # asyncpg calls its loggers soon after, not at once
    return [s.split()[0].upper().rstrip(";") for s in sent]


@pytest.mark.parametrize("url", ["/read-session", "/read-connection"])
async def test_a_read_sends_its_select_and_nothing_else(
    client: httpx.AsyncClient, sent: list[str], url: str
) -> None:
    await client.get(url)  # the pool's first connection says hello once
    for _ in range(3):
        assert await _statements(sent, client, url) == ["SELECT"]


async def test_a_write_commits_before_answering(
    client: httpx.AsyncClient, sent: list[str], engine: AsyncEngine
) -> None:
    sent.clear()
    response = await client.post("/write/10")
    assert response.status_code == 200
    await asyncio.sleep(0)
    words = sorted(s.split()[0].upper().rstrip(";") for s in sent)
    assert words == ["BEGIN", "COMMIT", "INSERT"], words
    async with engine.connect() as conn:
        assert await conn.scalar(sa.text("SELECT count(*) FROM probe WHERE k = 10")) == 1


async def test_nothing_is_written_through_a_read_session(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    response = await client.post("/write-through-a-read/20")
    assert response.status_code == 500
    async with engine.connect() as conn:
        assert await conn.scalar(sa.text("SELECT count(*) FROM probe WHERE k = 20")) == 0


class _Base(DeclarativeBase):
    pass


class Probe(_Base):
    __tablename__ = "probe"
    k: Mapped[int] = mapped_column(primary_key=True)


async def test_a_read_session_refuses_to_flush(engine: AsyncEngine) -> None:
    async with make_read_sessionmaker(engine)() as session:
        assert (await session.get(Probe, 1)) is not None  # reading is fine
        session.add(Probe(k=30))
        with pytest.raises(RuntimeError, match="read-only"):
            await session.flush()


async def test_the_pool_keeps_its_connections_and_never_pings(
    engine: AsyncEngine, sent: list[str]
) -> None:
    pool = engine.sync_engine.pool
    assert pool.size() == 4 and getattr(pool, "_max_overflow", None) == 0  # 2 × pool_size
    assert engine.sync_engine.pool._pre_ping is False
    assert pool._recycle == 1800

    async def hold() -> None:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT pg_sleep(0.05)"))

    await asyncio.gather(*(hold() for _ in range(4)))
    connected = pool.checkedin()
    await asyncio.gather(*(hold() for _ in range(4)))
    assert pool.checkedin() == connected == 4  # the same connections, none closed


async def test_a_connection_the_server_dropped_leaves_the_pool(
    app: FastAPI, engine: AsyncEngine
) -> None:
    request = Request({"type": "http", "app": app, "headers": []})

    async def cut_off() -> None:
        async with read_connection(request) as driver:
            await driver.execute("SELECT pg_terminate_backend(pg_backend_pid())")
            await driver.fetchval("SELECT 1")

    with pytest.raises(Exception, match=r"terminat|closed|connection"):
        await cut_off()
    # The next read gets a live connection.
    async with read_connection(request) as driver:
        assert await driver.fetchval("SELECT 1") == 1


@pytest.fixture(scope="module")
async def read_pool(make_database: Callable[[str], str]) -> AsyncIterator[Any]:
    pool = await make_read_pool(make_database("shared_read_pool"), size=2)
    yield pool
    await pool.close()


def _request_with(read_pool: Any) -> Request:
    app = FastAPI()
    app.state.read_pool = read_pool
    return Request({"type": "http", "app": app, "headers": []})


async def test_the_read_pool_reuses_connections_without_resetting_them(read_pool: Any) -> None:
    request = _request_with(read_pool)
    sent: list[str] = []

    def log(record: Any) -> None:
        sent.append(record.query)

    async with read_connection(request) as driver:
        backend = driver.get_server_pid()
        driver.add_query_logger(log)
    try:
        for _ in range(3):
            async with read_connection(request) as driver:
                assert driver.get_server_pid() == backend  # the same connection, kept
                assert await driver.fetchval("SELECT 2") == 2
        await asyncio.sleep(0)
        assert sent == ["SELECT 2"] * 3  # no RESET ALL, no UNLISTEN, no ROLLBACK between
    finally:
        async with read_connection(request) as driver:
            driver.remove_query_logger(log)


async def test_nothing_is_written_through_the_read_pool(read_pool: Any) -> None:
    request = _request_with(read_pool)
    async with read_connection(request) as driver:
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await driver.execute("CREATE TABLE written (k int)")
        # A transaction someone left open is rolled back before the next user.
        await driver.execute("BEGIN")
    async with read_connection(request) as driver:
        assert not driver.is_in_transaction()
