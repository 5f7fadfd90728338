"""Idempotency-Key on POST through the registry's accounts: replay, misuse, in flight, and
the key's lifetime (honoured for the TTL, then new again and purged)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.registry.accounts.models import Account
from services.registry.main import create_app
from services.registry.settings import RegistrySettings
from shared.idempotency import purge_expired_keys
from tests.registry.factories import TokenFactory


def _account(username: str) -> dict[str, str]:
    return {
        "username": username,
        "display_name": "古邵镇扶贫办",
        "password": "a-long-passphrase-2018",
        "role": "town_officer",
        "area_code": "370404100",
    }


async def _count(db: AsyncConnection, username: str) -> int:
    query = sa.select(sa.func.count()).select_from(Account).where(Account.username == username)
    return int((await db.execute(query)).scalar_one())


async def test_same_key_and_body_replays_the_first_answer(
    client: httpx.AsyncClient, auth: TokenFactory, db: AsyncConnection
) -> None:
    headers = {**auth(), "Idempotency-Key": "phone-42-outbox-1"}
    first = await client.post("/v1/accounts", json=_account("gushao.1"), headers=headers)
    again = await client.post("/v1/accounts", json=_account("gushao.1"), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await _count(db, "gushao.1") == 1


async def test_same_key_with_another_body_is_422_and_changes_nothing(
    client: httpx.AsyncClient, auth: TokenFactory, db: AsyncConnection
) -> None:
    headers = {**auth(), "Idempotency-Key": "phone-42-outbox-2"}
    assert (
        await client.post("/v1/accounts", json=_account("gushao.2"), headers=headers)
    ).status_code == 201
    misuse = await client.post("/v1/accounts", json=_account("gushao.3"), headers=headers)

    assert misuse.status_code == 422
    assert misuse.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert await _count(db, "gushao.3") == 0


async def test_keys_belong_to_one_account(
    client: httpx.AsyncClient, auth: TokenFactory, db: AsyncConnection
) -> None:
    """Two administrators picking the same key do not see each other's answers."""
    key = {"Idempotency-Key": "same-key"}
    one = await client.post(
        "/v1/accounts", json=_account("gushao.4"), headers={**auth(subject="a1"), **key}
    )
    two = await client.post(
        "/v1/accounts", json=_account("gushao.5"), headers={**auth(subject="a2"), **key}
    )
    assert one.status_code == two.status_code == 201
    assert await _count(db, "gushao.5") == 1


async def test_a_failed_request_releases_its_key(
    client: httpx.AsyncClient, auth: TokenFactory, db: AsyncConnection
) -> None:
    headers = {**auth(), "Idempotency-Key": "phone-42-outbox-3"}
    bad = {**_account("gushao.6"), "password": "short"}
    assert (await client.post("/v1/accounts", json=bad, headers=headers)).status_code == 422
    # The corrected retry under the same key is a new request, not a misuse.
    retry = await client.post("/v1/accounts", json=_account("gushao.6"), headers=headers)
    assert retry.status_code == 201


