"""What household and village exit cases share: applying a step to a case, recording and
reading its events, the steps open now, and If-Match on a step."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.cases.machine import CHINA, CaseClock, Procedure, Step, period_end
from services.eligibility.cases.schemas import CaseEventRead
from services.eligibility.parameters.store import ParameterSet
from shared import audit
from shared.auth import Principal
from shared.etag import require_if_match


class Case(Protocol):
    id: uuid.UUID
    village_code: str
    state: str
    period: str | None
    period_started_at: datetime | None
    period_ends_at: datetime | None
    closed_at: datetime | None


def clock_of(case: Case) -> CaseClock:
    return CaseClock(case.state, case.period, case.period_ends_at)


def apply_step(
    case: Case, step: Step, procedure: Procedure, params: ParameterSet, now: datetime
) -> dict[str, Any]:
    """Moves the case; returns what the event records about a period it starts."""
    details: dict[str, Any] = {}
    case.state = step.to_state
    if step.starts is not None:
        ends = period_end(step.starts, params, now)
        case.period, case.period_started_at, case.period_ends_at = step.starts.name, now, ends
        details = {
            "period": step.starts.name,
            "days_parameter": step.starts.days_parameter,
            "ends_at": ends.astimezone(CHINA).isoformat(),
        }
    else:
        case.period = case.period_started_at = case.period_ends_at = None
    if step.to_state in procedure.closed:
        case.closed_at = now
    return details


async def record_event(
    session: AsyncSession,
    principal: Principal,
    event_type: type[Any],
    case: Case,
    step: tuple[str, str | None],
    now: datetime,
    note: str | None,
    details: dict[str, Any] | None,
    *,
    entity: str,
    about: dict[str, Any],
) -> None:
    """The case's event for `step` (action, the state it left) and its audit entry, whose
    `after` names the case by `about` (the household and year, or the designation)."""
    action, from_state = step
    session.add(
        event_type(
            case_id=case.id, at=now, action=action, from_state=from_state, to_state=case.state,
            actor=principal.subject, actor_role=principal.role.value, note=note,
            details=details or None,
        )
    )  # fmt: skip
    await session.flush()
    await audit.record(
        session, principal, f"{entity}.{action}", entity, case.id, area_code=case.village_code,
        before={"state": from_state} if from_state else None,
        after={"state": case.state, **about},
    )  # fmt: skip


async def events_by_case(
    session: AsyncSession, event_type: Any, cases: list[Any]
) -> dict[uuid.UUID, list[CaseEventRead]]:
    """The cases' events in the order they happened, in one query."""
    events: dict[uuid.UUID, list[CaseEventRead]] = defaultdict(list)
    if cases:
        rows = await session.scalars(
            sa.select(event_type)
            .where(event_type.case_id.in_([c.id for c in cases]))
            .order_by(event_type.id)
        )
        for event in rows:
            events[event.case_id].append(CaseEventRead.model_validate(event))
    return events


def next_actions(procedure: Procedure, case: Case, now: datetime) -> list[str]:
    """The steps the procedure allows now, whoever may take them."""
    actions = []
    for action, step in procedure.steps.items():
        if case.state not in step.from_states:
            continue
        ends = case.period_ends_at
        if step.waits_for is not None and (ends is None or now < ends):
            continue
        if step.during and (ends is None or now >= ends):
            continue
        actions.append(action)
    return actions


def if_match(request: Request, version: int) -> None:
    """Steps are POSTs, so If-Match is optional; when sent, a stale one is 412."""
    if request.headers.get("if-match") is not None:
        require_if_match(request, version)
