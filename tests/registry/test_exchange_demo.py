"""The demo loader: a fresh database gets the plan's district through the import path,
and a second run changes nothing."""

from __future__ import annotations

import os
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from services.registry.demo.loader import load_demo_into
from services.registry.main import MIGRATIONS
from shared import migrations
from shared.db import async_url
from shared.idcard import IdCipher

_COUNTS = {
    "towns": "SELECT count(*) FROM town",
    "villages": "SELECT count(*) FROM village",
    "designations": "SELECT count(*) FROM key_village_designation",
    "village_years": "SELECT count(*) FROM village_year",
    "households": "SELECT count(*) FROM household",
    "baseline_households": "SELECT count(*) FROM household WHERE identification_year = 2015",
    "baseline_persons": "SELECT count(*) FROM member m JOIN household h ON h.id = m.household_id"
    " WHERE h.identification_year = 2015",
    "members": "SELECT count(*) FROM member WHERE left_on IS NULL",
    "member_years": "SELECT count(*) FROM member_year WHERE year = 2018",
    "household_years": "SELECT count(*) FROM household_year WHERE year = 2018",
    "not_exited_2018": "SELECT count(*) FROM household WHERE status = 'not_exited'",
    "audit": "SELECT count(*) FROM audit_log",
    "feed": "SELECT count(*) FROM change",
    "versions": "SELECT sum(version) FROM household",
}


async def _counts(url: str) -> dict[str, int]:
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            return {k: int((await conn.scalar(sa.text(q))) or 0) for k, q in _COUNTS.items()}
    finally:
        await engine.dispose()


async def test_the_demo_loads_through_the_import_and_reloads_as_a_no_op(
    make_database: Callable[[str], str],
) -> None:
    url = make_database("registry_demo")
    migrations.upgrade(MIGRATIONS, url)
    cipher = IdCipher({1: os.urandom(32)}, 1, os.urandom(32))
    first = await load_demo_into(url, cipher)
    assert first.households.committed and first.households.errors_total == 0
    counts = await _counts(url)
    assert counts["towns"] == 7 and counts["villages"] == 345
    assert counts["baseline_households"] == 9743  # 2015 (第一章)
    assert counts["baseline_persons"] == 16661
    assert counts["households"] == first.households.households.created == 10178
    assert counts["members"] == counts["member_years"] == first.households.persons.created
    assert counts["household_years"] == counts["households"]
    assert counts["audit"] == counts["households"] + 2  # per household, the import, the areas
    second = await load_demo_into(url, cipher)
    assert second.households.households.unchanged == 10178
    assert second.households.persons.unchanged == counts["members"]
    assert second.areas.villages == 0 and second.areas.village_years == 0
    again = await _counts(url)
    assert again == {**counts, "audit": counts["audit"] + 1}  # only the import's own entry
