"""Typed clients of the three services a report asks, one small class per upstream."""

from __future__ import annotations

from dataclasses import dataclass

from services.reporting.upstreams.eligibility import EligibilityClient
from services.reporting.upstreams.funds import FundsClient
from services.reporting.upstreams.registry import RegistryClient


@dataclass(frozen=True, slots=True)
class Upstreams:
    registry: RegistryClient
    funds: FundsClient
    eligibility: EligibilityClient | None  # None: no ELIGIBILITY_URL configured

    async def aclose(self) -> None:
        await self.registry.aclose()
        await self.funds.aclose()
        if self.eligibility is not None:
            await self.eligibility.aclose()
