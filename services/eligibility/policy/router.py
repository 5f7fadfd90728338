"""Policy parameters: read by everyone, extended by the district office with sourced values."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from services.eligibility.deps import Params
from services.eligibility.openapi import NOT_IN_FORCE, Responses
from services.eligibility.parameters.model import DatedValue
from services.eligibility.policy import service
from services.eligibility.policy.schemas import (
    VALUE_IN_FORCE_EXAMPLE,
    ParameterRead,
    ParameterValueCreate,
    ParameterValueRead,
)
from services.eligibility.policy.views import parameter_read, value_read
from services.eligibility.roles import Anyone, DistrictAdmin
from shared.db import DbSession
from shared.idempotency import IdempotentRoute

router = APIRouter(prefix="/v1/parameters", tags=["parameters"], route_class=IdempotentRoute)

Name = Annotated[
    str, Path(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$", examples=["poverty_line.provincial"])
]
_UNKNOWN: Responses = {404: {"description": "No parameter has this name"}}


@router.get(
    "",
    response_model=list[ParameterRead],
    summary="Every parameter of RULES.md §1 and §6 with its dated, sourced values",
)
async def list_parameters(
    session: DbSession,
    params: Params,
    _: Anyone,
    group: Annotated[str | None, Query(examples=["poverty_line"])] = None,
) -> Any:
    rows = await service.all_rows(session)
    return [
        parameter_read(definition, [r for r in rows if r.name == name])
        for name, definition in sorted(params.definitions.items())
        if group is None or service.group_of(name) == group
    ]


@router.get(
    "/{name}",
    response_model=ParameterRead,
    summary="A parameter and its history of dated values",
    responses=_UNKNOWN,
)
async def get_parameter(name: Name, session: DbSession, params: Params, _: Anyone) -> Any:
    definition = params.definition(name)
    return parameter_read(definition, await service.history(session, name))


@router.get(
    "/{name}/value",
    response_model=DatedValue,
    summary="The value in force on a date (derived from the price index where the plan says so)",
    responses={
        200: {"content": {"application/json": {"example": VALUE_IN_FORCE_EXAMPLE}}},
        **_UNKNOWN,
        **NOT_IN_FORCE,
    },
)
async def value_on(
    name: Name,
    params: Params,
    _: Anyone,
    on: Annotated[date, Query(description="The date asked about", examples=["2018-12-31"])],
) -> Any:
    return params.value(name, on)


@router.post(
    "/{name}/values",
    response_model=ParameterValueRead,
    status_code=201,
    summary="Add a dated value with its source (district administrator)",
    responses={
        **_UNKNOWN,
        409: {
            "description": "A value with this effective date exists; values are never overwritten"
        },
    },
)
async def add_value(
    name: Name,
    data: ParameterValueCreate,
    session: DbSession,
    params: Params,
    principal: DistrictAdmin,
    response: Response,
) -> Any:
    row = await service.add_value(session, principal, params, name, data)
    response.headers["Location"] = f"/v1/parameters/{name}"
    return value_read(row)
