"""Idempotency-Key on POST: replay, misuse and in-flight, through the registry's accounts."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.registry.accounts.models import Account
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
