"""Commits of several batches: every household is written once, and an error in a later
batch about an earlier one still leaves nothing behind."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.exchange import importer
from tests.registry.factories import TokenFactory, row_counts
from tests.registry.test_exchange_support import (
    demo_villages,
    error_locs,
    file_bytes,
    households,
    upload,
)


@pytest.fixture
async def small_batches(session: AsyncSession, monkeypatch: pytest.MonkeyPatch) -> None:
    await demo_villages(session)
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
