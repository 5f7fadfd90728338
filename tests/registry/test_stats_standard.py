"""`GET /v1/stats/households?group_by=identification_standard`, checked two ways.

The register below mixes the three identification standards (国家 / 省定 / 市定), every
status, departed members and several identification and exit years over two towns. The
expected counts are worked out here from that list, by the definitions the endpoint
documents (departed members are not persons; exited means 已脱贫 with or without policies,
by the end of `year` when one is given), and again by a plain SQL query of the tables.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Role
from tests.registry.factories import (
    NEIGHBOUR_VILLAGE,
    OTHER_TOWN,
    OTHER_VILLAGE,
    TOWN,
    VILLAGE,
    TokenFactory,
    make_areas,
    make_household_row,
)

EXITED = ("exited_supported", "exited_unsupported")
DEPARTED_ON_YEAR = 2018  # make_household_row's departed members left on 2018-06-30


@dataclass(frozen=True)
class Spec:
    village: str
    standard: str
    members: int
    departed: int = 0
    status: str = "not_exited"
    identified: int = 2016
    exit_year: int | None = None


# 峨山镇 holds all three standards; 古邵镇 adds a 市定 household the town officer must not see.
REGISTER = [
    Spec(VILLAGE, "national", 3, identified=2014),
    Spec(VILLAGE, "national", 4, departed=1, status="exited_supported", exit_year=2016),
    Spec(VILLAGE, "provincial", 2, status="returned", identified=2015, exit_year=2016),
    Spec(VILLAGE, "provincial", 5, status="exited_unsupported", exit_year=2018),
    Spec(VILLAGE, "city", 1, status="pre_exit", identified=2018),
    Spec(NEIGHBOUR_VILLAGE, "provincial", 2, departed=2),
    Spec(NEIGHBOUR_VILLAGE, "provincial", 6, status="exited_supported", exit_year=2017),
    Spec(NEIGHBOUR_VILLAGE, "national", 1, status="exited_unsupported", identified=2017),
    Spec(OTHER_VILLAGE, "city", 4, status="exited_supported", identified=2014, exit_year=2015),
    Spec(OTHER_VILLAGE, "city", 3, departed=1, identified=2019),
    Spec(OTHER_VILLAGE, "national", 2, status="exited_supported", exit_year=2019),
]

Counts = tuple[int, int, int, int]


def expected(specs: list[Spec], year: int | None = None) -> dict[str, Counts]:
    """households, persons, not-exited households, not-exited persons per standard."""
    counts: dict[str, Counter[str]] = {}
    for s in specs:
        if year is not None and s.identified > year:
            continue  # not registered yet
        persons = s.members
        if year is not None and year < DEPARTED_ON_YEAR:
            persons += s.departed  # still living there at the end of the year
        exited = s.status in EXITED and (year is None or s.exit_year is None or s.exit_year <= year)
        c = counts.setdefault(s.standard, Counter())
        c["households"] += 1
        c["persons"] += persons
        c["not_exited_households"] += 0 if exited else 1
        c["not_exited_persons"] += 0 if exited else persons
    return {
        standard: (
            c["households"], c["persons"], c["not_exited_households"], c["not_exited_persons"],
        )
        for standard, c in counts.items()
    }  # fmt: skip


def in_area(area: str) -> list[Spec]:
    return [s for s in REGISTER if s.village.startswith(area)]


async def counted_by_sql(session: AsyncSession, area: str) -> dict[str, Counts]:
    """The same figures straight from the tables (now, no year), for `area`'s households."""
    rows = await session.execute(
        sa.text(
            """
            SELECT h.identification_standard,
                   count(DISTINCT h.id),
                   count(m.id),
                   count(DISTINCT h.id) FILTER (WHERE h.status NOT IN :exited),
                   count(m.id) FILTER (WHERE h.status NOT IN :exited)
            FROM household h
            LEFT JOIN member m ON m.household_id = h.id AND m.left_on IS NULL
            WHERE h.village_code LIKE :prefix
            GROUP BY h.identification_standard
            """
        ).bindparams(sa.bindparam("exited", expanding=True)),
        {"exited": list(EXITED), "prefix": area + "%"},
    )
    return {standard: (h, p, nh, np) for standard, h, p, nh, np in rows.all()}


@pytest.fixture
async def register(session: AsyncSession) -> None:
    await make_areas(session)
    for s in REGISTER:
        await make_household_row(
            session,
            s.village,
            members=s.members,
            departed=s.departed,
            status=s.status,
            exit_year=s.exit_year,
            identification_year=s.identified,
            identification_standard=s.standard,
        )
    await session.commit()  # releases the savepoint; the test transaction still rolls back


async def by_standard(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> tuple[dict[str, Counts], dict[str, int]]:
    response = await client.get(
        "/v1/stats/households",
        params={"group_by": "identification_standard", **params},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["group_by"] == ["identification_standard"]
    rows: dict[str, Counts] = {}
    for item in body["items"]:
        assert list(item["group"]) == ["identification_standard"]
        rows[item["group"]["identification_standard"]] = (
            item["households"], item["persons"],
            item["not_exited_households"], item["not_exited_persons"],
        )  # fmt: skip
    return rows, body["total"]


def totals(rows: dict[str, Counts]) -> dict[str, int]:
    names = ("households", "persons", "not_exited_households", "not_exited_persons")
    return {name: sum(r[i] for r in rows.values()) for i, name in enumerate(names)}


async def test_a_town_officer_gets_their_town_per_standard(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, register: None
) -> None:
    want = expected(in_area(TOWN))
    assert set(want) == {"national", "provincial", "city"}  # the register covers all three
    assert want == await counted_by_sql(session, TOWN)

    rows, total = await by_standard(client, auth(Role.town_officer, TOWN))
    assert rows == want
    assert total == totals(want)

    other, _ = await by_standard(client, auth(Role.town_officer, OTHER_TOWN))
    assert other == expected(in_area(OTHER_TOWN)) == await counted_by_sql(session, OTHER_TOWN)
    # Asking for the other town's numbers gets none of them.
    peek, peek_total = await by_standard(
        client, auth(Role.town_officer, TOWN), town_code=OTHER_TOWN
    )
    assert peek == {} and peek_total["households"] == 0


async def test_a_village_cadre_and_the_district_per_standard(
    client: httpx.AsyncClient, auth: TokenFactory, session: AsyncSession, register: None
) -> None:
    cadre, _ = await by_standard(client, auth(Role.village_cadre, VILLAGE))
    assert cadre == expected(in_area(VILLAGE)) == await counted_by_sql(session, VILLAGE)

    # District-wide the answer is whatever the tables hold (this register included).
    district, total = await by_standard(client, auth())
    assert district == await counted_by_sql(session, "370404")
    assert total == totals(district)
    filtered, _ = await by_standard(client, auth(), town_code=TOWN)
    assert filtered == expected(in_area(TOWN))


@pytest.mark.parametrize("year", [2015, 2016, 2017, 2018])
async def test_per_standard_at_the_end_of_a_year(
    client: httpx.AsyncClient, auth: TokenFactory, register: None, year: int
) -> None:
    rows, total = await by_standard(client, auth(Role.town_officer, TOWN), year=year)
    want = expected(in_area(TOWN), year)
    assert rows == want
    assert total == totals(want)
