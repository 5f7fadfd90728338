"""`/v1/reports/...`: thin routes; the reports live in `reports/`, the running in `service.py`.

Every report answers JSON (the default), CSV or XLSX (`?format=`), always 200 when the
caller may read it: a report whose upstream is down is marked partial, its figures null.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from services.reporting.deps import CallerToken, FundsReader, Reader, Reports
from services.reporting.reports.causes import CausesReport, CausesSpec
from services.reporting.reports.exit_progress import ExitProgressReport, ExitProgressSpec
from services.reporting.reports.funds import FundsReport, FundsSpec
from services.reporting.reports.indicators import IndicatorsReport, IndicatorsSpec
from services.reporting.reports.rolling_plan import RollingPlanReport, RollingPlanSpec
from services.reporting.reports.scope import scope_for
from services.reporting.service import XLSX, Format

router = APIRouter(prefix="/v1/reports", tags=["reports"])

FormatQuery = Annotated[
    Format, Query(alias="format", description="json (default), csv or xlsx; headers in Chinese")
]
TownQuery = Annotated[
    str | None,
    Query(pattern=r"^370404\d{3}$", description="A town inside your area (404 outside it)"),
]
RequiredYear = Annotated[int, Query(ge=2014, le=2100, description="The data year")]
OptionalYear = Annotated[int | None, Query(ge=2014, le=2100, description="The data year")]


def _formats(description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description + " CSV and XLSX carry the same figures; null is an "
            "empty cell, and note rows (注) say which upstream is missing or cached.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        404: {"description": "`town_code` is not a town in your area"},
    }


ROLLING_PLAN, CAUSES = RollingPlanSpec(), CausesSpec()
EXIT_PROGRESS, INDICATORS, FUNDS = ExitProgressSpec(), IndicatorsSpec(), FundsSpec()


@router.get(
    "/rolling-plan",
    response_model=RollingPlanReport,
    summary="专栏2 rolling plan: baseline, key villages and exits per town, planned beside actual",
    responses=_formats("The rolling plan of the caller's area."),
)
async def rolling_plan(
    reports: Reports,
    principal: Reader,
    token: CallerToken,
    fmt: FormatQuery = Format.json,
    town_code: TownQuery = None,
) -> Response:
    scope = scope_for(principal, token, town_code=town_code, year=None)
    return await reports.answer(ROLLING_PLAN, scope, fmt)


@router.get(
    "/causes",
    response_model=CausesReport,
    summary="Causes of poverty: households and persons per cause and town, with shares",
    responses=_formats("Causes of poverty; with year=2015, beside 第一章's published figures."),
)
async def causes(
    reports: Reports,
    principal: Reader,
    token: CallerToken,
    year: OptionalYear = None,
    fmt: FormatQuery = Format.json,
    town_code: TownQuery = None,
) -> Response:
    scope = scope_for(principal, token, town_code=town_code, year=year)
    return await reports.answer(CAUSES, scope, fmt)


@router.get(
    "/exit-progress",
    response_model=ExitProgressReport,
    summary="Exit progress and poverty incidence per village and town at the end of a year",
    responses=_formats("Exit progress of the caller's area."),
)
async def exit_progress(
    reports: Reports,
    principal: Reader,
    token: CallerToken,
    year: RequiredYear,
    fmt: FormatQuery = Format.json,
    town_code: TownQuery = None,
) -> Response:
    scope = scope_for(principal, token, town_code=town_code, year=year)
    return await reports.answer(EXIT_PROGRESS, scope, fmt)


@router.get(
    "/indicators",
    response_model=IndicatorsReport,
    summary="专栏3 main indicators for a year, computed from the data where it allows",
    responses=_formats("The main indicators; those the data cannot give are null, with why."),
)
async def indicators(
    reports: Reports,
    principal: Reader,
    token: CallerToken,
    year: RequiredYear,
    fmt: FormatQuery = Format.json,
    town_code: TownQuery = None,
) -> Response:
    scope = scope_for(principal, token, town_code=town_code, year=year)
    return await reports.answer(INDICATORS, scope, fmt)


@router.get(
    "/funds",
    response_model=FundsReport,
    summary="Entitlements and funds: execution per source, kind and town; the 20 % rule; assets",
    responses={
        **_formats("Funds of the caller's area."),
        403: {"description": "Only the district office, finance, auditors and services"},
    },
)
async def funds(
    reports: Reports,
    principal: FundsReader,
    token: CallerToken,
    year: OptionalYear = None,
    run_id: Annotated[
        str | None,
        Query(
            pattern=r"^[0-9a-fA-F-]{36}$",
            description="An eligibility batch run whose entitlement summary to include",
        ),
    ] = None,
    fmt: FormatQuery = Format.json,
    town_code: TownQuery = None,
) -> Response:
    scope = scope_for(principal, token, town_code=town_code, year=year)
    return await reports.answer(FUNDS.with_run(run_id), scope, fmt)
