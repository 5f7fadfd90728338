"""The change feed: lossless under out-of-order commits, in order, area-filtered.

These tests commit for real on the registry engine. The feed only serves rows of
transactions older than every transaction still running, and the ordinary test
transaction is one of those, so a rolled-back test could never see its own rows. Rows
are written under fresh made-up town codes (370404 5xx–9xx) so they cannot meet other
tests' data; change rows are append-only and stay behind in the throwaway database.

The visibility horizon is server-wide: a transaction open in another database on the same
server (another test run) delays the feed. Polls for rows that must appear therefore
retry for a while; assertions that rows must *not* appear need no retry.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.registry.areas.models import Town, Village
from shared.auth import Role
from shared.models import Change
from shared.pagination import encode_cursor
from tests.registry.factories import TokenFactory, household_body, member_body

_used_towns: set[str] = set()


def fresh_town() -> str:
    while True:
        code = f"370404{random.randint(500, 999)}"
        if code not in _used_towns:
            _used_towns.add(code)
            return code


@pytest.fixture
async def live_client(registry_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests commit (no rolled-back test transaction around them)."""
    transport = httpx.ASGITransport(app=registry_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry.test") as c:
        yield c


async def _commit_changes(engine: AsyncEngine, *rows: tuple[str, str]) -> None:
    """(entity_id, area_code) rows of entity "probe", committed in one transaction."""
    async with engine.begin() as conn:
        for entity_id, area in rows:
            await conn.execute(
                sa.insert(Change).values(
                    entity="probe", entity_id=entity_id, op="upsert", area_code=area
                )
            )


async def _poll(
    client: httpx.AsyncClient, headers: dict[str, str], after: str | None = None, limit: int = 500
) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": limit}
    if after is not None:
        params["after"] = after
    response = await client.get("/v1/changes", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _poll_until(
    client: httpx.AsyncClient, headers: dict[str, str], after: str | None, count: int
) -> tuple[list[dict[str, Any]], str]:
    """Keep polling from `after` until `count` items arrived (or 15 s passed)."""
    items: list[dict[str, Any]] = []
    for _ in range(150):
        page = await _poll(client, headers, after)
        items += page["items"]
        after = page["next_cursor"]
        if len(items) >= count:
            break
        await asyncio.sleep(0.1)
    assert after is not None
    return items, after


async def test_a_transaction_committing_late_is_not_skipped(
    live_client: httpx.AsyncClient, registry_engine: AsyncEngine, auth: TokenFactory
) -> None:
    village = fresh_town() + "001"
    reader = auth(Role.village_cadre, village)
    area = Change.area_code == village

    async with registry_engine.connect() as conn_a, registry_engine.connect() as conn_b:
        txn_a = await conn_a.begin()
        await conn_a.execute(
            sa.insert(Change).values(entity="probe", entity_id="A", op="upsert", area_code=village)
        )  # A takes the smaller id and stays open
        async with conn_b.begin():
            await conn_b.execute(
                sa.insert(Change).values(
                    entity="probe", entity_id="B", op="upsert", area_code=village
                )
            )  # B commits first

        first = await _poll(live_client, reader)
        assert first["items"] == []  # B is held back while A, older, may still commit

        # The contrast: a reader paging by id alone serves B now and moves past A's id.
        async with registry_engine.connect() as naive:
            seen = (
                await naive.execute(
                    sa.select(Change.id, Change.entity_id).where(area).order_by(Change.id)
                )
            ).all()
        assert [entity_id for _, entity_id in seen] == ["B"]
        naive_cursor = seen[-1].id

        await txn_a.commit()

    items, cursor = await _poll_until(live_client, reader, first["next_cursor"], 2)
    assert [i["entity_id"] for i in items] == ["A", "B"]
    assert (await _poll(live_client, reader, cursor))["items"] == []

    async with registry_engine.connect() as naive:
        late = (
            await naive.execute(sa.select(Change.entity_id).where(area, Change.id > naive_cursor))
        ).all()
    assert late == []  # the naive reader has lost A for good


async def test_feed_is_ordered_paged_and_filtered_by_area(
    live_client: httpx.AsyncClient, registry_engine: AsyncEngine, auth: TokenFactory
) -> None:
    town = fresh_town()
    v1, v2 = town + "001", town + "002"
    await _commit_changes(registry_engine, ("v1-a", v1), ("v2-a", v2), ("town-a", town))
    await _commit_changes(registry_engine, ("v1-b", v1))

    cadre = auth(Role.village_cadre, v1)
    items, cursor = await _poll_until(live_client, cadre, None, 2)
    assert [i["entity_id"] for i in items] == ["v1-a", "v1-b"]
    assert {i["area_code"] for i in items} == {v1}
    unchanged = await _poll(live_client, cadre, cursor)
    assert unchanged == {"items": [], "next_cursor": cursor}  # the cursor stays put

    officer = auth(Role.town_officer, town)
    items, _ = await _poll_until(live_client, officer, None, 4)
    assert [i["entity_id"] for i in items] == ["v1-a", "v2-a", "town-a", "v1-b"]

    # One at a time, the same order.
    cursor_one: str | None = None
    one_by_one = []
    for _ in range(4):
        page = await _poll(live_client, officer, cursor_one, limit=1)
        one_by_one += [i["entity_id"] for i in page["items"]]
        cursor_one = page["next_cursor"]
    assert one_by_one == ["v1-a", "v2-a", "town-a", "v1-b"]

    # District roles see every area; the provincial exchange reads the same feed.
    for role in (Role.district_admin, Role.provincial_system, Role.auditor, Role.service):
        ours = await _district_rows(live_client, auth(role, "370404"), town)
        assert ours == ["v1-a", "v2-a", "town-a", "v1-b"]


async def _district_rows(
    client: httpx.AsyncClient, headers: dict[str, str], town: str
) -> list[str]:
    after = None
    ours: list[str] = []
    while True:
        page = await _poll(client, headers, after, limit=1000)
        ours += [i["entity_id"] for i in page["items"] if i["area_code"].startswith(town)]
        if not page["items"]:
            return ours
        after = page["next_cursor"]


async def test_a_household_moving_away_is_removed_from_the_old_villages_feed(
    live_client: httpx.AsyncClient, registry_engine: AsyncEngine, auth: TokenFactory
) -> None:
    town = fresh_town()
    old, new = town + "001", town + "002"
    async with AsyncSession(registry_engine) as s, s.begin():
        s.add(Town(code=town, name=f"测试镇{town}", kind="镇"))
        await s.flush()
        s.add_all(Village(code=c, town_code=town, name=f"测试村{c}", kind="村") for c in (old, new))
    try:
        # Sequence numbers of 5xx–9xx keep these ID numbers away from other tests' people.
        head, spouse, son = (random.randrange(start, 999, 2) for start in (501, 500, 701))
        body = household_body(
            old,
            members=[
                member_body("王建军", "head", "19700512", f"{head:03d}",
                            school_status="not_in_school", labour="ordinary",
                            work_status="in_county", work_months=8, health=["chronic"]),
                member_body("赵桂英", "spouse", "19720803", f"{spouse:03d}",
                            school_status="not_in_school", labour="ordinary"),
                member_body("王浩", "son", "20080315", f"{son:03d}", school_status="primary"),
            ],
        )  # fmt: skip
        created = await live_client.post("/v1/households", json=body, headers=auth())
        assert created.status_code == 201, created.text
        household_id = created.json()["id"]

        old_cadre = auth(Role.village_cadre, old)
        before, cursor = await _poll_until(live_client, old_cadre, None, 1)
        assert [(i["entity_id"], i["op"]) for i in before] == [(household_id, "upsert")]

        moved = await live_client.patch(
            f"/v1/households/{household_id}",
            json={"village_code": new},
            headers={**auth(), "If-Match": created.headers["etag"]},
        )
        assert moved.status_code == 200, moved.text

        after, _ = await _poll_until(live_client, old_cadre, cursor, 1)
        assert [(i["entity"], i["entity_id"], i["op"]) for i in after] == [
            ("household", household_id, "remove")
        ]
        new_items, _ = await _poll_until(live_client, auth(Role.village_cadre, new), None, 1)
        assert [(i["entity_id"], i["op"]) for i in new_items] == [(household_id, "upsert")]
        town_items, _ = await _poll_until(live_client, auth(Role.town_officer, town), None, 3)
        assert [i["op"] for i in town_items] == ["upsert", "remove", "upsert"]
    finally:
        await _delete_town(registry_engine, town)


async def _delete_town(engine: AsyncEngine, town: str) -> None:
    """Remove committed households, villages and the town (feed and audit rows stay)."""
    async with engine.begin() as conn:
        for statement in (
            "DELETE FROM member_year WHERE member_id IN (SELECT m.id FROM member m"
            " JOIN household h ON h.id = m.household_id WHERE h.town_code = :town)",
            "DELETE FROM member WHERE household_id IN"
            " (SELECT id FROM household WHERE town_code = :town)",
            "DELETE FROM cadre_pairing WHERE household_id IN"
            " (SELECT id FROM household WHERE town_code = :town)",
            "DELETE FROM household WHERE town_code = :town",  # years and warnings cascade
            "DELETE FROM village WHERE town_code = :town",
            "DELETE FROM town WHERE code = :town",
        ):
            await conn.execute(sa.text(statement), {"town": town})


async def test_finance_may_not_read_the_feed(client: httpx.AsyncClient, auth: TokenFactory) -> None:
    response = await client.get("/v1/changes", headers=auth(Role.finance_officer, "370404"))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        encode_cursor("x", 1),
        encode_cursor(1),
        encode_cursor(1, 2, 3),
        encode_cursor(-1, 0),
        encode_cursor(2**64, 0),
        encode_cursor(1.5, 0),
    ],
)
async def test_a_cursor_the_feed_did_not_issue_is_bad_input(
    client: httpx.AsyncClient, auth: TokenFactory, cursor: str
) -> None:
    response = await client.get("/v1/changes", params={"after": cursor}, headers=auth())
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
