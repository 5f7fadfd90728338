"""Household exit cases: open one from the registry's record, take each step of §3's
procedure on the server's clock, and record the exit in the registry at deregistration."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.assessments.service import exit_parameters_in_force, registry_household
from services.eligibility.cases.common import (
    apply_step,
    clock_of,
    events_by_case,
    next_actions,
    record_event,
)
from services.eligibility.cases.machine import check_step
from services.eligibility.cases.models import ExitCase, ExitCaseEvent
from services.eligibility.cases.procedure import HOUSEHOLD_EXIT, OPEN, REVIEW
from services.eligibility.cases.schemas import ExitCaseCreate, ExitCaseRead
from services.eligibility.household import CURRENTLY_POOR
from services.eligibility.parameters.store import ParameterSet
from services.eligibility.registry_client import RegistryClient
from services.eligibility.rules.household_exit import ExitAssessment, assess_exit
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.scoping import area_clause

Precondition = Callable[[int], None]


class ExitConditionsNotMet(Conflict):
    type_slug = "exit-conditions-not-met"
    title = "The household does not meet the exit conditions"

    def __init__(self, assessment: ExitAssessment) -> None:
        super().__init__(
            "the household does not meet every exit condition of §3: "
            + "; ".join(assessment.reasons),
            extra={"reasons": assessment.reasons, "year": assessment.year},
        )


def in_area(principal: Principal) -> sa.ColumnElement[bool]:
    return area_clause(
        principal, village=ExitCase.village_code.expression, town=ExitCase.town_code.expression
    )


async def _assess(
    registry: RegistryClient, token: str, household_id: uuid.UUID, year: int, params: ParameterSet
) -> tuple[dict[str, Any], ExitAssessment]:
    exit_parameters_in_force(params, year)
    record, facts = await registry_household(registry, token, household_id, year)
    if facts.status not in CURRENTLY_POOR:
        raise Conflict(
            f"the household is not currently poor in the registry (status {record.get('status')})",
            extra={"status": record.get("status")},
        )
    assessment = assess_exit(facts, year, params)
    if not assessment.eligible:
        raise ExitConditionsNotMet(assessment)
    return record, assessment


async def open_case(
    session: AsyncSession,
    principal: Principal,
    registry: RegistryClient,
    token: str,
    params: ParameterSet,
    now: datetime,
    data: ExitCaseCreate,
) -> ExitCase:
    record, assessment = await _assess(registry, token, data.household_id, data.year, params)
    clash = await session.scalar(
        sa.select(ExitCase.id).where(
            ExitCase.household_id == data.household_id,
            ExitCase.year == data.year,
            ExitCase.state.not_in(("rejected", "withdrawn")),
        )
    )
    if clash is not None:
        raise Conflict(
            f"the household already has an exit case for {data.year}", extra={"case_id": str(clash)}
        )
    case = ExitCase(
        id=uuid.uuid4(),
        household_id=data.household_id,
        year=data.year,
        village_code=record["village_code"],
        town_code=record["town_code"],
        state=REVIEW,
        assessment=assessment.model_dump(mode="json"),
        opened_by=principal.subject,
        opened_at=now,
    )
    session.add(case)
    await session.flush()
    await _record(
        session, principal, case, ("propose", None), now, data.note, {"assessment": case.assessment}
    )
    return case


async def _record(
    session: AsyncSession,
    principal: Principal,
    case: ExitCase,
    step: tuple[str, str | None],
    now: datetime,
    note: str | None,
    details: dict[str, Any] | None,
) -> None:
    await record_event(
        session, principal, ExitCaseEvent, case, step, now, note, details,
        entity="exit_case", about={"household_id": str(case.household_id), "year": case.year},
    )  # fmt: skip


async def get_case(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, *, lock: bool = False
) -> ExitCase:
    query = sa.select(ExitCase).where(ExitCase.id == case_id, in_area(principal))
    if lock:
        query = query.with_for_update()
    case = await session.scalar(query.execution_options(populate_existing=True))
    if case is None:
        raise NotFound("no such exit case")
    return case


async def take_step(
    session: AsyncSession,
    principal: Principal,
    params: ParameterSet,
    now: datetime,
    case_id: uuid.UUID,
    action: str,
    precondition: Precondition,
    *,
    note: str | None = None,
    details: dict[str, Any] | None = None,
    registry: RegistryClient | None = None,
    token: str | None = None,
) -> ExitCase:
    """One step of the procedure; the town review re-assesses, deregistration records the
    exit in the registry (idempotently: a retried step finds it recorded)."""
    case = await get_case(session, principal, case_id, lock=True)
    precondition(case.version)
    step = check_step(HOUSEHOLD_EXIT, action, clock_of(case), principal, now)
    recorded: dict[str, Any] = dict(details or {})
    if action == "town_review":
        assert registry is not None and token is not None
        _, assessment = await _assess(registry, token, case.household_id, case.year, params)
        case.assessment = assessment.model_dump(mode="json")
        recorded["assessment"] = case.assessment
    if action == "deregister":
        assert registry is not None
        answer = await registry.record_household_exit(
            case.household_id, case.year, key=f"exit-case-{case.id}"
        )
        case.registry_record = {k: answer.get(k) for k in ("status", "exit_year", "version")}
        recorded["registry"] = case.registry_record
    from_state = case.state
    recorded |= apply_step(case, step, HOUSEHOLD_EXIT, params, now)
    await _record(session, principal, case, (action, from_state), now, note, recorded)
    return case


async def list_cases(
    session: AsyncSession,
    principal: Principal,
    *,
    year: int | None,
    state: str | None,
    village_code: str | None,
    household_id: uuid.UUID | None,
    after: uuid.UUID | None,
    limit: int,
) -> list[ExitCase]:
    query = sa.select(ExitCase).where(in_area(principal)).order_by(ExitCase.id).limit(limit)
    for column, value in (
        (ExitCase.year, year),
        (ExitCase.village_code, village_code),
        (ExitCase.household_id, household_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if state == "open":
        query = query.where(ExitCase.state.in_(OPEN))
    elif state is not None:
        query = query.where(ExitCase.state == state)
    if after is not None:
        query = query.where(ExitCase.id > after)
    return list((await session.scalars(query)).all())


async def reads(session: AsyncSession, cases: list[ExitCase], now: datetime) -> list[ExitCaseRead]:
    events = await events_by_case(session, ExitCaseEvent, cases)
    return [
        ExitCaseRead(
            id=c.id,
            household_id=c.household_id,
            year=c.year,
            village_code=c.village_code,
            town_code=c.town_code,
            state=c.state,
            period=c.period,
            period_started_at=c.period_started_at,
            period_ends_at=c.period_ends_at,
            assessment=c.assessment,
            opened_by=c.opened_by,
            opened_at=c.opened_at,
            closed_at=c.closed_at,
            registry_record=c.registry_record,
            version=c.version,
            next_actions=next_actions(HOUSEHOLD_EXIT, c, now),
            events=events[c.id],
        )
        for c in cases
    ]
