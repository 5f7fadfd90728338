"""Small typed factories and the areas tests run in."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.areas.models import Town, Village, VillageYear
from services.registry.cadres.models import AssistanceCadre
from services.registry.households.models import Household, Member
from shared.idcard import check_char

TOWN = "370404104"  # 峨山镇
VILLAGE = "370404104001"
OTHER_TOWN = "370404100"  # 古邵镇
OTHER_VILLAGE = "370404100001"

TokenFactory = Callable[..., dict[str, str]]


# --- areas and households (households tests) ---------------------------------------------

TOWN_NAMES = {TOWN: "峨山镇", OTHER_TOWN: "古邵镇"}


async def make_village(
    session: AsyncSession, code: str = VILLAGE, name: str | None = None
) -> Village:
    """A village (and its town, if missing) to hang households on; flushed, not committed."""
    town_code = code[:9]
    if await session.get(Town, town_code) is None:
        session.add(
            Town(code=town_code, name=TOWN_NAMES.get(town_code, f"镇{town_code}"), kind="镇")
        )
        await session.flush()
    village = Village(
        code=code,
        town_code=town_code,
        name=name or f"村{code[-3:]}",
        kind="村",
        code_generated=True,
        name_generated=name is None,
    )
    session.add(village)
    await session.flush()
    return village


def id_number(birth: str, sequence: str, area: str = "370404") -> str:
    """A valid 18-character ID: area (6) + birth yyyymmdd + 3-digit sequence + check.

    The sequence's last digit decides the sex: odd for men, even for women.
    """
    body = area + birth + sequence
    return body + check_char(body)


def member_body(
    name: str,
    relation: str,
    birth: str,
    sequence: str,
    **year: Any,
) -> dict[str, Any]:
    """A member as POST /v1/households takes it, with that year's attributes."""
    return {
        "name": name,
        "id_number": id_number(birth, sequence),
        "ethnicity": "han",
        "relation": relation,
        "year": {"health": ["healthy"], **year},
    }


def household_body(village_code: str = VILLAGE, **overrides: Any) -> dict[str, Any]:
    """A valid three-person household of 2019: father works, mother farms, son in school."""
    body: dict[str, Any] = {
        "village_code": village_code,
        "natural_village": "东于村",
        "identification_standard": "provincial",
        "identification_year": 2016,
        "assistance_type": "general",
        "status": "not_exited",
        "main_cause": "illness",
        "other_causes": ["lack_skills"],
        "phone": "13805401234",
        "data_year": 2019,
        "year": {
            "wage_income": "9600.00",
            "operating_income": "1500.00",
            "operating_expenses": "300.00",
            "pension_income": "1380.00",
            "arable_land_mu": "2.50",
            "housing_area_m2": "86.00",
            "drinking_water_safe": True,
        },
        "members": [
            member_body(
                "张建国", "head", "19700512", "031",
                school_status="not_in_school", labour="ordinary",
                work_status="in_county", work_months=8, health=["chronic"],
            ),
            member_body(
                "李秀兰", "spouse", "19720803", "024",
                school_status="not_in_school", labour="ordinary",
            ),
            member_body("张磊", "son", "20080315", "011", school_status="primary"),
        ],
    }  # fmt: skip
    body.update(overrides)
    return body


async def create_household(
    client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    """A household created through the API (household_body with `overrides`)."""
    response = await client.post(
        "/v1/households", json=household_body(**overrides), headers=headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# --- households, village years and cadres as rows (areas, cadres and stats tests) -----------


async def make_household_row(
    session: AsyncSession,
    village_code: str = VILLAGE,
    *,
    members: int = 3,
    departed: int = 0,
    status: str = "not_exited",
    exit_year: int | None = None,
    identification_year: int = 2016,
    identification_standard: str = "provincial",
    main_cause: str = "illness",
) -> Household:
    """A household written straight to the tables (no API, no quality rules) with
    `members` current members and `departed` members who have left it."""
    household = Household(
        village_code=village_code,
        town_code=village_code[:9],
        identification_standard=identification_standard,
        identification_year=identification_year,
        assistance_type="general",
        status=status,
        exit_year=exit_year,
        main_cause=main_cause,
        other_causes=[],
    )
    session.add(household)
    await session.flush()
    for n in range(members + departed):
        gone = n >= members
        session.add(
            Member(
                household_id=household.id,
                name=f"成员{n}",
                id_number_cipher=os.urandom(32),
                id_number_hash=os.urandom(32),
                id_number_masked="370404********0000",
                sex="male" if n % 2 == 0 else "female",
                birth_date=date(1970 + n, 1, 1),
                ethnicity="han",
                relation="head" if n == 0 else "other",
                left_on=date(2018, 6, 30) if gone else None,
                leave_reason="moved" if gone else None,
            )
        )
    await session.flush()
    return household


def village_year_body(rural_population: int = 2154, **overrides: Any) -> dict[str, Any]:
    """A yearly village record as PUT /v1/villages/{code}/years/{year} takes it."""
    body: dict[str, Any] = {
        "households_total": 612,
        "population_total": 2280,
        "rural_population": rural_population,
        "per_capita_net_income": "9860.00",
        "collective_income": "52000.00",
        "road_hardened": True,
        "bus_service": True,
        "power_grid": True,
        "tap_water": True,
        "cable_tv": True,
        "broadband": True,
        "clinic": True,
        "licensed_doctor": True,
        "first_secretary": True,
        "work_team": True,
    }
    body.update(overrides)
    return body


async def make_village_year(
    session: AsyncSession, village_code: str, year: int, rural_population: int
) -> VillageYear:
    facts = village_year_body(rural_population)
    for money in ("per_capita_net_income", "collective_income"):
        facts[money] = Decimal(facts[money])
    record = VillageYear(village_code=village_code, year=year, **facts)
    session.add(record)
    await session.flush()
    return record


async def make_cadre(
    session: AsyncSession, town_code: str = TOWN, name: str = "孙立新"
) -> AssistanceCadre:
    cadre = AssistanceCadre(
        name=name, organisation="峄城区财政局", phone="13963210001", town_code=town_code
    )
    session.add(cadre)
    await session.flush()
    return cadre


NEIGHBOUR_VILLAGE = "370404104002"  # same town as VILLAGE


async def make_areas(session: AsyncSession) -> None:
    """VILLAGE and NEIGHBOUR_VILLAGE in 峨山镇, OTHER_VILLAGE in 古邵镇."""
    await make_village(session, VILLAGE, "东于村")
    await make_village(session, NEIGHBOUR_VILLAGE, "西于村")
    await make_village(session, OTHER_VILLAGE, "古邵村")


async def row_counts(session: AsyncSession) -> dict[str, int]:
    """Rows of every table a household write touches, to prove a refused write wrote nothing."""
    tables = (
        "household",
        "household_year",
        "member",
        "member_year",
        "quality_warning",
        "audit_log",
        "change",
        "idempotency_key",
    )
    counts = {}
    for table in tables:
        counts[table] = int(await session.scalar(text(f"SELECT count(*) FROM {table}")) or 0)  # noqa: S608 - fixed names
    return counts
