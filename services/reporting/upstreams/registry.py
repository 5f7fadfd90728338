"""The registry as reports read it: household aggregates (computed by its SQL), areas,
key-village designations and village records. Always with the caller's own token, so the
registry's area scoping decides what the caller's report covers."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.upstreams.base import TypedClient


class _Read(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Counts(_Read):
    households: int
    persons: int
    not_exited_households: int
    not_exited_persons: int


class HouseholdGroup(Counts):
    group: dict[str, str | int | None]


class HouseholdStats(_Read):
    """`GET /v1/stats/households`: counts per combination of the `group_by` dimensions."""

    group_by: list[str]
    year: int | None
    items: list[HouseholdGroup]
    total: Counts


class Designation(_Read):
    designation: str  # provincial | city | city_2018
    designated_year: int
    exit_year: int | None


class Village(_Read):
    code: str
    town_code: str
    name: str
    designations: list[Designation] = Field(default_factory=list)


class VillageYear(_Read):
    year: int
    rural_population: int
    road_hardened: bool
    bus_service: bool
    power_grid: bool
    tap_water: bool
    cable_tv: bool


class VillageDetail(Village):
    years: list[VillageYear] = Field(default_factory=list)


class VillageIncidence(_Read):
    village_code: str
    village_name: str
    town_code: str
    rural_population: int | None
    registered_households: int
    registered_persons: int
    not_exited_households: int
    not_exited_persons: int
    incidence: Decimal | None


class RegistryClient(TypedClient):
    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__("registry", base_url, **kwargs)

    async def household_stats(
        self,
        *,
        token: str,
        group_by: Sequence[str],
        year: int | None = None,
        town_code: str | None = None,
    ) -> HouseholdStats:
        params: list[tuple[str, str | int]] = [("group_by", g) for g in group_by]
        if year is not None:
            params.append(("year", year))
        if town_code is not None:
            params.append(("town_code", town_code))
        return await self.get("/v1/stats/households", HouseholdStats, token=token, params=params)

    async def villages(
        self, *, token: str, key: bool | None = None, town_code: str | None = None
    ) -> list[Village]:
        params: dict[str, Any] = {}
        if key is not None:
            params["key"] = "true" if key else "false"
        if town_code is not None:
            params["town_code"] = town_code
        pages = self.pages("/v1/villages", Village, token=token, params=params, limit=500)
        return [v async for v in pages]

    async def village_detail(self, code: str, *, token: str) -> VillageDetail:
        return await self.get(f"/v1/villages/{code}", VillageDetail, token=token)

    async def village_stats(
        self, *, token: str, year: int, town_code: str | None = None
    ) -> list[VillageIncidence]:
        params: dict[str, Any] = {"year": year}
        if town_code is not None:
            params["town_code"] = town_code
        pages = self.pages(
            "/v1/stats/villages", VillageIncidence, token=token, params=params, limit=1000
        )
        return [v async for v in pages]
