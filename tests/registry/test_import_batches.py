"""Commits of several batches: every household is written once, whether its batch was
written as it went or kept for the end, and an error in a later batch about an earlier one
still leaves nothing behind."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.exchange import importer, staging
from services.registry.exchange.records import ExchangeHousehold
from services.registry.exchange.stored import Driver
from services.registry.households.models import Household, Member
from shared.errors import FieldError
from tests.registry.factories import TokenFactory, row_counts
from tests.registry.test_exchange_support import (
    error_locs,
    file_bytes,
    households,
    upload,
    with_income,
)


@pytest.fixture
async def small_batches(demo_areas: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "BATCH", 4)


async def test_every_batch_is_written_once(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, small_batches: None
) -> None:
    items = households(18)
    before = await row_counts(session)
    response = await upload(client, auth(), file_bytes(items), dry_run=False)
    assert response.status_code == 200, response.text
    members = sum(len(h.members) for h in items)
    after = await row_counts(session)
    assert after["household"] - before["household"] == 18
    assert after["household_year"] - before["household_year"] == 18
    assert after["member"] - before["member"] == members
    assert after["member_year"] - before["member_year"] == members
    assert after["change"] - before["change"] == 18
    assert after["audit_log"] - before["audit_log"] == 18 + 1
    again = await upload(client, auth(), file_bytes(items), dry_run=False)
    assert again.json()["households"] == {"created": 0, "updated": 0, "unchanged": 18}


@pytest.mark.parametrize("where", [1, 9])  # in the first batch's households, in a later one
async def test_a_person_repeated_batches_later_refuses_the_whole_file(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    session: AsyncSession,
    small_batches: None,
    where: int,
) -> None:
    items = households(14)
    first = items[where].members[0]
    twin = replace(items[13].members[0], id_number=first.id_number, sex=first.sex,
                   birth_date=first.birth_date)  # fmt: skip
    items[13] = replace(items[13], members=(twin, *items[13].members[1:]))
    before = await row_counts(session)
    response = await upload(client, auth(), file_bytes(items), dry_run=False)
    assert response.status_code == 422, response.text
    assert any(loc[2] == "证件号码" for loc in error_locs(response.json()))
    assert await row_counts(session) == before


async def test_a_household_repeated_batches_later_refuses_the_whole_file(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, small_batches: None
) -> None:
    items = households(10)
    before = await row_counts(session)
    response = await upload(client, auth(), file_bytes([*items, items[0]]), dry_run=False)
    assert response.status_code == 422, response.text
    assert any(loc[2] == "户编号" for loc in error_locs(response.json()))
    assert await row_counts(session) == before


@pytest.mark.parametrize("at", [3, 4, 9])  # the same batch, the next one, a later one
async def test_a_household_repeated_near_or_far_refuses_the_whole_file(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    session: AsyncSession,
    small_batches: None,
    at: int,
) -> None:
    *items, other = households(11)
    # Another household under a 户编号 the file already gave: different people, so nothing
    # but the number collides.
    items.insert(at, replace(other, national_number=items[1].national_number))
    before = await row_counts(session)
    response = await upload(client, auth(), file_bytes(items), dry_run=False)
    assert response.status_code == 422, response.text
    assert ("row", _first_row(items, at), "户编号") in error_locs(response.json())
    assert await row_counts(session) == before


def _first_row(items: list[ExchangeHousehold], index: int) -> int:
    """The file row of household `index`'s first member (the header is row 1)."""
    return 2 + sum(len(h.members) for h in items[:index])


class _Spy:
    """How many of the given households are in the registry when the checks across the
    file start, that is, before the end writes anything."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, numbers: list[str]) -> None:
        self.written: list[int] = []
        check = staging.check

        async def spied(driver: Driver, limit: int) -> tuple[list[FieldError], int]:
            query = "SELECT count(*) FROM household WHERE national_number = ANY($1::text[])"
            self.written.append(await driver.fetchval(query, numbers))
            return await check(driver, limit)

        monkeypatch.setattr(staging, "check", spied)


async def test_batches_of_new_households_are_written_as_they_go(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    session: AsyncSession,
    small_batches: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    items = households(12)
    spy = _Spy(monkeypatch, [h.national_number for h in items])
    dry = await upload(client, auth(), file_bytes(items), dry_run=True)
    assert dry.json()["households"]["created"] == 12
    response = await upload(client, auth(), file_bytes(items), dry_run=False)
    assert response.status_code == 200, response.text
    assert spy.written == [0, 12]  # the dry run writes nothing; the commit all three batches


async def test_a_batch_taking_a_stored_member_waits_for_the_departure_at_the_end(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    session: AsyncSession,
    small_batches: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    items = households(16)
    stored = next(i for i in range(12, 16) if len(items[i].members) >= 2)
    assert (await upload(client, auth(), file_bytes(items[12:]), dry_run=False)).status_code == 200
    # The second file: three batches of new households, the second taking a member of a
    # stored household, then a batch of the stored households releasing that member.
    mover = replace(items[stored].members[-1], relation="other")
    items[stored] = with_income(replace(items[stored], members=items[stored].members[:-1]))
    items[5] = with_income(replace(items[5], members=(*items[5].members, mover)))
    spy = _Spy(monkeypatch, [h.national_number for h in items[:12]])
    before = await row_counts(session)
    response = await upload(client, auth(), file_bytes(items), dry_run=False)
    assert response.status_code == 200, response.text
    assert spy.written == [8]  # batches 1 and 3; batch 2 after the departure
    body = response.json()
    assert body["households"] == {"created": 12, "updated": 1, "unchanged": 3}
    assert body["persons"]["left"] == 1
    after = await row_counts(session)
    assert after["household"] - before["household"] == 12
    # Each household written once: new and updated in the history and the feed, once each.
    assert after["audit_log"] - before["audit_log"] == 12 + 1 + 1
    assert after["change"] - before["change"] == 12 + 1
    mover_hash = await session.scalar(
        sa.select(Member.id_number_hash).where(Member.national_number == mover.national_number)
    )
    rows = (
        await session.execute(
            sa.select(Household.national_number, Member.left_on)
            .join(Member, Member.household_id == Household.id)
            .where(Member.id_number_hash == mover_hash)
            .order_by(Member.left_on.nulls_last())
        )
    ).all()
    assert [(n, left is None) for n, left in rows] == [
        (items[stored].national_number, False),
        (items[5].national_number, True),
    ]
