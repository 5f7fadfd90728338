"""The funds service as reports read it: `/v1/stats/...` aggregates (its SQL) and the
names of fund sources. Amounts stay decimal yuan; nothing is summed from single payments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from services.reporting.upstreams.base import TypedClient


class _Read(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ExecutionRow(_Read):
    key: str | None
    appropriated: Decimal | None = None
    budget: Decimal | None = None
    allocated: Decimal
    disbursed: Decimal
    execution_rate: Decimal | None
    projects: int


class Execution(_Read):
    group_by: str
    year: int | None
    rows: list[ExecutionRow]
    total_allocated: Decimal
    total_disbursed: Decimal
    execution_rate: Decimal | None


class IntegratedFundsYear(_Read):
    year: int
    sources: int
    amount: Decimal
    exempt: Decimal
    base: Decimal
    required: Decimal
    allocated: Decimal
    disbursed: Decimal
    share: Decimal | None
    compliant: bool
    shortfall: Decimal


class AssetVillage(_Read):
    town_code: str
    village_code: str
    assets: int
    value: Decimal
    income: Decimal
    distributed: Decimal
    undistributed: Decimal
    households_paid: int
    households_paid_without_labour: int


class Source(_Read):
    id: str
    year: int
    level: str
    kind: str
    name: str


_INTEGRATED = TypeAdapter(list[IntegratedFundsYear])
_ASSETS = TypeAdapter(list[AssetVillage])


def _query(**params: Any) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


class FundsClient(TypedClient):
    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__("funds", base_url, **kwargs)

    async def execution(
        self, group_by: str, *, token: str, year: int | None, town_code: str | None
    ) -> Execution:
        params = _query(group_by=group_by, year=year, town_code=town_code)
        return await self.get("/v1/stats/execution", Execution, token=token, params=params)

    async def integrated_funds(self, *, token: str, year: int | None) -> list[IntegratedFundsYear]:
        params = _query(year=year)
        return await self.get("/v1/stats/integrated-funds", _INTEGRATED, token=token, params=params)

    async def assets(
        self, *, token: str, year: int | None, town_code: str | None
    ) -> list[AssetVillage]:
        params = _query(year=year, town_code=town_code)
        return await self.get("/v1/stats/assets", _ASSETS, token=token, params=params)

    async def sources(self, *, token: str, year: int | None) -> list[Source]:
        pages = self.pages("/v1/sources", Source, token=token, params=_query(year=year), limit=500)
        return [s async for s in pages]