@pytest.fixture
async def committed_client(registry_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests really commit (no surrounding test transaction)."""
    transport = httpx.ASGITransport(app=registry_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as c:
        yield c


async def test_while_the_first_is_in_flight_a_retry_gets_409_then_the_replay(
    registry_engine: AsyncEngine, committed_client: httpx.AsyncClient, auth: TokenFactory
) -> None:
    key = f"in-flight-{uuid.uuid4().hex}"
    body = _account(f"inflight.{uuid.uuid4().hex[:6]}")
    headers = {**auth(subject="admin-inflight"), "Idempotency-Key": key}

    async with registry_engine.connect() as blocker:
        # Hold the first request inside its transaction: its INSERT waits on this lock.
        await blocker.execute(sa.text("LOCK TABLE account IN SHARE MODE"))
        first = asyncio.create_task(
            committed_client.post("/v1/accounts", json=body, headers=headers)
        )
        await _until_claimed(registry_engine, key)

        retry = await committed_client.post("/v1/accounts", json=body, headers=headers)
        assert retry.status_code == 409
        assert not first.done()
        await blocker.rollback()

    assert (await first).status_code == 201
    replay = await committed_client.post("/v1/accounts", json=body, headers=headers)
    assert replay.status_code == 201
    assert replay.json() == (await first).json()


async def _until_claimed(engine: AsyncEngine, key: str) -> None:
    for _ in range(200):
        async with engine.connect() as conn:
            found = await conn.scalar(
                sa.text("SELECT count(*) FROM idempotency_key WHERE key = :k"), {"k": key}
            )
        if found:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the first request never claimed its key")


# Keys outlive offline spells: their age is set in the database, as if days had passed.


async def _backdate(db: AsyncConnection, key: str, age: timedelta) -> None:
    await db.execute(
        sa.text(
            "UPDATE idempotency_key SET created_at = now() - CAST(:age AS interval) WHERE key = :k"
        ),
        {"age": age, "k": key},
    )


def _ttl(app: FastAPI) -> timedelta:
    return timedelta(days=app.state.settings.idempotency_ttl_days)


async def test_a_replay_days_later_still_answers_the_first_time(
    client: httpx.AsyncClient, auth: TokenFactory, db: AsyncConnection, registry_app: FastAPI
) -> None:
    headers = {**auth(), "Idempotency-Key": "phone-42-outbox-days"}
    first = await client.post("/v1/accounts", json=_account("gushao.7"), headers=headers)
    assert first.status_code == 201
    await _backdate(db, "phone-42-outbox-days", _ttl(registry_app) - timedelta(days=1))

    replay = await client.post("/v1/accounts", json=_account("gushao.7"), headers=headers)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    assert await _count(db, "gushao.7") == 1


async def test_after_the_ttl_the_same_key_is_a_new_request(
    client: httpx.AsyncClient, auth: TokenFactory, db: AsyncConnection, registry_app: FastAPI
) -> None:
    headers = {**auth(), "Idempotency-Key": "phone-42-outbox-expired"}
    first = await client.post("/v1/accounts", json=_account("gushao.8"), headers=headers)
    assert first.status_code == 201
    await _backdate(db, "phone-42-outbox-expired", _ttl(registry_app) + timedelta(minutes=1))

    # Another body under a live key is a 422 misuse; under an expired one it is just new.
    again = await client.post("/v1/accounts", json=_account("gushao.9"), headers=headers)
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]
    assert await _count(db, "gushao.9") == 1
    replay = await client.post("/v1/accounts", json=_account("gushao.9"), headers=headers)
    assert replay.json() == again.json()  # the key now stands for the new request


async def test_the_purge_removes_expired_keys_and_keeps_live_ones(
    client: httpx.AsyncClient, auth: TokenFactory, db: AsyncConnection, registry_app: FastAPI
) -> None:
    ttl = _ttl(registry_app)
    ages = {"purge-expired": ttl + timedelta(minutes=1), "purge-live": ttl - timedelta(days=1)}
    for n, (key, age) in enumerate(ages.items()):
        headers = {**auth(), "Idempotency-Key": key}
        body = _account(f"purge.{n}")
        assert (await client.post("/v1/accounts", json=body, headers=headers)).status_code == 201
        await _backdate(db, key, age)

    await purge_expired_keys(registry_app.state.idempotency.sessionmaker, ttl)

    kept = await db.scalars(
        sa.text("SELECT key FROM idempotency_key WHERE key LIKE 'purge-%' ORDER BY key")
    )
    assert kept.all() == ["purge-live"]
    assert await _count(db, "purge.0") == 1  # the key goes, never what its request did


@pytest.mark.parametrize(
    ("age", "problem"),
    [
        (timedelta(0), "/problems/conflict"),  # storing the answer right now: retry shortly
        (timedelta(hours=1), "/problems/idempotency-answer-lost"),  # the worker died
    ],
)
async def test_an_applied_request_without_a_stored_answer_is_never_replayed_nor_redone(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    db: AsyncConnection,
    age: timedelta,
    problem: str,
) -> None:
    headers = {**auth(), "Idempotency-Key": "phone-42-outbox-lost"}
    body = _account("gushao.10")
    assert (await client.post("/v1/accounts", json=body, headers=headers)).status_code == 201
    # As if the worker had stopped between the commit and storing the answer.
    await db.execute(
        sa.text(
            "UPDATE idempotency_key SET state = 'committed', response_status = NULL,"
            " response_headers = NULL, response_body = NULL WHERE key = :k"
        ),
        {"k": "phone-42-outbox-lost"},
    )
    await _backdate(db, "phone-42-outbox-lost", age)

    retry = await client.post("/v1/accounts", json=body, headers=headers)
    assert retry.status_code == 409
    assert retry.json()["type"] == problem
    assert await _count(db, "gushao.10") == 1


async def test_the_lifespan_purges_expired_keys_and_stops_with_the_app(
    registry_db_url: str,
    registry_engine: AsyncEngine,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    settings = RegistrySettings(
        database_url=registry_db_url,
        data_dir=tmp_path_factory.mktemp("purge-data"),
        log_level="WARNING",
    )
    ttl = timedelta(days=settings.idempotency_ttl_days)
    expired, live = f"lifespan-expired-{uuid.uuid4().hex}", f"lifespan-live-{uuid.uuid4().hex}"
    async with registry_engine.begin() as conn:
        for key, age in ((expired, ttl + timedelta(minutes=1)), (live, timedelta(0))):
            await conn.execute(
                sa.text(
                    "INSERT INTO idempotency_key (account, key, method, path, fingerprint,"
                    " state, created_at) VALUES ('purge-test', :k, 'POST', '/v1/accounts',"
                    " 'f', 'done', now() - CAST(:age AS interval))"
                ),
                {"k": key, "age": age},
            )
    before = _purge_tasks()
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            assert _purge_tasks() == before + 1
            for _ in range(250):
                if await _keys(registry_engine, expired, live) == [live]:
                    break
                await asyncio.sleep(0.02)
            assert await _keys(registry_engine, expired, live) == [live]
        assert _purge_tasks() == before
    finally:
        async with registry_engine.begin() as conn:
            await conn.execute(sa.text("DELETE FROM idempotency_key WHERE account = 'purge-test'"))


def _purge_tasks() -> int:
    return sum(1 for t in asyncio.all_tasks() if t.get_name() == "idempotency-purge")


async def _keys(engine: AsyncEngine, *keys: str) -> list[str]:
    async with engine.connect() as conn:
        found = await conn.scalars(
            sa.text("SELECT key FROM idempotency_key WHERE key = ANY(:keys) ORDER BY key"),
            {"keys": list(keys)},
        )
        return sorted(found.all())
