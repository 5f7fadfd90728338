"""Exit assessment of a household (§3), village exit (§4), key-village identification (§5):
each from the registry's record, or from facts sent inline."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from services.eligibility.assessments import service
from services.eligibility.assessments.schemas import (
    EXIT_EXAMPLE,
    VILLAGE_ASSESSMENT_EXAMPLE,
    ExitAssessmentRead,
    ExitAssessmentRequest,
    IdentificationRead,
    IdentificationRequest,
    KeyVillageRequest,
    ProvincialFigures,
    VillageAssessmentRead,
    VillageExitRequest,
)
from services.eligibility.deps import Params, Registry
from services.eligibility.openapi import NOT_IN_FORCE, REGISTRY_FACTS, UPSTREAM, Responses
from services.eligibility.roles import Assessor, CallerToken
from services.eligibility.rules.household_exit import assess_exit
from shared.idempotency import IdempotentRoute

router = APIRouter(prefix="/v1", tags=["assessments"], route_class=IdempotentRoute)

Year = Annotated[int, Query(ge=2014, le=2100, description="The assessment year", examples=[2019])]
VillageCode = Annotated[str, Path(pattern=r"^370404\d{6}$", examples=["370404104001"])]
_EXIT: Responses = {200: {"content": {"application/json": {"example": EXIT_EXAMPLE}}}}
_VILLAGE: Responses = {
    200: {"content": {"application/json": {"example": VILLAGE_ASSESSMENT_EXAMPLE}}}
}
_FROM_REGISTRY: Responses = {**REGISTRY_FACTS, **NOT_IN_FORCE, **UPSTREAM}


@router.post(
    "/households/{household_id}/exit-assessment",
    response_model=ExitAssessmentRead,
    summary="Assess a registered household's exit (§3) from its registry record",
    responses={**_EXIT, 404: {"description": "No such household in your area"}, **_FROM_REGISTRY},
)
async def household_exit(
    household_id: uuid.UUID,
    year: Year,
    params: Params,
    registry: Registry,
    _: Assessor,
    token: CallerToken,
) -> Any:
    return await service.household_exit(registry, token, household_id, year, params)


@router.post(
    "/exit-assessments",
    response_model=ExitAssessmentRead,
    summary="Assess a household's exit (§3) from facts sent inline",
    responses={**_EXIT, **NOT_IN_FORCE},
)
async def inline_exit(data: ExitAssessmentRequest, params: Params, _: Assessor) -> Any:
    return service.exit_read(assess_exit(data.facts, data.year, params), None)


@router.post(
    "/villages/{code}/exit-assessment",
    response_model=VillageAssessmentRead,
    summary="Assess a key village's exit (§4) from the registry's village record and statistics",
    responses={**_VILLAGE, 404: {"description": "No such village in your area"}, **_FROM_REGISTRY},
)
async def village_exit(
    code: VillageCode,
    year: Year,
    params: Params,
    registry: Registry,
    _: Assessor,
    token: CallerToken,
) -> Any:
    return await service.village_exit(registry, token, code, year, params)


@router.post(
    "/village-exit-assessments",
    response_model=VillageAssessmentRead,
    summary="Assess a village's exit (§4) from facts sent inline",
    responses={**_VILLAGE, **NOT_IN_FORCE},
)
async def inline_village_exit(data: VillageExitRequest, params: Params, _: Assessor) -> Any:
    return service.village_exit_inline(data.facts, data.year, params)


@router.post(
    "/villages/{code}/key-village-identification",
    response_model=VillageAssessmentRead,
    summary="Identify a key village (§5, 一高一低一无) from the registry and the province's figures",
    responses={**_VILLAGE, 404: {"description": "No such village in your area"}, **_FROM_REGISTRY},
)
async def key_village(
    code: VillageCode,
    year: Year,
    figures: ProvincialFigures,
    params: Params,
    registry: Registry,
    _: Assessor,
    token: CallerToken,
) -> Any:
    return await service.key_village(registry, token, code, year, figures, params)


@router.post(
    "/key-village-identifications",
    response_model=VillageAssessmentRead,
    summary="Identify a key village (§5, 一高一低一无) from facts sent inline",
    responses={**_VILLAGE, **NOT_IN_FORCE},
)
async def inline_key_village(data: KeyVillageRequest, params: Params, _: Assessor) -> Any:
    return service.key_village_inline(data.facts, data.year, params)


@router.post(
    "/households/{household_id}/identification",
    response_model=IdentificationRead,
    summary="Identify a registered household against the provincial and national lines (§2)",
    responses={404: {"description": "No such household in your area"}, **_FROM_REGISTRY},
)
async def household_identification(
    household_id: uuid.UUID,
    year: Year,
    params: Params,
    registry: Registry,
    _: Assessor,
    token: CallerToken,
) -> Any:
    return await service.household_identification(registry, token, household_id, year, params)


@router.post(
    "/identifications",
    response_model=IdentificationRead,
    summary="Identify a household (§2, 识别) from its income components and size sent inline",
    responses=NOT_IN_FORCE,
)
async def inline_identification(data: IdentificationRequest, params: Params, _: Assessor) -> Any:
    return service.identification(data.income, data.members, data.year, params, None)
