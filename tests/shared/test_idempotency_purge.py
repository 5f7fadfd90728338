"""The purge of expired Idempotency-Keys (shared.idempotency) on a real PostgreSQL: bounded
batches, a round at start and then periodically, surviving a failed round, and a prompt,
clean stop however long the interval."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.db import make_engine
from shared.idempotency import purge_expired_keys, purging_expired_keys
from shared.models import IdempotencyKey

TTL = timedelta(days=30)
EXPIRED = TTL + timedelta(minutes=1)
LIVE = TTL - timedelta(days=1)


@pytest.fixture(scope="module")
async def engine(make_database: Callable[[str], str]) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(make_database("shared_idempotency"), pool_size=2)
    table = IdempotencyKey.__table__
    assert isinstance(table, sa.Table)
    async with engine.begin() as conn:
        await conn.run_sync(table.create)
    yield engine
    await engine.dispose()


@pytest.fixture(autouse=True)
async def empty(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.text("DELETE FROM idempotency_key"))


async def _add(engine: AsyncEngine, age: timedelta, *keys: str) -> None:
    async with engine.begin() as conn:
        for key in keys:
            await conn.execute(
                sa.text(
                    "INSERT INTO idempotency_key (account, key, method, path, fingerprint,"
                    " state, created_at) VALUES ('a1', :k, 'POST', '/v1/x', 'f', 'done',"
                    " now() - CAST(:age AS interval))"
                ),
                {"k": key, "age": age},
            )


async def _keys(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        found = await conn.scalars(sa.text("SELECT key FROM idempotency_key ORDER BY key"))
        return list(found.all())


async def _until_keys_are(engine: AsyncEngine, expected: list[str]) -> None:
    for _ in range(250):
        if await _keys(engine) == expected:
            return
        await asyncio.sleep(0.02)
    assert await _keys(engine) == expected


class _CountingSessionmaker(async_sessionmaker[AsyncSession]):
    """Counts the sessions opened: the purge opens one per batch (transaction)."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine, expire_on_commit=False, autoflush=False)
        self.opened = 0
        self._changed = asyncio.Event()

    def __call__(self, **local_kw: Any) -> AsyncSession:
        self.opened += 1
        self._changed.set()
        return super().__call__(**local_kw)

    async def until_opened(self, count: int) -> None:
        while self.opened < count:
            self._changed.clear()
            await asyncio.wait_for(self._changed.wait(), timeout=5)


async def test_purges_every_expired_key_in_bounded_batches(engine: AsyncEngine) -> None:
    await _add(engine, EXPIRED, *(f"old-{n}" for n in range(5)))
    await _add(engine, LIVE, "live")
    sessions = _CountingSessionmaker(engine)

    assert await purge_expired_keys(sessions, TTL, batch_size=2) == 5
    assert sessions.opened == 3  # 2 + 2 + 1, each in its own short transaction
    assert await _keys(engine) == ["live"]


async def test_purges_at_start_then_every_interval_and_stops_cleanly(engine: AsyncEngine) -> None:
    await _add(engine, EXPIRED, "old-1")
    await _add(engine, LIVE, "live")
    async with purging_expired_keys(
        _CountingSessionmaker(engine), ttl=TTL, every=timedelta(milliseconds=50)
    ) as task:
        await _until_keys_are(engine, ["live"])
        await _add(engine, EXPIRED, "old-2")  # expired while the service runs
        await _until_keys_are(engine, ["live"])
    assert task.done()
    assert not task.cancelled()  # it stopped on its own, not cut off mid-statement


async def test_a_failed_round_does_not_stop_the_purge(engine: AsyncEngine) -> None:
    await _add(engine, EXPIRED, "old-1")
    sessions = _CountingSessionmaker(engine)
    async with engine.begin() as conn:  # as if the database were away for a while
        await conn.execute(sa.text("ALTER TABLE idempotency_key RENAME TO away"))
    try:
        # Captured rather than rendered (a rendered traceback takes seconds).
        with structlog.testing.capture_logs() as logs:
            async with purging_expired_keys(
                sessions, ttl=TTL, every=timedelta(milliseconds=20)
            ) as task:
                await sessions.until_opened(3)  # two rounds failed
                assert not task.done()
                async with engine.begin() as conn:
                    await conn.execute(sa.text("ALTER TABLE away RENAME TO idempotency_key"))
                await _until_keys_are(engine, [])
        assert "purging expired idempotency keys failed" in {e["event"] for e in logs}
    finally:
        async with engine.begin() as conn:
            await conn.execute(sa.text("ALTER TABLE IF EXISTS away RENAME TO idempotency_key"))


async def test_stops_at_once_whatever_the_interval(engine: AsyncEngine) -> None:
    sessions = _CountingSessionmaker(engine)
    started = asyncio.get_running_loop().time()
    async with purging_expired_keys(sessions, ttl=TTL, every=timedelta(hours=1)) as task:
        await sessions.until_opened(1)  # the first round, at start
    assert task.done()
    assert not task.cancelled()
    assert asyncio.get_running_loop().time() - started < 5
