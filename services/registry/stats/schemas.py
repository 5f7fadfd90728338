"""Aggregates for reports: households and persons per group, village incidence inputs."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer


class GroupBy(StrEnum):
    town = "town"
    village = "village"
    status = "status"
    assistance_type = "assistance_type"
    main_cause = "main_cause"
    identification_standard = "identification_standard"
    identification_year = "identification_year"
    exit_year = "exit_year"


class Counts(BaseModel):
    households: int = Field(description="Registered households (建档立卡户)")
    persons: int = Field(description="Their members (departed members not counted)")
    not_exited_households: int = Field(description="Households not exited (see the endpoint)")
    not_exited_persons: int


class HouseholdGroup(Counts):
    group: dict[str, str | int | None] = Field(
        description="The value of each `group_by` dimension; null where the value is unset"
    )


class HouseholdStats(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "group_by": ["town", "exit_year"],
                    "year": 2018,
                    "items": [
                        {
                            "group": {"town": "370404104", "exit_year": 2016},
                            "households": 1702,
                            "persons": 4999,
                            "not_exited_households": 0,
                            "not_exited_persons": 0,
                        },
                        {
                            "group": {"town": "370404104", "exit_year": None},
                            "households": 211,
                            "persons": 518,
                            "not_exited_households": 211,
                            "not_exited_persons": 518,
                        },
                    ],
                    "total": {
                        "households": 1913,
                        "persons": 5517,
                        "not_exited_households": 211,
                        "not_exited_persons": 518,
                    },
                }
            ]
        }
    )

    group_by: list[GroupBy]
    year: int | None
    items: list[HouseholdGroup]
    total: Counts


Ratio = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.4f}", return_type=str, when_used="json")]


class VillageIncidence(BaseModel):
    village_code: str
    village_name: str
    town_code: str
    rural_population: int | None = Field(
        description="农业户籍人口 of the year's village record; null when there is none"
    )
    registered_households: int
    registered_persons: int
    not_exited_households: int
    not_exited_persons: int
    incidence: Ratio | None = Field(
        description=(
            "not_exited_persons ÷ rural_population, rounded to 4 places (0.0153 = 1.53 %); "
            "decisions at a threshold should compare the integers"
        )
    )


class VillageStats(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2017,
                    "items": [
                        {
                            "village_code": "370404104001",
                            "village_name": "马楼村",
                            "town_code": "370404104",
                            "rural_population": 2154,
                            "registered_households": 96,
                            "registered_persons": 251,
                            "not_exited_households": 12,
                            "not_exited_persons": 33,
                            "incidence": "0.0153",
                        }
                    ],
                    "next_cursor": None,
                }
            ]
        }
    )

    year: int
    items: list[VillageIncidence]
    next_cursor: str | None = None
