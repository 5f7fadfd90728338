"""Where an imported household lives: its village must exist and agree with its names, and
a re-import that moves it tells the feeds of both villages."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.exchange.records import ExchangeHousehold
from services.registry.households.models import Household
from shared.auth import Role
from shared.models import AuditEntry, Change
from tests.registry.factories import TokenFactory, row_counts
from tests.registry.test_exchange_support import (
    error_locs,
    file_bytes,
    households,
    upload,
)


def _other_village(items: list[ExchangeHousehold], h: ExchangeHousehold) -> ExchangeHousehold:
    """A generated household of another village in the same town, as a place to move to."""
    assert h.village_code is not None
    return next(
        o
        for o in items
        if o.village_code and o.village_code[:9] == h.village_code[:9] and o.village != h.village
    )


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"village_code": "370404999999"}, "行政村代码"),  # no such code
        ({"village": "不存在村"}, "行政村"),  # the code names another village
        ({"village_code": None, "village": "不存在村"}, "行政村"),  # no such name in the town
    ],
)
async def test_an_unknown_village_is_named_at_its_row_and_nothing_is_written(
    client: httpx.AsyncClient,
    auth: TokenFactory,
    session: AsyncSession,
    demo_areas: None,
    change: dict[str, object],
    column: str,
) -> None:
    items = households(3)
    items[1] = replace(items[1], **change)  # type: ignore[arg-type]
    before = await row_counts(session)
    response = await upload(client, auth(), file_bytes(items), dry_run=False)
    assert response.status_code == 422, response.text
    first_row = 2 + len(items[0].members)
    assert error_locs(response.json()) == [("row", first_row, column)]
    assert await row_counts(session) == before


async def test_a_reimport_moving_a_household_leaves_the_old_village_in_the_feed(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, demo_areas: None
) -> None:
    items = households(40)
    moved = items[0]
    target = _other_village(items, moved)
    assert (await upload(client, auth(), file_bytes(items[:3]), dry_run=False)).status_code == 200
    last_change = await session.scalar(sa.select(sa.func.max(Change.id)))
    relocated = replace(
        moved, village_code=target.village_code, village=target.village, town=target.town
    )
    response = await upload(client, auth(), file_bytes([relocated, *items[1:3]]), dry_run=False)
    assert response.status_code == 200, response.text
    assert response.json()["households"] == {"created": 0, "updated": 1, "unchanged": 2}

    household = await session.scalar(
        sa.select(Household).where(Household.national_number == moved.national_number)
    )
    assert household is not None and household.village_code == target.village_code
    feed = (
        await session.scalars(sa.select(Change).where(Change.id > last_change).order_by(Change.id))
    ).all()
    assert [(c.entity_id, c.op, c.area_code) for c in feed] == [
        (str(household.id), "remove", moved.village_code),
        (str(household.id), "upsert", target.village_code),
    ]
    assert feed[1].payload == {"version": 2, "status": household.status}
    # The old village's cadre no longer reads it; the new village's cadre does.
    url = f"/v1/households/{household.id}"
    assert moved.village_code is not None and target.village_code is not None
    old = await client.get(url, headers=auth(Role.village_cadre, moved.village_code))
    new = await client.get(url, headers=auth(Role.village_cadre, target.village_code))
    assert (old.status_code, new.status_code) == (404, 200)
    audit = await session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.entity_id == str(household.id), AuditEntry.action == "household.import")
        .order_by(AuditEntry.id.desc())
    )
    assert audit is not None and audit.before is not None and audit.after is not None
    assert (audit.before["village_code"], audit.after["village_code"]) == (
        moved.village_code,
        target.village_code,
    )
