"""Key villages: exit (RULES.md §4, 第二章第四节二（二）) and identification (§5, 一高一低一无)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field, model_validator

from ..benefits.facts import Facts, SignedYuan
from ..errors import InvalidParameter
from ..money import Yuan
from ..parameters.model import DatedValue
from ..parameters.store import ParameterSet

EXIT_READING = (
    "统筹考虑基础设施、基本公共服务、产业发展、集体经济收入 is read as: hardened road, passenger "
    "bus, rural power grid, tap water and cable TV (the village indicators of 专栏3), and "
    "collective economic income > 0 in the year. The list of checks is the parameter "
    "village.exit_required_checks."
)


class VillageFacts(Facts):
    rural_registered_population: int = Field(gt=0, le=1000000, description="农村户籍人口")
    poor_not_exited: int = Field(ge=0, le=1000000, description="Registered poor persons not exited")
    hardened_road: bool = Field(description="通硬化路")
    passenger_bus: bool = Field(description="通客车")
    power_grid: bool = Field(description="农村电网")
    tap_water: bool = Field(description="通自来水")
    cable_tv: bool = Field(description="通有线电视")
    collective_income: SignedYuan = Field(description="村集体经济收入 in the year")

    @model_validator(mode="after")
    def _poor_within_population(self) -> VillageFacts:
        if self.poor_not_exited > self.rural_registered_population:
            raise ValueError("poor_not_exited cannot exceed rural_registered_population")
        return self


def _checks(facts: VillageFacts) -> dict[str, bool]:
    return {
        "hardened_road": facts.hardened_road,
        "passenger_bus": facts.passenger_bus,
        "power_grid": facts.power_grid,
        "tap_water": facts.tap_water,
        "cable_tv": facts.cable_tv,
        "collective_income": facts.collective_income > 0,
    }


class Check(BaseModel):
    code: str
    passed: bool
    compared: str


class VillageAssessment(BaseModel):
    year: int
    eligible: bool
    checks: list[Check]
    reasons: list[str]
    reading: str | None
    parameters: list[DatedValue]


def assess_village_exit(facts: VillageFacts, year: int, params: ParameterSet) -> VillageAssessment:
    end = date(year, 12, 31)
    most = params.value("village.exit_max_incidence", end)
    required = params.value("village.exit_required_checks", end)
    available = _checks(facts)
    unknown = [code for code in required.codes if code not in available]
    if unknown:
        raise InvalidParameter(f"village.exit_required_checks names unknown checks: {unknown}")
    incidence = Decimal(facts.poor_not_exited) / facts.rural_registered_population
    checks = [
        Check(
            code="poverty_incidence",
            # Compared as poor < rate × population: exact, no rounded percentage decides.
            passed=facts.poor_not_exited < most.number * facts.rural_registered_population,
            compared=f"{incidence:.4%} of {facts.rural_registered_population} (must be < {most.number:%})",
        )
    ]
    checks += [
        Check(code=c, passed=available[c], compared=str(available[c])) for c in required.codes
    ]
    reasons = [f"{c.code}: {c.compared}" for c in checks if not c.passed]
    return VillageAssessment(
        year=year,
        eligible=not reasons,
        checks=checks,
        reasons=reasons,
        reading=EXIT_READING,
        parameters=[most, required],
    )


class KeyVillageFacts(Facts):
    rural_registered_population: int = Field(gt=0, le=1000000)
    poor_persons: int = Field(ge=0, le=1000000, description="Poor persons by the provincial line")
    per_capita_net_income: Yuan = Field(description="Village per-capita net income")
    collective_income: SignedYuan = Field(description="村集体经济收入")
    provincial_incidence: Decimal = Field(ge=0, le=1, description="全省贫困发生率 (0–1)")
    provincial_rural_income: Yuan = Field(description="全省农民人均纯收入")


def identify_key_village(
    facts: KeyVillageFacts, year: int, params: ParameterSet
) -> VillageAssessment:
    end = date(year, 12, 31)
    multiple = params.value("village.key_incidence_multiple", end)
    ratio = params.value("village.key_income_ratio", end)
    population = facts.rural_registered_population
    high_line = multiple.number * facts.provincial_incidence
    low_line = ratio.number * facts.provincial_rural_income
    checks = [
        Check(
            code="high_incidence",
            passed=facts.poor_persons >= high_line * population,
            compared=f"{facts.poor_persons} of {population} vs at least {high_line:%}",
        ),
        Check(
            code="low_income",
            passed=facts.per_capita_net_income < low_line,
            compared=f"{facts.per_capita_net_income} vs below {low_line}",
        ),
        Check(
            code="no_collective_income",
            passed=facts.collective_income <= 0,
            compared=f"collective income {facts.collective_income}",
        ),
    ]
    reasons = [f"{c.code}: {c.compared}" for c in checks if not c.passed]
    return VillageAssessment(
        year=year,
        eligible=not reasons,
        checks=checks,
        reasons=reasons,
        reading=None,
        parameters=[multiple, ratio],
    )
