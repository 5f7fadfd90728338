"""The benefit catalogue of RULES.md §6, one benefit's calculation, a household's 一户一策."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from services.eligibility.benefits.catalogue import BENEFITS, benefit
from services.eligibility.benefits.describe import BenefitDescription, describe
from services.eligibility.calculations import service
from services.eligibility.calculations.schemas import (
    CALCULATION_EXAMPLE,
    CalculationRequest,
    EntitlementsRead,
)
from services.eligibility.deps import Params, Registry
from services.eligibility.openapi import BAD_FACTS, NOT_IN_FORCE, REGISTRY_FACTS, Responses
from services.eligibility.results import BenefitResult
from services.eligibility.roles import Anyone, Assessor, CallerToken
from shared.idempotency import IdempotentRoute

router = APIRouter(prefix="/v1", tags=["benefits"], route_class=IdempotentRoute)

Code = Annotated[str, Path(examples=["housing_renovation"], description="Benefit code")]
Year = Annotated[int, Query(ge=2014, le=2100, description="The year assessed", examples=[2019])]
_DESCRIPTIONS = {d.code: d for d in describe()}
_UNKNOWN: Responses = {404: {"description": "No benefit has this code"}}


@router.get(
    "/benefits",
    response_model=list[BenefitDescription],
    summary="The catalogue: code, names, section, the facts each needs (typed), what it returns",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": [_DESCRIPTIONS["tekun_support"].model_dump(mode="json")]
                }
            }
        }
    },
)
async def list_benefits(_: Anyone) -> Any:
    return [_DESCRIPTIONS[code] for code in BENEFITS]


@router.get(
    "/benefits/{code}",
    response_model=BenefitDescription,
    summary="One benefit of the catalogue",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": _DESCRIPTIONS["tekun_support"].model_dump(mode="json")
                }
            }
        },
        **_UNKNOWN,
    },
)
async def get_benefit(code: Code, _: Anyone) -> Any:
    return _DESCRIPTIONS[benefit(code).code]


@router.post(
    "/benefits/{code}/calculate",
    response_model=BenefitResult,
    summary="Calculate one benefit from facts on a date: amount, items, eligibility, reasons, trace",
    responses={
        200: {"content": {"application/json": {"example": CALCULATION_EXAMPLE}}},
        **_UNKNOWN,
        **BAD_FACTS,
        **NOT_IN_FORCE,
    },
)
async def calculate(code: Code, data: CalculationRequest, params: Params, _: Anyone) -> Any:
    return service.calculate(code, data, params)


@router.post(
    "/households/{household_id}/entitlements",
    response_model=EntitlementsRead,
    summary="Everything a registered household is entitled to in a year (一户一策), from the registry",
    responses={
        404: {"description": "No such household in your area"},
        **REGISTRY_FACTS,
        **NOT_IN_FORCE,
    },
)
async def household_entitlements(
    household_id: uuid.UUID,
    year: Year,
    params: Params,
    registry: Registry,
    _: Assessor,
    token: CallerToken,
) -> Any:
    return await service.household_entitlements(registry, token, household_id, year, params)
