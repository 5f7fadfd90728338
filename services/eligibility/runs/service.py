"""Batch runs: accept one (parameters checked up front), read progress, results, summary."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.entitlements import require_in_force
from services.eligibility.parameters.store import ParameterSet
from services.eligibility.rules.household_exit import ExitParameters
from services.eligibility.runs.evaluate import hundredths
from services.eligibility.runs.models import QUEUED, AssessmentRun, RunResult
from services.eligibility.runs.schemas import Amount, RunCreate, RunRead, RunResultRead
from shared import audit
from shared.auth import Principal
from shared.errors import NotFound


def visible(principal: Principal) -> sa.ColumnElement[bool]:
    """A run is visible to those whose area contains the run's area."""
    return AssessmentRun.area_code.startswith(principal.area_code, autoescape=True)


async def create_run(
    session: AsyncSession,
    principal: Principal,
    params: ParameterSet,
    revision: str,
    now: datetime,
    data: RunCreate,
) -> AssessmentRun:
    if not principal.covers(data.area_code):
        raise NotFound("no such area in your area")
    exit_parameters = ExitParameters.read(params, data.year)  # 409s name the parameter
    require_in_force(params, data.year)
    params.value("household_exit.policy_years_after_exit", date(data.year, 12, 31))
    run = AssessmentRun(
        id=uuid.uuid4(),
        year=data.year,
        area_code=data.area_code,
        status=QUEUED,
        requested_by=principal.subject,
        requested_role=principal.role.value,
        created_at=now,
        heartbeat_at=now,
        parameters=[v.model_dump(mode="json") for v in exit_parameters.all()],
        parameters_revision=revision,
    )
    session.add(run)
    await session.flush()
    await audit.record(
        session, principal, "run.create", "assessment_run", run.id, area_code=data.area_code,
        after={"year": data.year, "area_code": data.area_code},
    )  # fmt: skip
    return run


async def get_run(session: AsyncSession, principal: Principal, run_id: uuid.UUID) -> AssessmentRun:
    run = await session.scalar(
        sa.select(AssessmentRun)
        .where(AssessmentRun.id == run_id, visible(principal))
        .execution_options(populate_existing=True)
    )
    if run is None:
        raise NotFound("no such run")
    return run


async def list_runs(
    session: AsyncSession,
    principal: Principal,
    *,
    year: int | None,
    after: uuid.UUID | None,
    limit: int,
) -> list[AssessmentRun]:
    query = (
        sa.select(AssessmentRun).where(visible(principal)).order_by(AssessmentRun.id).limit(limit)
    )
    if year is not None:
        query = query.where(AssessmentRun.year == year)
    if after is not None:
        query = query.where(AssessmentRun.id > after)
    return list((await session.scalars(query)).all())


async def results(
    session: AsyncSession,
    run: AssessmentRun,
    *,
    village_code: str | None,
    failing: str | None,
    exit_eligible: bool | None,
    household_id: str | None,
    after: str | None,
    limit: int,
) -> list[RunResult]:
    query = (
        sa.select(RunResult)
        .where(RunResult.run_id == run.id)
        .order_by(RunResult.household_id)
        .limit(limit)
    )
    if village_code is not None:
        query = query.where(RunResult.village_code == village_code)
    if failing is not None:
        query = query.where(RunResult.failing.contains([failing]))
    if exit_eligible is not None:
        query = query.where(RunResult.exit_eligible.is_(exit_eligible))
    if household_id is not None:
        query = query.where(RunResult.household_id == household_id)
    if after is not None:
        query = query.where(RunResult.household_id > after)
    return list((await session.scalars(query)).all())


def run_read(run: AssessmentRun) -> RunRead:
    return RunRead(
        id=run.id,
        year=run.year,
        area_code=run.area_code,
        status=run.status,
        requested_by=run.requested_by,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        households_loaded=run.households_loaded,
        households_total=run.households_total,
        results_stored=run.results_stored,
        source=run.source,
        error=run.error,
        parameters_revision=run.parameters_revision,
        parameters=run.parameters,
        summary=run.summary,
    )


def result_read(row: RunResult) -> RunResultRead:
    amounts = []
    for name, value in sorted(row.amounts.items()):
        code, period, unit = name.split("/")
        amounts.append(Amount(code=code, period=period, unit=unit, amount=hundredths(value)))
    return RunResultRead(
        household_id=row.household_id,
        village_code=row.village_code,
        status=row.status,
        members=row.members,
        exit_applicable=row.exit_applicable,
        exit_eligible=row.exit_eligible,
        failing=list(row.failing),
        targeted=row.targeted,
        yearly_yuan=hundredths(row.yearly_fen),
        once_yuan=hundredths(row.once_fen),
        amounts=amounts,
        facts_errors=row.facts_errors,
    )


async def get_result(session: AsyncSession, run: AssessmentRun, household_id: str) -> RunResult:
    row = await session.get(RunResult, (run.id, household_id))
    if row is None:
        raise NotFound("no such household in the run")
    return row
