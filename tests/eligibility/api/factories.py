"""Areas, registry households and clocks the eligibility service tests use.

Registry data is created through the registry's own API (towns excepted: no endpoint
creates them), committed in the registry's test database once per run; tests that change
the registry (deregistration) make their own households or villages.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from shared.idcard import check_char

TOWN = "370404104"  # 峨山镇
VILLAGE = "370404104001"
NEIGHBOUR = "370404104002"
KEY_VILLAGE = "370404104003"  # provincial key village that meets §4 in 2019
WEAK_VILLAGE = "370404104004"  # provincial key village that does not (no tap water, 3 %)
OTHER_TOWN = "370404100"  # 古邵镇
OTHER_VILLAGE = "370404100001"
TOWNS = {TOWN: "峨山镇", OTHER_TOWN: "古邵镇"}
VILLAGES = {
    VILLAGE: "东于村",
    NEIGHBOUR: "西于村",
    KEY_VILLAGE: "马楼村",
    WEAK_VILLAGE: "南庄村",
    OTHER_VILLAGE: "朱园村",
}
YEAR = 2019

TokenFactory = Callable[..., dict[str, str]]

_births = itertools.count(0)
_villages = itertools.count(100)


def id_number(birth: date, male: bool) -> str:
    """A valid, unique 18-character ID: each call moves the sequence on."""
    n = next(_births)
    seq = 100 + (2 * n) % 800 + (1 if male else 0)
    body = "370404" + birth.strftime("%Y%m%d") + f"{seq:03d}"
    return body + check_char(body)


def member(name: str, relation: str, born: date, *, male: bool, **year: Any) -> dict[str, Any]:
    return {
        "name": name,
        "id_number": id_number(born, male),
        "relation": relation,
        "year": {"health": ["healthy"], "school_status": "not_in_school", **year},
    }


def family(**year: Any) -> list[dict[str, Any]]:
    """Father works, mother farms, son at primary school (aged 11 in 2019)."""
    return [
        member("张建国", "head", date(1970, 5, 12), male=True, labour="ordinary",
               work_status="in_county", work_months=8, health=["chronic"], **year),
        member("李秀兰", "spouse", date(1972, 8, 3), male=False, labour="ordinary", **year),
        member("张磊", "son", date(2008, 3, 15), male=True, school_status="primary", **year),
    ]  # fmt: skip


def household_body(
    village: str = VILLAGE,
    *,
    members: list[dict[str, Any]] | None = None,
    year: dict[str, Any] | None = None,
    data_year: int = YEAR,
    **overrides: Any,
) -> dict[str, Any]:
    """A household meeting every exit condition of 2019 (4060 yuan a head) unless told."""
    return {
        "village_code": village,
        "identification_standard": "provincial",
        "identification_year": 2016,
        "assistance_type": "general",
        "status": "not_exited",
        "main_cause": "illness",
        "data_year": data_year,
        "year": {
            "wage_income": "9600.00",
            "operating_income": "1500.00",
            "operating_expenses": "300.00",
            "pension_income": "1380.00",
            "drinking_water_safe": True,
            **(year or {}),
        },
        "members": members if members is not None else family(),
        **overrides,
    }


def village_year(rural_population: int, **overrides: Any) -> dict[str, Any]:
    return {
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
        **overrides,
    }


def fresh_village_code() -> str:
    return f"{TOWN}{next(_villages):03d}"


@dataclass
class RegistryWorld:
    """Households created once per run (committed in the registry's database)."""

    passing: uuid.UUID  # VILLAGE: meets §3 in 2019
    failing: uuid.UUID  # VILLAGE: low income, an uninsured member, a C-graded house
    elderly: uuid.UUID  # VILLAGE: 低保 household, an 84-year-old, a disabled member
    exited: uuid.UUID  # VILLAGE: exited in 2017, still targeted in 2019
    neighbour: uuid.UUID  # NEIGHBOUR: same town
    far: uuid.UUID  # OTHER_VILLAGE: other town
    unsurveyed: uuid.UUID  # NEIGHBOUR: only a 2018 survey
    ungraded: uuid.UUID  # NEIGHBOUR: a disabled member without a disability grade
    key_poor: uuid.UUID  # KEY_VILLAGE: one poor household of three
    weak_poor: uuid.UUID  # WEAK_VILLAGE
    all_in_village: list[uuid.UUID] = field(default_factory=list)


class Registry:
    """Registry calls the tests make directly (as the district office)."""

    def __init__(self, client: httpx.AsyncClient, admin: dict[str, str]) -> None:
        self.client, self.admin = client, admin

    async def household(self, body: dict[str, Any]) -> uuid.UUID:
        made = await self.client.post("/v1/households", json=body, headers=self.admin)
        assert made.status_code == 201, made.text
        return uuid.UUID(made.json()["id"])

    async def read(self, household_id: uuid.UUID) -> dict[str, Any]:
        got = await self.client.get(f"/v1/households/{household_id}", headers=self.admin)
        assert got.status_code == 200, got.text
        body: dict[str, Any] = got.json()
        return body

    async def village(
        self, code: str, name: str, *, designation: bool = False, year: dict[str, Any] | None = None
    ) -> None:
        made = await self.client.post(
            "/v1/villages", json={"code": code, "name": name}, headers=self.admin
        )
        assert made.status_code == 201, made.text
        if designation:
            designated = await self.client.post(
                f"/v1/villages/{code}/designations",
                json={"designation": "provincial", "designated_year": 2014},
                headers=self.admin,
            )
            assert designated.status_code == 201, designated.text
        if year is not None:
            put = await self.client.put(
                f"/v1/villages/{code}/years/{YEAR}", json=year, headers=self.admin
            )
            assert put.status_code in (200, 201), put.text

    async def village_detail(self, code: str) -> dict[str, Any]:
        got = await self.client.get(f"/v1/villages/{code}", headers=self.admin)
        assert got.status_code == 200, got.text
        body: dict[str, Any] = got.json()
        return body


class TestClock:
    """The server's clock in tests: fixed until a test moves it."""

    __test__ = False

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2019, 11, 5, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
