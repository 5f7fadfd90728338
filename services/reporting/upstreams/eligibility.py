"""The eligibility service as reports read it: exit cases counted per village and state
(its SQL), and the summary of a batch run of entitlements and exit assessments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.upstreams.base import TypedClient

# The household exit procedure's states (eligibility `cases/procedure.py`).
OPEN_STATES = frozenset({"review", "village_notice", "town_reviewed", "announcement"})
DEREGISTERED = "deregistered"


class _Read(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ExitCaseCount(_Read):
    town_code: str
    village_code: str
    state: str
    cases: int


class ExitCaseStats(_Read):
    """`GET /v1/stats/exit-cases?year=`: exit cases of the year per village and state."""

    year: int
    items: list[ExitCaseCount]


class BenefitAmount(_Read):
    code: str
    period: str  # year | month | once
    unit: str  # yuan | kwh
    amount: Decimal
    households: int | None = None


class PeriodTotal(_Read):
    period: str
    unit: str
    amount: Decimal


class EntitlementSummary(_Read):
    targeted_households: int | None = None
    by_benefit: list[BenefitAmount] = Field(default_factory=list)
    totals: list[PeriodTotal] = Field(default_factory=list)


class ExitSummary(_Read):
    candidates: int | None = None
    passed: int | None = None
    failed: int | None = None
    failing_reasons: dict[str, int] = Field(default_factory=dict)


class RunSummary(_Read):
    households: int | None = None
    persons: int | None = None
    exit: ExitSummary | None = None
    entitlements: EntitlementSummary | None = None


class RunRead(_Read):
    """`GET /v1/runs/{id}`: a batch run, with its summary once done."""

    id: str
    year: int
    area_code: str
    status: str  # queued, loading, evaluating, storing, done, failed, interrupted
    finished_at: datetime | None = None
    households_total: int | None = None
    summary: RunSummary | None = None


class EligibilityClient(TypedClient):
    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__("eligibility", base_url, **kwargs)

    async def exit_case_stats(
        self, *, token: str, year: int, town_code: str | None
    ) -> ExitCaseStats:
        params: dict[str, Any] = {"year": year}
        if town_code is not None:
            params["town_code"] = town_code
        return await self.get("/v1/stats/exit-cases", ExitCaseStats, token=token, params=params)

    async def run(self, run_id: str, *, token: str) -> RunRead:
        return await self.get(f"/v1/runs/{run_id}", RunRead, token=token)
