"""Requests of the assessment endpoints; answers are the engine's own models."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.eligibility.household import HouseholdFacts, IncomeFacts
from services.eligibility.money import Yuan
from services.eligibility.rules.household_exit import ExitAssessment
from services.eligibility.rules.identification import Identification
from services.eligibility.rules.village import KeyVillageFacts, VillageAssessment, VillageFacts

VILLAGE_EXIT_SECTION = "第二章第四节二（二）"
KEY_VILLAGE_SECTION = "第二章第四节一（三）"
IDENTIFICATION_SECTION = "第二章第四节一（一）（二）"

Year = Field(ge=2010, le=2100, description="The assessment year", examples=[2019])

HOUSEHOLD_EXAMPLE: dict[str, Any] = {
    "household_id": "3704041040010012",
    "village_code": "370404104001",
    "status": "0",
    "assistance": "general",
    "members": [
        {"member_id": "m1", "birth_date": "1970-05-12", "sex": "male",
         "basic_medical_insured": True, "critical_illness_insured": True,
         "pension_enrolled": False},
        {"member_id": "m2", "birth_date": "2008-03-15", "sex": "male", "school_status": "03",
         "basic_medical_insured": True, "critical_illness_insured": True,
         "pension_enrolled": False},
    ],
    "income": {"wage_income": "9600.00", "operating_income": "1500.00",
               "operating_expenses": "300.00"},
    "housing_grade": "A",
    "water_safe": True,
    "water_difficult": False,
    "food_secure": True,
    "clothing_secure": True,
}  # fmt: skip
VILLAGE_EXAMPLE: dict[str, Any] = {
    "rural_registered_population": 2154,
    "poor_not_exited": 33,
    "hardened_road": True,
    "passenger_bus": True,
    "power_grid": True,
    "tap_water": True,
    "cable_tv": True,
    "collective_income": "52000.00",
}


class ExitAssessmentRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"year": 2019, "facts": HOUSEHOLD_EXAMPLE}]},
    )

    year: int = Year
    facts: HouseholdFacts


class ExitAssessmentRead(ExitAssessment):
    """Every condition of §3 with pass/fail, the values compared and the section."""

    facts_reading: str | None = Field(
        default=None, description="How the registry's record was read, when it came from there"
    )


class VillageExitRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"year": 2019, "facts": VILLAGE_EXAMPLE}]}
    )

    year: int = Year
    facts: VillageFacts


class ProvincialFigures(BaseModel):
    """The province's figures of the year, which the district's registry does not hold."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"provincial_incidence": "0.0150", "provincial_rural_income": "12930.00"}]
        },
    )

    provincial_incidence: Decimal = Field(ge=0, le=1, description="全省贫困发生率 (0–1)")
    provincial_rural_income: Yuan = Field(description="全省农民人均纯收入")


class KeyVillageRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "year": 2014,
                    "facts": {
                        "rural_registered_population": 1850,
                        "poor_persons": 140,
                        "per_capita_net_income": "5200.00",
                        "collective_income": "0.00",
                        "provincial_incidence": "0.0300",
                        "provincial_rural_income": "10620.00",
                    },
                }
            ]
        },
    )

    year: int = Year
    facts: KeyVillageFacts


EXIT_EXAMPLE: dict[str, Any] = {
    "household_id": "0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
    "year": 2019,
    "eligible": False,
    "conditions": [
        {"code": "stable_income", "label": "稳定收入 stable income", "section": "第二章第四节二（一）",
         "passed": False, "compared": {"fixed_per_capita_income": "3600.00", "threshold": "3705.00"},
         "reason": "fixed per-capita net income 3600.00 is not above 3705.00 (line 3609 + 2 × increase 48)"},
        {"code": "food_clothing", "label": "两不愁 food and clothing secure",
         "section": "第二章第四节二（一）", "passed": True,
         "compared": {"food_secure": "yes", "clothing_secure": "yes"}, "reason": None},
    ],
    "reasons": ["稳定收入 stable income: fixed per-capita net income 3600.00 is not above 3705.00 …"],
    "reading": "高于当年省定扶贫标准增幅两倍以上: threshold = line(Y) + 2 × (line(Y) − line(Y−1)) …",
    "parameters": [
        {"name": "poverty_line.provincial", "effective": "2019-01-01", "value": "3609",
         "source": "鲁扶贫发〔2019〕1号", "note": None, "derived_from": []},
    ],
    "facts_reading": "Registry codes map to the national codes; …",
}  # fmt: skip
VILLAGE_ASSESSMENT_EXAMPLE: dict[str, Any] = {
    "section": "第二章第四节二（二）",
    "year": 2019,
    "eligible": True,
    "checks": [
        {"code": "poverty_incidence", "passed": True, "compared": "1.5320% of 2154 (must be < 2%)"},
        {"code": "hardened_road", "passed": True, "compared": "True"},
    ],
    "reasons": [],
    "reading": "统筹考虑基础设施、基本公共服务、产业发展、集体经济收入 is read as: …",
    "parameters": [
        {"name": "village.exit_max_incidence", "effective": "2016-01-01", "value": "0.02",
         "source": "第二章第四节二（二）", "note": None, "derived_from": []},
    ],
}  # fmt: skip


class VillageAssessmentRead(VillageAssessment):
    """Every check with pass/fail and the values compared, and the section applied."""

    section: str


class IdentificationRequest(BaseModel):
    """识别 (§2): a household's income components and its number of members."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "year": 2019,
                    "members": 3,
                    "income": {"wage_income": "6000.00", "operating_income": "2500.00",
                               "operating_expenses": "600.00"},
                }
            ]
        },
    )  # fmt: skip

    year: int = Year
    members: int = Field(ge=1, le=30, description="Number of household members")
    income: IncomeFacts


class IdentificationRead(Identification):
    """Below the provincial line: registrable (省定标准); also below the national line: 含国标."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2019,
                    "per_capita_net_income": "2633.33",
                    "registrable": True,
                    "national_standard": False,
                    "parameters": [
                        {"name": "poverty_line.provincial", "effective": "2019-01-01",
                         "value": "3632.87", "source": "derived: …", "note": None,
                         "derived_from": []},
                    ],
                    "section": IDENTIFICATION_SECTION,
                    "facts_reading": None,
                }
            ]
        }
    )  # fmt: skip

    section: str = IDENTIFICATION_SECTION
    facts_reading: str | None = None
