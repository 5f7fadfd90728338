"""Key-village exit cases: opened from the registry's village record when §4 is met, moved
through §4's procedure on the server's clock, deregistered by recording the designation's
exit year in the registry."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.assessments.service import village_facts, village_parameters_in_force
from services.eligibility.cases.common import (
    apply_step,
    clock_of,
    events_by_case,
    next_actions,
    record_event,
)
from services.eligibility.cases.machine import check_step
from services.eligibility.parameters.store import ParameterSet
from services.eligibility.registry_client import RegistryClient
from services.eligibility.rules.village import VillageAssessment, assess_village_exit
from services.eligibility.village_cases.models import VillageExitCase, VillageExitCaseEvent
from services.eligibility.village_cases.procedure import OPEN, TOWN_ASSESSED, VILLAGE_EXIT
from services.eligibility.village_cases.schemas import VillageExitCaseCreate, VillageExitCaseRead
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.scoping import area_clause

Precondition = Callable[[int], None]


class VillageConditionsNotMet(Conflict):
    type_slug = "village-exit-conditions-not-met"
    title = "The village does not meet the exit conditions"

    def __init__(self, assessment: VillageAssessment) -> None:
        super().__init__(
            "the village does not meet every exit condition of §4: "
            + "; ".join(assessment.reasons),
            extra={"reasons": assessment.reasons, "year": assessment.year},
        )


def in_area(principal: Principal) -> sa.ColumnElement[bool]:
    return area_clause(
        principal,
        village=VillageExitCase.village_code.expression,
        town=VillageExitCase.town_code.expression,
    )


async def _assess(
    registry: RegistryClient, token: str, code: str, year: int, params: ParameterSet
) -> tuple[dict[str, Any], VillageAssessment]:
    village_parameters_in_force(params, year)
    village, facts = await village_facts(registry, token, code, year)
    assessment = assess_village_exit(facts, year, params)
    if not assessment.eligible:
        raise VillageConditionsNotMet(assessment)
    return village, assessment


async def open_case(
    session: AsyncSession,
    principal: Principal,
    registry: RegistryClient,
    token: str,
    params: ParameterSet,
    now: datetime,
    data: VillageExitCaseCreate,
) -> VillageExitCase:
    village = await registry.village(data.village_code, token=token)  # 404 outside the area
    designation = next(
        (d for d in village.get("designations", []) if d.get("designation") == data.designation),
        None,
    )
    if designation is None:
        raise Conflict(f"village {data.village_code} is not a {data.designation} key village")
    if designation.get("exit_year") is not None:
        raise Conflict(
            f"the village left the {data.designation} list in {designation['exit_year']}"
        )
    _, assessment = await _assess(registry, token, data.village_code, data.year, params)
    clash = await session.scalar(
        sa.select(VillageExitCase.id).where(
            VillageExitCase.village_code == data.village_code,
            VillageExitCase.designation == data.designation,
            VillageExitCase.state.not_in(("rejected", "withdrawn")),
        )
    )
    if clash is not None:
        raise Conflict("the village already has an exit case for this designation",
                       extra={"case_id": str(clash)})  # fmt: skip
    case = VillageExitCase(
        id=uuid.uuid4(),
        village_code=data.village_code,
        town_code=str(village["town_code"]),
        designation=data.designation,
        year=data.year,
        state=TOWN_ASSESSED,
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
    case: VillageExitCase,
    step: tuple[str, str | None],
    now: datetime,
    note: str | None,
    details: dict[str, Any] | None,
) -> None:
    await record_event(
        session, principal, VillageExitCaseEvent, case, step, now, note, details,
        entity="village_exit_case", about={"designation": case.designation, "year": case.year},
    )  # fmt: skip


async def get_case(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, *, lock: bool = False
) -> VillageExitCase:
    query = sa.select(VillageExitCase).where(VillageExitCase.id == case_id, in_area(principal))
    if lock:
        query = query.with_for_update()
    case = await session.scalar(query.execution_options(populate_existing=True))
    if case is None:
        raise NotFound("no such village exit case")
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
    evaluator: str | None = None,
    registry: RegistryClient | None = None,
    token: str | None = None,
) -> VillageExitCase:
    case = await get_case(session, principal, case_id, lock=True)
    precondition(case.version)
    step = check_step(VILLAGE_EXIT, action, clock_of(case), principal, now)
    recorded: dict[str, Any] = dict(details or {})
    if evaluator is not None:
        case.evaluator = evaluator
        recorded["evaluator"] = evaluator
    if action == "district_evaluation":
        assert registry is not None and token is not None
        _, assessment = await _assess(registry, token, case.village_code, case.year, params)
        case.assessment = assessment.model_dump(mode="json")
        recorded["assessment"] = case.assessment
    if action == "deregister":
        assert registry is not None
        answer = await registry.record_village_exit(
            case.village_code, case.designation, case.year, key=f"village-exit-case-{case.id}"
        )
        case.registry_record = {k: answer.get(k) for k in ("designation", "exit_year")}
        recorded["registry"] = case.registry_record
    from_state = case.state
    recorded |= apply_step(case, step, VILLAGE_EXIT, params, now)
    await _record(session, principal, case, (action, from_state), now, note, recorded)
    return case


async def list_cases(
    session: AsyncSession,
    principal: Principal,
    *,
    year: int | None,
    state: str | None,
    village_code: str | None,
    after: uuid.UUID | None,
    limit: int,
) -> list[VillageExitCase]:
    query = (
        sa.select(VillageExitCase)
        .where(in_area(principal))
        .order_by(VillageExitCase.id)
        .limit(limit)
    )
    for column, value in (
        (VillageExitCase.year, year),
        (VillageExitCase.village_code, village_code),
    ):
        if value is not None:
            query = query.where(column == value)
    if state == "open":
        query = query.where(VillageExitCase.state.in_(OPEN))
    elif state is not None:
        query = query.where(VillageExitCase.state == state)
    if after is not None:
        query = query.where(VillageExitCase.id > after)
    return list((await session.scalars(query)).all())


async def reads(
    session: AsyncSession, cases: list[VillageExitCase], now: datetime
) -> list[VillageExitCaseRead]:
    events = await events_by_case(session, VillageExitCaseEvent, cases)
    return [
        VillageExitCaseRead(
            id=c.id,
            village_code=c.village_code,
            town_code=c.town_code,
            designation=c.designation,
            year=c.year,
            state=c.state,
            period=c.period,
            period_started_at=c.period_started_at,
            period_ends_at=c.period_ends_at,
            assessment=c.assessment,
            evaluator=c.evaluator,
            opened_by=c.opened_by,
            opened_at=c.opened_at,
            closed_at=c.closed_at,
            registry_record=c.registry_record,
            version=c.version,
            next_actions=next_actions(VILLAGE_EXIT, c, now),
            events=events[c.id],
        )
        for c in cases
    ]
