"""Requests and answers of the batch-run endpoints. Money is yuan as decimal strings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RunCreate(BaseModel):
    """Assess every household of an area (district, town or village) for a year."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"year": 2019, "area_code": "370404104"}]},
    )

    year: int = Field(ge=2014, le=2100)
    area_code: str = Field(
        pattern=r"^370404(\d{3}(\d{3})?)?$", description="District, town or village"
    )


_SUMMARY: dict[str, Any] = {
    "households": 1913,
    "facts_invalid": 2,
    "invalid_facts": {"registry.year": 2},
    "persons": 5517,
    "exit": {
        "candidates": 211,
        "passed": 150,
        "failed": 61,
        "failing_reasons": {"stable_income": 48, "basic_medical": 9, "safe_housing": 7},
    },
    "entitlements": {
        "targeted_households": 1911,
        "by_benefit": [
            {"code": "elderly_allowance", "period": "year", "unit": "yuan",
             "amount": "93240.00", "households": 251},
        ],
        "totals": [{"period": "year", "unit": "yuan", "amount": "2518620.00"}],
    },
}  # fmt: skip


class RunRead(BaseModel):
    """Progress while the run runs; its summary once done."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "4b3a2c1d-0e9f-4a8b-8c7d-6e5f4a3b2c1d",
                    "year": 2019,
                    "area_code": "370404104",
                    "status": "done",
                    "requested_by": "li.town",
                    "created_at": "2019-12-01T09:00:00Z",
                    "started_at": "2019-12-01T09:00:00Z",
                    "finished_at": "2019-12-01T09:00:04Z",
                    "households_loaded": 1913,
                    "households_total": 1913,
                    "results_stored": 1913,
                    "source": "export",
                    "error": None,
                    "parameters_revision": "118/118/2026-11-29T08:00:00+00:00",
                    "parameters": [],
                    "summary": _SUMMARY,
                }
            ]
        }
    )  # fmt: skip

    id: uuid.UUID
    year: int
    area_code: str
    status: str = Field(
        description="queued, loading, evaluating, storing, done, failed, interrupted"
    )
    requested_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    households_loaded: int = Field(description="Progress: households read from the registry")
    households_total: int | None = Field(description="Known once every household is loaded")
    results_stored: int = Field(description="Progress: per-household results stored")
    source: str | None = Field(
        description="export: the registry's stream (runs of earlier releases may say pages:"
        " its list, no longer used)"
    )
    error: str | None
    parameters_revision: str
    parameters: list[dict[str, Any]] = Field(description="The exit parameters of the year")
    summary: dict[str, Any] | None = Field(
        description="Households, exit candidates passing and failing reasons, entitlements by benefit"
    )


class Amount(BaseModel):
    code: str
    period: str
    unit: str
    amount: str


class RunResultRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "household_id": "0f6c2d4e-8b1a-4c3d-9e5f-7a6b5c4d3e2f",
                    "village_code": "370404104001",
                    "status": "0",
                    "members": 3,
                    "exit_applicable": True,
                    "exit_eligible": False,
                    "failing": ["stable_income"],
                    "targeted": True,
                    "yearly_yuan": "360.00",
                    "once_yuan": "0.00",
                    "amounts": [
                        {"code": "elderly_allowance", "period": "year", "unit": "yuan", "amount": "360.00"}
                    ],
                    "facts_errors": None,
                }
            ]
        }
    )  # fmt: skip

    household_id: str
    village_code: str
    status: str | None
    members: int | None
    exit_applicable: bool | None
    exit_eligible: bool | None
    failing: list[str]
    targeted: bool | None
    yearly_yuan: str
    once_yuan: str
    amounts: list[Amount]
    facts_errors: list[dict[str, Any]] | None
